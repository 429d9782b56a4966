"""The monitor's tasks on Dask workers: one partition's summary, values and contributions.

See :mod:`models.monitoring._dask` for what the driver does with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ._estimate import expected_sums
from ._fairness import group_sums
from ._monitor import _with_scores
from ._profile import category_values
from ._stats import bin_counts

__all__ = ["Job", "column", "contributions", "load", "present", "profile_summary", "summarise"]


@dataclass(frozen=True)
class Job:
    """What every partition task needs (small; sent with each task)."""

    bundle: str
    columns: list[str]
    numeric: dict[str, list[float]]
    categorical: dict[str, str]
    score_edges: list[float]
    chunks: int
    label: str | None
    weight: str | None
    groups: list[str]


def column(part: str, name: str) -> pl.Series:
    return pl.read_parquet(part, columns=[name], hive_partitioning=False).get_column(name)


def load(bundle_path: str) -> Any:
    """The bundle at ``bundle_path``, loaded once per worker process (and again if changed)."""
    from models._dask_batch import _bundle

    path = Path(bundle_path)
    return _bundle(str(path), (path / "model.txt").stat().st_mtime)


def _read(part: str, job: Job) -> pl.DataFrame:
    """A part's rows with the score, probability and flag columns ``monitor`` adds."""
    bundle = load(job.bundle)
    frame = pl.read_parquet(part, columns=job.columns, hive_partitioning=False)
    return _with_scores(bundle, frame)


def summarise(part: str, ids: np.ndarray, offset: int, job: Job) -> dict[str, Any]:
    """One partition's summary per chunk (see the module docstring)."""
    frame = _read(part, job)
    prob = frame.get_column("__prob").to_numpy()
    flag = frame.get_column("flag").cast(pl.Boolean).to_numpy()
    out: dict[str, Any] = {"chunks": {}, "labelled": None}
    for c in np.unique(ids).tolist():
        m = ids == c
        p, f, rows = prob[m], flag[m], frame.filter(pl.Series(m))
        numeric = {n: bin_counts(_floats(rows.get_column(n)), np.asarray(e, dtype=np.float64))
                   for n, e in job.numeric.items()}  # fmt: skip
        categorical = {n: _value_counts(category_values(rows.get_column(n), kind))
                       for n, kind in job.categorical.items()}  # fmt: skip
        groups = {a: group_sums(rows.get_column(a), p, f) for a in job.groups}
        out["chunks"][c] = {
            "sums": np.concatenate([[p.size, p.sum()], expected_sums(p, f)]),
            "score": bin_counts(p, np.asarray(job.score_edges, dtype=np.float64)),
            "numeric": numeric,
            "categorical": categorical,
            "groups": groups,
        }
    if job.label is not None:
        y = _floats(frame.get_column(job.label))
        known = ~np.isnan(y)
        w = (frame.get_column(job.weight).cast(pl.Float64).fill_null(1.0).to_numpy()
             if job.weight is not None else np.ones(y.size))  # fmt: skip
        out["labelled"] = (np.flatnonzero(known) + offset, y[known], flag[known], w[known])
    return out


def _floats(column: pl.Series) -> np.ndarray:
    return column.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _value_counts(values: pl.Series) -> dict[str, int]:
    counts = values.value_counts(name="n")
    return dict(zip(counts.get_column(values.name).to_list(), counts["n"].to_list(), strict=True))


def present(part: str, name: str, ids: np.ndarray, tested: list[int]) -> dict[int, np.ndarray]:
    """One feature's present values in each tested chunk of a part, sorted."""
    values = _floats(column(part, name))
    out = {}
    for c in tested:
        v = values[ids == c]
        out[c] = np.sort(v[~np.isnan(v)])
    return out


def contributions(part: str, rows: np.ndarray, bundle_path: str) -> np.ndarray:
    """SHAP contributions of some rows of a part (in the rows' order)."""
    bundle = load(bundle_path)
    frame = pl.read_parquet(part, columns=bundle.schema.names, hive_partitioning=False)
    return bundle.contributions(frame[rows])


def profile_summary(part: str, bundle_path: str, kinds: dict[str, str], small: int) -> dict:
    """One reference partition: its probabilities, the estimate's sums, and per feature its
    distinct values (``None`` if more than ``small``) and category counts (when it may be
    treated as categorical)."""
    bundle = load(bundle_path)
    frame = pl.read_parquet(part, columns=list(kinds), hive_partitioning=False)
    scores = bundle.score(frame)
    out: dict[str, Any] = {
        "prob": scores.probability,
        "sums": expected_sums(scores.probability, scores.flag),
        "unique": {},
        "counts": {},
    }
    for name, kind in kinds.items():
        col = frame.get_column(name)
        distinct = col.drop_nulls().unique()
        few = distinct.n_unique() <= small
        out["unique"][name] = distinct if few else None
        if kind != "numeric" or few:
            out["counts"][name] = _value_counts(category_values(col, kind))
    return out
