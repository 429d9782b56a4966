"""The reference profile of a model version: what its inputs, scores and reasons looked like.

Made at training from the held-out test split and saved beside ``bundle.json`` as
``reference.json`` (plain JSON, no pickle).  Per feature: the reference quantile bins and
counts (numeric) or category counts including missing (categorical and boolean), a seeded
sample of values for KS and Wasserstein, and the mean SHAP contribution; then the score
distribution, the flag rate and the label-free performance estimate on the reference.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from risk.errors import MonitorError
from risk.settings import MonitorSettings

from ._estimate import estimate
from ._stats import bin_counts, quantile_edges

__all__ = [
    "MISSING",
    "PROFILE_FILE",
    "FeatureProfile",
    "ReferenceProfile",
    "build_profile",
    "categorical_profile",
    "category_values",
    "numeric_profile",
    "reference_profile",
]

PROFILE_FILE = "reference.json"
PROFILE_FORMAT = 1
#: The category that stands for a missing value in category counts.
MISSING = "(missing)"


@dataclass(frozen=True)
class FeatureProfile:
    """One feature in the reference.

    Attributes
    ----------
    treated_as
        ``"numeric"`` (quantile bins, KS, Wasserstein) or ``"categorical"`` (category
        counts, chi-square, Jensen-Shannon).  Booleans and numeric features with at most
        ``categorical_max_values`` distinct values are treated as categorical, as Evidently
        does.
    edges, counts
        Numeric: inner bin edges and counts per bin then missing.  Categorical: counts
        per value in ``categories`` (``MISSING`` for missing values).
    sample
        Numeric only: a seeded sample of the non-missing reference values (at most
        ``reference_rows`` of them).
    mean_shap
        Mean SHAP contribution (log-odds) over the explained reference rows.
    """

    name: str
    kind: str
    treated_as: str
    counts: list[int]
    mean_shap: float
    edges: list[float] | None = None
    categories: list[str] | None = None
    sample: list[float] | None = None


@dataclass(frozen=True)
class ReferenceProfile:
    """The reference of one model version (see the module docstring)."""

    model: str
    rows: int
    start: str | None
    end: str | None
    features: dict[str, FeatureProfile]
    score_edges: list[float]
    score_counts: list[int]
    score_mean: float
    flag_rate: float
    base_value: float
    margin_mean: float
    shap_rows: int
    estimate: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (the content of ``reference.json``)."""
        out = asdict(self)
        out["format"] = PROFILE_FORMAT
        return out

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str = "reference profile"
    ) -> ReferenceProfile:
        """Rebuild a profile from :meth:`to_dict`; a malformed one names what is wrong."""
        try:
            if data.get("format") != PROFILE_FORMAT:
                raise ValueError(
                    f"format {data.get('format')!r}, this Amanah reads {PROFILE_FORMAT}"
                )
            body = {k: v for k, v in data.items() if k != "format"}
            body["features"] = {n: FeatureProfile(**f) for n, f in body["features"].items()}
            return cls(**body)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MonitorError(f"{source} is malformed: {exc}") from exc

    def save(self, directory: str | Path) -> Path:
        """Write ``reference.json`` into a bundle folder."""
        path = Path(directory) / PROFILE_FILE
        path.write_text(json.dumps(self.to_dict(), indent=1))
        return path


def reference_profile(bundle: Any) -> ReferenceProfile:
    """The profile saved with ``bundle``.

    Raises
    ------
    MonitorError
        If the model version has none (trained before profiles existed, or saved without).
    """
    data = getattr(bundle, "reference", None)
    if data is None:
        raise MonitorError(
            f"model version {bundle.version} has no reference profile ({PROFILE_FILE} beside"
            " bundle.json): retrain it, or build one with build_profile and save it"
        )
    if isinstance(data, ReferenceProfile):
        return data
    return ReferenceProfile.from_dict(data, source=f"reference profile of model {bundle.version}")


