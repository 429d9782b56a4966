"""Per-feature drift of one chunk against the reference profile, with a verdict."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from risk.settings import MonitorSettings

from ._profile import FeatureProfile, category_values
from ._stats import bin_counts, chi2_p_value, js_distance, ks_p_value, psi, wasserstein_norm

__all__ = ["feature_drift", "missing_feature"]


def missing_feature() -> dict[str, Any]:
    """The entry of a feature the current data lacks: named, and counted as drifted."""
    return {
        "psi": None,
        "js": None,
        "wasserstein_norm": None,
        "p_value": None,
        "test": None,
        "n_reference": None,
        "n_current": 0,
        "missing": True,
        "drifted": True,
    }


def feature_drift(
    ref: FeatureProfile, column: pl.Series, reference_rows: int, settings: MonitorSettings
) -> dict[str, Any]:
    """PSI, Jensen-Shannon, normalised Wasserstein (numeric), KS or chi-square, and a verdict.

    Parameters
    ----------
    ref
        The feature's reference profile.
    column
        The feature's values in the chunk.
    reference_rows
        Rows in the reference: chooses the verdict rule (Evidently's size switch).  For a
        numeric feature, only its present (non-missing) values count: a distance between
        two small samples is noise, so a mostly-missing feature is tested by KS.
    settings
        Method and thresholds.
    """
    if ref.treated_as == "numeric":
        out = _numeric(ref, column, settings.psi_epsilon)
        reference_rows = min(reference_rows, sum(ref.counts) - ref.counts[-1])
    else:
        out = _categorical(ref, column, settings.psi_epsilon)
    out["missing"] = False
    out["drifted"] = _verdict(out, ref.treated_as, reference_rows, settings)
    return out


def _numeric(ref: FeatureProfile, column: pl.Series, eps: float) -> dict[str, Any]:
    values = column.cast(pl.Float64).fill_null(np.nan).to_numpy()
    counts = bin_counts(values, np.asarray(ref.edges, dtype=np.float64))
    reference = np.asarray(ref.counts)
    present = values[~np.isnan(values)]
    sample = np.asarray(ref.sample, dtype=np.float64)
    testable = present.size > 0 and sample.size > 0
    return {
        "psi": psi(reference, counts, epsilon=eps),
        "js": js_distance(reference, counts),
        "wasserstein_norm": wasserstein_norm(sample, present) if testable else None,
        "p_value": ks_p_value(sample, present) if testable else None,
        "test": "ks",
        "n_reference": int(sample.size),
        "n_current": int(present.size),
    }


def _categorical(ref: FeatureProfile, column: pl.Series, eps: float) -> dict[str, Any]:
    values = category_values(column, ref.kind)
    seen = values.value_counts(name="n")
    current = dict(
        zip(seen.get_column(values.name).to_list(), seen.get_column("n").to_list(), strict=True)
    )
    cats = list(ref.categories or [])
    cats += sorted(c for c in current if c not in set(cats))
    reference = np.array([*ref.counts, *[0] * (len(cats) - len(ref.counts))])
    counts = np.array([current.get(c, 0) for c in cats])
    return {
        "psi": psi(reference, counts, epsilon=eps),
        "js": js_distance(reference, counts),
        "wasserstein_norm": None,
        "p_value": chi2_p_value(reference, counts),
        "test": "chi2",
        "n_reference": int(reference.sum()),
        "n_current": int(counts.sum()),
    }


def _verdict(out: dict[str, Any], treated_as: str, reference_rows: int, s: MonitorSettings) -> bool:
    if s.method == "psi":
        return out["psi"] >= s.psi_threshold
    if reference_rows > s.small_reference_rows:
        distance = out["wasserstein_norm"] if treated_as == "numeric" else out["js"]
        if distance is None:  # nothing present on one side: the bins still say it moved
            return out["psi"] >= s.psi_threshold
        return distance >= s.distance_threshold
    if out["p_value"] is None:
        return out["psi"] >= s.psi_threshold
    return out["p_value"] < s.p_value
