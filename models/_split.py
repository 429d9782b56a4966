"""Time-ordered train / validation / test split."""

from __future__ import annotations

import numpy as np
import polars as pl

from risk.errors import DataContractError
from risk.settings import SplitSettings

__all__ = ["SPLITS", "assign_splits", "split_expr", "split_instants"]

SPLITS = ("train", "valid", "test")


def assign_splits(
    frame: pl.DataFrame,
    time: str | None,
    fractions: SplitSettings,
    *,
    seed: int = 0,
    basis: np.ndarray | None = None,
) -> pl.Series:
    """The split of every row: ``'train'``, ``'valid'`` or ``'test'``.

    With a time column, rows are cut at two instants, so every training row is strictly
    older than every validation row, which is strictly older than every test row (rows
    sharing a boundary instant go to the later split).  Without one, a seeded shuffle.

    Parameters
    ----------
    basis
        Boolean mask of the rows whose times place the two instants (default: every
        row).  Weighted training passes the rows that carry weight: when only recent
        rows are labelled, cutting over every row would leave them all after the
        training part.  Every row is still assigned by the same instants.

    Raises
    ------
    DataContractError
        If the time column is empty or too coarse to give three non-empty splits (of
        the basis rows, when given).
    """
    n = frame.height
    if basis is not None and time is not None:
        return _split_on_basis(frame, time, fractions, np.asarray(basis, dtype=bool))
    if time is None:
        rank = np.random.default_rng(seed).permutation(n)
        cut1, cut2 = _cuts(n, fractions)
        labels = np.where(rank < cut1, "train", np.where(rank < cut2, "valid", "test"))
        return pl.Series("split", labels, dtype=pl.String)
    col = frame.get_column(time)
    _check_times(col, time)
    t1, t2 = split_instants(col, fractions)
    out = frame.select(split_expr(time, t1, t2)).get_column("split")
    counts = {s: int((out == s).sum()) for s in SPLITS}
    if min(counts.values()) == 0:
        raise DataContractError(
            f"column {time!r} is too coarse for a time split: got {counts} rows per split"
        )
    return out


def split_instants(times: pl.Series, fractions: SplitSettings) -> tuple[object, object]:
    """The two instants that cut ``times`` into train, validation and test.

    A row older than the first is training, older than the second validation, the rest
    test.  Only the times are needed, so an engine holding the rows in partitions
    gathers one column (8 bytes a row) and cuts every partition by the same instants.
    """
    n = times.len()
    ordered = times.sort()
    cut1, cut2 = _cuts(n, fractions)
    return ordered[cut1], ordered[min(cut2, n - 1)]


def split_expr(time: str, t1: object, t2: object) -> pl.Expr:
    """The split of each row (``'train'``, ``'valid'``, ``'test'``) given the two instants."""
    split = (
        pl.when(pl.col(time) < t1)
        .then(pl.lit("train"))
        .when(pl.col(time) < t2)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("test"))
    )
    return split.alias("split")


def _check_times(col: pl.Series, time: str) -> None:
    if col.null_count():
        row = int(col.is_null().arg_true()[0]) + 1
        raise DataContractError(f"column {time!r} row {row} is missing; the split needs every time")


def _split_on_basis(
    frame: pl.DataFrame, time: str, fractions: SplitSettings, basis: np.ndarray
) -> pl.Series:
    col = frame.get_column(time)
    _check_times(col, time)
    if basis.sum() < len(SPLITS):
        raise DataContractError(
            f"only {int(basis.sum())} weighted rows: a time split needs at least one per split"
        )
    try:
        cut = assign_splits(frame.filter(pl.Series(basis)), time, fractions)
    except DataContractError as exc:
        raise DataContractError(f"{exc.message} (of the {int(basis.sum())} weighted rows)") from exc
    times = col.filter(pl.Series(basis))
    t1 = times.filter(cut == "valid").min()
    t2 = times.filter(cut == "test").min()
    return frame.select(split_expr(time, t1, t2)).get_column("split")


def _cuts(n: int, fractions: SplitSettings) -> tuple[int, int]:
    cut1 = round(n * fractions.train)
    cut2 = round(n * (fractions.train + fractions.validation))
    return cut1, cut2
