"""The fairness report of partitioned scores on Dask: partition summaries, combined exactly.

Every figure of the report is a function of small per-group tables, so each worker
summarises its partition and the driver adds the summaries:

- the confusion cells (TP, FP, TN, FN) per group are sums of counts (exact), and so
  are the bootstrap intervals, which resample those cells;
- the AUC per group needs, for each distinct score, how many cases and positives have it:
  the average rank of a block of tied scores follows from the counts below it, so the
  Mann-Whitney statistic is the one of the whole table (to rounding, 1e-12);
- the ECE per group needs, per calibration bin, the sum of scores and of labels.

A summary has one row per (group, score, label, flag), so its size follows the number of
distinct scores: small for calibrated scores (isotonic calibration has a few hundred
steps), as large as the partition for a raw continuous score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from risk.errors import DataFileError, RequestValidationError

from ._label_bias import LabelBias, label_bias_from_rows, label_bias_rows
from ._policy import FairnessPolicy
from ._report import GroupStats, check_references, report_from_stats
from ._result import FairnessReport
from ._table import MISSING, attribute_values, check_inputs

__all__ = ["fairness_report_dask", "label_bias_dask"]

_SUMMARY = {"attribute": pl.String, "value": pl.String, "s": pl.Float64, "y": pl.Int8,
            "f": pl.Int8, "len": pl.UInt32}  # fmt: skip
_OVERALL = "\x00overall"  # the whole table as one attribute; no column can be named so


def _summarise(
    part: str, label: str, groups: list[str], score: str | None, threshold: float | None,
    flag: str | None, intersections: bool,
) -> pl.DataFrame:  # fmt: skip
    """One partition's rows as counts per (attribute, value, score, label, flag)."""
    frame = pl.read_parquet(part, hive_partitioning=False)
    if frame.height == 0:  # an empty partition adds nothing (the whole table may have rows)
        return pl.DataFrame(schema=_SUMMARY)
    inputs = check_inputs(
        frame, label=label, groups=groups, score=score, threshold=threshold, flag=flag,
        source=part,
    )  # fmt: skip
    attrs = attribute_values(frame, groups, intersections, part)
    attrs[_OVERALL] = pl.Series([MISSING] * frame.height, dtype=pl.String)
    s = inputs.score if inputs.score is not None else np.zeros(frame.height)
    base = pl.DataFrame({"y": inputs.y.astype(np.int8), "f": inputs.f.astype(np.int8), "s": s})
    keys = ["attribute", "value", "s", "y", "f"]
    pieces = [
        base.with_columns(value=values).group_by(keys[1:]).len().with_columns(attribute=pl.lit(name))
        for name, values in attrs.items()
    ]  # fmt: skip
    return pl.concat(pieces, how="vertical").select(*keys, "len")


def _group_stats(rows: pl.DataFrame, scored: bool, bins: int) -> GroupStats:
    """One attribute's figures from its combined summary rows."""
    values = rows.get_column("value").unique().sort().to_list()
    code = pl.col("value").replace_strict(values, list(range(len(values))), return_dtype=pl.Int64)
    rows = rows.with_columns(g=code)
    g = len(values)
    counts = np.zeros((g, 4), dtype=np.int64)
    cells = rows.group_by("g", "y", "f").agg(pl.col("len").sum())
    # (y, f): (1, 1) TP, (0, 1) FP, (1, 0) FN, (0, 0) TN, in the order TP, FP, TN, FN
    cell = np.array([0, 1, 3, 2])[(1 - cells["y"].to_numpy()) + 2 * (1 - cells["f"].to_numpy())]
    np.add.at(counts, (cells["g"].to_numpy(), cell), cells["len"].to_numpy())
    if not scored:
        return GroupStats(values, counts, None, None)
    return GroupStats(values, counts, _auc(rows, g), _ece(rows, g, bins))


def _auc(rows: pl.DataFrame, g: int) -> np.ndarray:
    """Mann-Whitney AUC per group from counts per distinct score (ties count one half)."""
    by_score = (
        rows.group_by("g", "s")
        .agg(n=pl.col("len").sum(), pos=(pl.col("len") * pl.col("y")).sum())
        .sort("g", "s")
        .with_columns(below=pl.col("n").cum_sum().over("g") - pl.col("n"))
        .with_columns(rank=pl.col("below") + (pl.col("n") + 1) / 2)
        .group_by("g")
        .agg(
            pos=pl.col("pos").sum(),
            n=pl.col("n").sum(),
            rank_pos=(pl.col("rank") * pl.col("pos")).sum(),
        )
    )
    pos, tot, rank_pos = np.zeros(g), np.zeros(g), np.zeros(g)
    i = by_score["g"].to_numpy()
    pos[i], tot[i] = by_score["pos"].to_numpy(), by_score["n"].to_numpy()
    rank_pos[i] = by_score["rank_pos"].to_numpy()
    neg = tot - pos
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (rank_pos - pos * (pos + 1) / 2) / (pos * neg)
    return np.where(pos * neg > 0, out, np.nan)


