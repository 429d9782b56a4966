"""Per-feature drift of one chunk against the reference profile, with a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from risk.settings import MonitorSettings

from ._profile import FeatureProfile, category_values
from ._stats import bin_counts, chi2_p_value, js_distance, ks_p_value, psi, wasserstein_norm

__all__ = [
    "PreparedFeature",
    "categorical_drift",
    "chunk_drift",
    "feature_drift",
    "missing_feature",
    "numeric_drift",
    "prepare_feature",
]


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


@dataclass(frozen=True)
class PreparedFeature:
    """A feature's current values, converted once and sliced per chunk.

    Numeric: float values (NaN missing).  Categorical: integer codes into ``categories``
    (the reference's, then values the reference never saw), with the reference counts
    padded to match.
    """

    ref: FeatureProfile
    values: np.ndarray
    categories: list[str] | None = None
    ref_counts: np.ndarray | None = None


def prepare_feature(ref: FeatureProfile, column: pl.Series) -> PreparedFeature:
    """Convert one feature column for :func:`chunk_drift` (one pass over all the rows)."""
    if ref.treated_as == "numeric":
        return PreparedFeature(ref, column.cast(pl.Float64).fill_null(np.nan).to_numpy())
    values = category_values(column, ref.kind)
    known = list(ref.categories or [])
    seen = set(known)
    cats = known + sorted(c for c in values.unique().to_list() if c not in seen)
    codes = values.replace_strict(cats, list(range(len(cats))), return_dtype=pl.Int64)
    padded = np.array([*ref.counts, *[0] * (len(cats) - len(ref.counts))], dtype=np.int64)
    return PreparedFeature(ref, codes.to_numpy(), cats, padded)


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
    prepared = prepare_feature(ref, column)
    return chunk_drift(prepared, slice(None), reference_rows, settings)


def chunk_drift(
    prepared: PreparedFeature, rows: slice, reference_rows: int, settings: MonitorSettings
) -> dict[str, Any]:
    """:func:`feature_drift` of the chunk ``rows`` of a prepared feature."""
    ref = prepared.ref
    if ref.treated_as == "numeric":
        values = prepared.values[rows]
        counts = bin_counts(values, np.asarray(ref.edges, dtype=np.float64))
        # sorted once: scipy's KS and Wasserstein sort again, which is quick on sorted data
        present = np.sort(values[~np.isnan(values)])
        return numeric_drift(ref, counts, present, reference_rows, settings)
    counts = np.bincount(prepared.values[rows], minlength=len(prepared.categories))
    return categorical_drift(ref, prepared.ref_counts, counts, reference_rows, settings)


def numeric_drift(
    ref: FeatureProfile,
    counts: np.ndarray,
    present: np.ndarray,
    reference_rows: int,
    settings: MonitorSettings,
) -> dict[str, Any]:
    """A numeric feature's drift from its bin counts and its present values, sorted."""
    eps = settings.psi_epsilon
    sample = np.asarray(ref.sample, dtype=np.float64)
    testable = present.size > 0 and sample.size > 0
    out = {
        "psi": psi(np.asarray(ref.counts), counts, epsilon=eps),
        "js": js_distance(np.asarray(ref.counts), counts),
        "wasserstein_norm": wasserstein_norm(sample, present) if testable else None,
        "p_value": ks_p_value(sample, present) if testable else None,
        "test": "ks",
        "n_reference": int(sample.size),
        "n_current": int(present.size),
        "missing": False,
    }
    reference_rows = min(reference_rows, sum(ref.counts) - ref.counts[-1])
    out["drifted"] = _verdict(out, ref.treated_as, reference_rows, settings)
    return out


def categorical_drift(
    ref: FeatureProfile,
    ref_counts: np.ndarray,
    counts: np.ndarray,
    reference_rows: int,
    settings: MonitorSettings,
) -> dict[str, Any]:
    """A categorical feature's drift from counts over the same categories on both sides
    (``ref_counts`` padded with zeros for categories only the current data holds)."""
    out = _categorical(ref_counts, counts, settings.psi_epsilon)
    out["missing"] = False
    out["drifted"] = _verdict(out, ref.treated_as, reference_rows, settings)
    return out


def _categorical(reference: np.ndarray, counts: np.ndarray, eps: float) -> dict[str, Any]:
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
