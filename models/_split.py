"""Time-ordered train / validation / test split."""

from __future__ import annotations

import numpy as np
import polars as pl

from risk.errors import DataContractError
from risk.settings import SplitSettings

__all__ = ["SPLITS", "assign_splits"]

SPLITS = ("train", "valid", "test")


def assign_splits(
    frame: pl.DataFrame, time: str | None, fractions: SplitSettings, *, seed: int = 0
) -> pl.Series:
    """The split of every row: ``'train'``, ``'valid'`` or ``'test'``.

    With a time column, rows are cut at two instants, so every training row is strictly
    older than every validation row, which is strictly older than every test row (rows
    sharing a boundary instant go to the later split).  Without one, a seeded shuffle.

    Raises
    ------
    DataContractError
        If the time column is empty or too coarse to give three non-empty splits.
    """
    n = frame.height
    if time is None:
        rank = np.random.default_rng(seed).permutation(n)
        cut1, cut2 = _cuts(n, fractions)
        labels = np.where(rank < cut1, "train", np.where(rank < cut2, "valid", "test"))
        return pl.Series("split", labels, dtype=pl.String)
    col = frame.get_column(time)
    if col.null_count():
        row = int(col.is_null().arg_true()[0]) + 1
        raise DataContractError(f"column {time!r} row {row} is missing; the split needs every time")
    ordered = col.sort()
    cut1, cut2 = _cuts(n, fractions)
    t1, t2 = ordered[cut1], ordered[min(cut2, n - 1)]
    split = (
        pl.when(col < t1)
        .then(pl.lit("train"))
        .when(col < t2)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("test"))
    )
    out = frame.select(split.alias("split")).get_column("split")
    counts = {s: int((out == s).sum()) for s in SPLITS}
    if min(counts.values()) == 0:
        raise DataContractError(
            f"column {time!r} is too coarse for a time split: got {counts} rows per split"
        )
    return out


def _cuts(n: int, fractions: SplitSettings) -> tuple[int, int]:
    cut1 = round(n * fractions.train)
    cut2 = round(n * (fractions.train + fractions.validation))
    return cut1, cut2