def _ece(rows: pl.DataFrame, g: int, bins: int) -> np.ndarray:
    """ECE per group from the sums of scores and labels per bin (as ``ece_by_group``)."""
    s = rows["s"].to_numpy()
    b = np.minimum((s * bins).astype(np.int64), bins - 1)
    key = rows["g"].to_numpy() * bins + b
    n_rows = rows["len"].to_numpy().astype(np.float64)
    s_sum = np.bincount(key, weights=s * n_rows, minlength=g * bins).reshape(g, bins)
    y_sum = np.bincount(key, weights=rows["y"].to_numpy() * n_rows,
                        minlength=g * bins).reshape(g, bins)  # fmt: skip
    n = np.bincount(rows["g"].to_numpy(), weights=n_rows, minlength=g)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.abs(s_sum - y_sum).sum(axis=1) / n
    return np.where(n > 0, out, np.nan)


def fairness_report_dask(
    client: Any,
    path: str | Path,
    *,
    label: str,
    groups: list[str],
    score: str | None = None,
    threshold: float | None = None,
    flag: str | None = None,
    intersections: bool = False,
    reference: dict[str, str] | None = None,
    policy: FairnessPolicy | None = None,
) -> FairnessReport:
    """:func:`models.fairness.fairness_report` of a folder of scored parts, on Dask.

    Each partition is summarised on a worker; the driver adds the summaries and builds
    the report with the same code as on one machine: counts exact, rates equal, AUC and
    ECE to rounding (1e-12).  Arguments as :func:`fairness_report`; ``path`` is a folder
    of Parquet parts (or one Parquet file).

    Raises
    ------
    RequestValidationError
        As :func:`fairness_report`, naming the part at fault.
    DataFileError
        ``path`` is neither a folder of parts nor a Parquet file.
    EngineError
        A task lost with its worker too many times.
    """
    from risk.engine import gather

    policy = policy or FairnessPolicy.default()
    path = Path(path)
    parts = _parts(path)
    args = (label, list(groups), score, threshold, flag, intersections)
    futures = [client.submit(_summarise, str(p), *args, pure=False) for p in parts]
    summaries = gather(client, futures, what=f"fairness summaries of {len(parts)} partitions")
    if not any(summary.height for summary in summaries):
        raise RequestValidationError(f"{path}: the table has no rows")
    rows = (
        pl.concat(summaries, how="vertical_relaxed")
        .group_by("attribute", "value", "s", "y", "f")
        .agg(pl.col("len").sum())
    )
    scored = score is not None
    bins = policy.calibration_bins
    empty = pl.read_parquet(parts[0], n_rows=0, hive_partitioning=False)
    names = attribute_values(empty, list(groups), intersections, str(parts[0]))
    stats = {
        name: _group_stats(rows.filter(pl.col("attribute") == name), scored, bins) for name in names
    }
    overall = _group_stats(rows.filter(pl.col("attribute") == _OVERALL), scored, bins)
    reference = dict(reference or {})
    check_references(reference, list(stats), str(path))
    info = {"source": str(path), "label": label, "score": score, "threshold": threshold,
            "flag": flag, "groups": list(groups), "intersections": intersections}  # fmt: skip
    return report_from_stats(stats, overall, info, policy, reference, str(path))


def _parts(path: Path) -> list[Path]:
    from risk._partitioned import partition_files
    from risk.io import is_partitioned

    if is_partitioned(path):
        return partition_files(path)
    if path.is_file() and path.suffix.lower() in {".parquet", ".pq"}:
        return [path]
    raise DataFileError(
        f"{path}: the Dask engine reads Parquet scores (a folder of parts or one .parquet"
        " file); this is not one (read CSV with the polars engine)"
    )


def _bias_rows(part: str, groups: list[str], inv: str, conf: str, truth: str | None):
    """One partition's label-bias rows summed by their values (None if it is empty)."""
    frame = pl.read_parquet(part, hive_partitioning=False)
    if frame.height == 0:
        return None
    try:
        rows = label_bias_rows(frame, groups, inv, conf, truth)
    except RequestValidationError as exc:  # its row number counts within this part
        raise RequestValidationError(f"{part}: {exc.message}") from None
    return rows.group_by(pl.exclude("w")).agg(pl.col("w").sum())


def label_bias_dask(
    client: Any,
    path: str | Path,
    groups: list[str],
    *,
    investigated: str,
    confirmed: str,
    truth: str | None = None,
    min_group_size: int,
) -> LabelBias:
    """:func:`models.fairness.label_bias` of a folder of parts, summed on Dask (exact counts).

    Raises
    ------
    RequestValidationError
        As :func:`label_bias`, naming the part (a row number counts within it).
    """
    from risk.engine import gather

    path = Path(path)
    parts = _parts(path)
    args = (list(groups), investigated, confirmed, truth)
    futures = [client.submit(_bias_rows, str(p), *args, pure=False) for p in parts]
    summaries = [s for s in gather(client, futures, what="label-bias rows") if s is not None]
    if not summaries:
        raise RequestValidationError(f"{path}: the table has no rows")
    rows = pl.concat(summaries, how="vertical_relaxed")
    rows = rows.group_by(pl.exclude("w")).agg(pl.col("w").sum())
    return label_bias_from_rows(rows, list(groups), min_group_size, with_truth=truth is not None)