def category_values(column: pl.Series, kind: str) -> pl.Series:
    """A column as category strings (numbers and booleans spelled out, missing as MISSING)."""
    if kind == "numeric":
        column = column.cast(pl.Float64).fill_nan(None)
    return column.cast(pl.String).fill_null(MISSING)


def build_profile(
    bundle: Any,
    frame: pl.DataFrame,
    settings: MonitorSettings,
    *,
    labels: np.ndarray | None = None,
    period: tuple[str | None, str | None] = (None, None),
) -> ReferenceProfile:
    """Profile the reference rows ``frame`` (feature columns as the model sees them).

    Parameters
    ----------
    bundle
        The model (scores, flags and SHAP contributions come from it).
    frame
        The reference rows, typically the held-out test split.
    settings
        Bins, sample sizes and seed.
    labels
        0/1 labels of the rows, if known: the reference's realised precision and recall.
    period
        First and last reference time (ISO strings), if the rows have times.
    """
    if frame.height == 0:
        raise MonitorError("cannot build a reference profile from zero rows")
    rng = np.random.default_rng(settings.seed)
    shap_idx = np.sort(rng.permutation(frame.height)[: settings.attribution_rows])
    contrib = bundle.contributions(frame[shap_idx])
    mean_shap = contrib.mean(axis=0)
    features = {
        name: _feature(frame.get_column(name), kind, float(mean_shap[j]), settings)
        for j, (name, kind) in enumerate(zip(bundle.schema.names, bundle.schema.kinds, strict=True))
    }
    scores = bundle.score(frame)
    edges = quantile_edges(scores.probability, settings.psi_bins)
    return ReferenceProfile(
        model=bundle.version,
        rows=frame.height,
        start=period[0],
        end=period[1],
        features=features,
        score_edges=edges.tolist(),
        score_counts=bin_counts(scores.probability, edges).tolist(),
        score_mean=float(scores.probability.mean()),
        flag_rate=float(scores.flag.mean()),
        base_value=float(mean_shap[-1]),
        margin_mean=float(contrib.sum(axis=1).mean()),
        shap_rows=int(shap_idx.size),
        estimate=estimate(scores.probability, scores.flag, labels=labels),
        settings={"psi_bins": settings.psi_bins, "seed": settings.seed},
    )


def _feature(
    column: pl.Series,
    kind: str,
    mean_shap: float,
    settings: MonitorSettings,
) -> FeatureProfile:
    distinct = column.drop_nulls().n_unique()
    if kind != "numeric" or distinct <= settings.categorical_max_values:
        name = column.name
        counts = category_values(column, kind).value_counts(name="n")
        by_value = dict(zip(counts.get_column(name).to_list(), counts["n"].to_list(), strict=True))
        return categorical_profile(name, kind, by_value, mean_shap)
    return numeric_profile(column, kind, mean_shap, settings)


def categorical_profile(
    name: str, kind: str, counts: dict[str, int], mean_shap: float
) -> FeatureProfile:
    """A feature treated as categorical, from its count per category value."""
    cats = sorted(counts)
    return FeatureProfile(
        name, kind, "categorical", [counts[c] for c in cats], mean_shap, categories=cats
    )


def numeric_profile(
    column: pl.Series, kind: str, mean_shap: float, settings: MonitorSettings
) -> FeatureProfile:
    """A feature treated as numeric: quantile bins and a seeded sample of present values."""
    name = column.name
    values = column.cast(pl.Float64).fill_null(np.nan).to_numpy()
    edges = quantile_edges(values, settings.psi_bins)
    present = values[~np.isnan(values)]
    # a sample of the present values, so a mostly-missing feature still keeps all it has
    keep = np.random.default_rng([settings.seed, zlib.crc32(name.encode())]).permutation(
        present.size
    )[: settings.reference_rows]
    return FeatureProfile(
        name,
        kind,
        "numeric",
        bin_counts(values, edges).tolist(),
        mean_shap,
        edges=edges.tolist(),
        sample=present[np.sort(keep)].tolist(),
    )
