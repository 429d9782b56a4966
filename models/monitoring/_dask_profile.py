"""A reference profile of partitioned reference rows on Dask, equal to :func:`build_profile`.

Category counts, the flag count and the label-free estimate's sums are added from
per-partition summaries.  Quantile bins and the seeded sample of a numeric feature need
the whole column, so each such column comes to the driver on its own, as do the
probabilities (for the score's quantile bins); the SHAP contributions of the sampled rows
come from the parts that hold them.  The driver holds one column at a time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from risk.errors import MonitorError
from risk.settings import MonitorSettings
from risk.text import listing, noun

from ._dask import _layout, contributions_of
from ._dask_parts import column, profile_summary
from ._estimate import estimate_from_sums
from ._profile import ReferenceProfile, categorical_profile, numeric_profile
from ._stats import bin_counts, quantile_edges

__all__ = ["build_profile_dask"]


def build_profile_dask(
    client: Any,
    bundle_path: str | Path,
    reference: str | Path,
    settings: MonitorSettings,
    *,
    bundle: Any = None,
) -> ReferenceProfile:
    """:func:`models.monitoring.build_profile` of a folder of Parquet parts, on Dask.

    Parameters
    ----------
    client
        A ``distributed.Client``.
    bundle_path
        The model bundle's folder (workers load it from there).
    reference
        A folder of Parquet parts (or one Parquet file) with every model feature.
    settings
        Bins, sample sizes and seed.
    bundle
        The loaded bundle (default: loaded from ``bundle_path``).

    Raises
    ------
    MonitorError
        The reference has no rows or lacks a model feature.
    DataFileError
        A part lacks a column that other parts hold (named).
    """
    from models._load import load_bundle
    from risk.engine import gather

    bundle = bundle if bundle is not None else load_bundle(bundle_path)
    kinds = dict(zip(bundle.schema.names, bundle.schema.kinds, strict=True))
    parts, rows, columns = _layout(Path(reference), list(kinds))
    absent = [n for n in kinds if n not in columns]
    if absent:
        raise MonitorError(
            f"the reference data lacks the model's {noun(len(absent), 'feature')} {listing(absent)}"
        )
    total = int(rows.sum())
    if total == 0:
        raise MonitorError("cannot build a reference profile from zero rows")
    offsets = np.concatenate([[0], np.cumsum(rows)])
    full = [str(p) for p, n in zip(parts, rows, strict=True) if n]
    small = settings.categorical_max_values
    futures = [client.submit(profile_summary, p, str(bundle_path), kinds, small, pure=False)
               for p in full]  # fmt: skip
    summaries = gather(client, futures, what=f"reference summaries of {len(full)} partitions")
    score = _score(summaries, total, settings)
    rng = np.random.default_rng(settings.seed)
    shap_idx = np.sort(rng.permutation(total)[: settings.attribution_rows])
    contrib = contributions_of(client, parts, offsets, str(bundle_path), shap_idx)
    mean_shap = contrib.mean(axis=0)
    features = _features(client, full, kinds, summaries, mean_shap, settings)
    return ReferenceProfile(
        model=bundle.version, rows=total, start=None, end=None, features=features,
        **score, base_value=float(mean_shap[-1]), margin_mean=float(contrib.sum(axis=1).mean()),
        shap_rows=int(shap_idx.size),
        settings={"psi_bins": settings.psi_bins, "seed": settings.seed},
    )  # fmt: skip


def _features(
    client: Any, parts: list[str], kinds: dict[str, str], summaries: list[dict],
    mean_shap: np.ndarray, settings: MonitorSettings,
) -> dict[str, Any]:  # fmt: skip
    """Each feature's profile: categorical from summed counts, numeric from its column."""
    from risk.engine import gather

    out = {}
    for j, (name, kind) in enumerate(kinds.items()):
        if _categorical(name, kind, summaries, settings.categorical_max_values):
            counts: Counter = Counter()
            for s in summaries:
                counts.update(s["counts"][name])
            out[name] = categorical_profile(name, kind, dict(counts), float(mean_shap[j]))
            continue
        futures = [client.submit(column, p, name, pure=False) for p in parts]
        pieces = gather(client, futures, what=f"the values of {name!r}")
        values = pl.concat([p.cast(pl.Float64) for p in pieces]).alias(name)
        out[name] = numeric_profile(values, kind, float(mean_shap[j]), settings)
    return out


def _score(summaries: list[dict], total: int, settings: MonitorSettings) -> dict[str, Any]:
    """The score's bins, mean and flag rate and the reference estimate."""
    prob = np.concatenate([s["prob"] for s in summaries])
    sums = np.sum([s["sums"] for s in summaries], axis=0)
    for s in summaries:  # the probabilities are one column: hold them no longer than needed
        del s["prob"]
    edges = quantile_edges(prob, settings.psi_bins)
    return {
        "score_edges": edges.tolist(),
        "score_counts": bin_counts(prob, edges).tolist(),
        "score_mean": float(prob.mean()),
        "flag_rate": float(sums[0] / total),
        "estimate": estimate_from_sums(sums, None),
    }


def _categorical(name: str, kind: str, summaries: list[dict], small: int) -> bool:
    """Treated as categorical: not numeric, or at most ``small`` distinct values in all."""
    if kind != "numeric":
        return True
    uniques = [s["unique"][name] for s in summaries]
    if any(u is None for u in uniques):
        return False
    return pl.concat([u.cast(pl.Float64) for u in uniques]).n_unique() <= small
