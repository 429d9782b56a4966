"""Point-in-time aggregates by sorted cumulative sums and as-of joins.

Every history signal asks "how much of X happened, for this key, strictly
before this moment?".  Rather than joining each application to all of its
history (quadratic for busy keys such as an agent), events are summed per
key and time, cumulated within the key, and each application picks the last
cumulative row strictly before its own moment with an as-of join.  Trailing
windows are the difference of two such look-ups (before ``t`` minus before
``t - window``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl

__all__ = ["cumulative_before", "window_count_within", "window_distinct"]

_ROW = "__row"


def cumulative_before(
    targets: pl.LazyFrame,
    events: pl.LazyFrame | pl.DataFrame,
    *,
    by: str,
    at: str,
    sums: Sequence[str] = (),
    latest: Sequence[str] = (),
) -> pl.LazyFrame:
    """Per target row, sums of event values with the same key strictly before ``at``.

    Parameters
    ----------
    targets
        Frame with the key column ``by`` and the moment column ``at``.
    events
        Frame with ``by``, ``at`` (the moment each event became known) and the
        value columns in ``sums`` and ``latest``.
    by, at
        Key and moment column names (same names in both frames).
    sums
        Event columns summed over all earlier events of the key (0 if none).
    latest
        At most one event column, taken from the latest earlier event where it is
        not null (the largest on ties; null if none).

    Returns
    -------
    pl.LazyFrame
        ``targets`` in their original order with the ``sums`` and ``latest`` columns added.
    """
    if len(latest) > 1:
        raise ValueError("cumulative_before takes at most one 'latest' column")
    # Sorted by key, moment (and the latest column, nulls first), the last row of each
    # (key, moment) run holds the running totals up to that moment: no group-by needed.
    run_ends = (pl.col(by) != pl.col(by).shift(-1)) | (pl.col(at) != pl.col(at).shift(-1))
    per_time = (
        events.filter(pl.col(by).is_not_null() & pl.col(at).is_not_null())
        .select(by, at, *sums, *latest)
        .sort(by, at, *latest, nulls_last=False)
        .with_columns(pl.col(by).ne_missing(pl.col(by).shift(1)).cum_sum().alias("__group"))
        .with_columns([_cum_sum_in_group(c) for c in sums] + [_fill_in_group(c) for c in latest])
        .filter(run_ends.fill_null(True))
        .drop("__group")
        .sort(at)
    )
    indexed = targets.with_row_index(_ROW)
    found = (
        indexed.select(_ROW, by, at)
        .filter(pl.col(by).is_not_null() & pl.col(at).is_not_null())
        .sort(at)
        .join_asof(
            per_time,
            on=at,
            by=by,
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .select(_ROW, *sums, *latest)
    )
    return (
        indexed.join(found, on=_ROW, how="left", maintain_order="left")
        .with_columns([pl.col(c).fill_null(0) for c in sums])
        .drop(_ROW)
    )


def _cum_sum_in_group(column: str) -> pl.Expr:
    # Rows are sorted by group: a running total minus the total before the group began
    # (cheaper than ``cum_sum().over(group)`` on a million groups).
    total = pl.col(column).cum_sum()
    first = pl.col("__group").ne_missing(pl.col("__group").shift(1))
    before = pl.when(first).then(total - pl.col(column)).forward_fill()
    return (total - before).alias(column)


def _fill_in_group(column: str) -> pl.Expr:
    # Forward fill that never carries a value across into the next group.
    source = pl.when(pl.col(column).is_not_null()).then(pl.col("__group")).forward_fill()
    filled = pl.col(column).forward_fill()
    return pl.when(source == pl.col("__group")).then(filled).alias(column)


def window_count_within(
    frame: pl.LazyFrame, *, by: str, at: str, days: int, name: str
) -> pl.LazyFrame:
    """Per row, count the other rows of ``frame`` with the same key in ``[at - days, at)``.

    A rolling sum by time within each key (polars' rolling kernel), the row's own
    moment excluded.

    Returns
    -------
    pl.LazyFrame
        ``frame`` in order plus ``name`` (``Int32``; null where the key is null).
    """
    rolling = pl.col("__one").rolling_sum_by(at, timedelta(days=days), closed="left").over(by)
    return (
        frame.with_columns(pl.lit(1, pl.Int32).alias("__one"))
        .with_columns(pl.when(pl.col(by).is_not_null()).then(rolling).cast(pl.Int32).alias(name))
        .drop("__one")
    )


def window_distinct(
    targets: pl.LazyFrame,
    pool: pl.LazyFrame,
    *,
    by: str,
    value: str,
    at: str,
    days: int,
    name: str,
) -> pl.LazyFrame:
    """Count distinct ``value`` among pool rows with the same key in ``[at - days, at)``.

    A value counts at moment ``t`` when one of its rows lies in ``[t - days, t)``,
    that is for ``t`` in ``(row, row + days]``.  Those intervals are merged per
    (key, value) into disjoint runs; the distinct count at ``t`` is then the
    number of runs started before ``t`` minus the number ended before ``t``,
    two cumulative look-ups instead of a scan of the window.

    Returns
    -------
    pl.LazyFrame
        ``targets`` in order plus ``name`` (``Int32``; null where the key is null).
    """
    window = timedelta(days=days)
    rows = (
        pool.select(by, value, at)
        .filter(pl.col(by).is_not_null() & pl.col(value).is_not_null())
        .unique()
        .sort(by, value, at)
    )
    same = (pl.col(by) == pl.col(by).shift(1)) & (pl.col(value) == pl.col(value).shift(1))
    gap = (pl.col(at) - pl.col(at).shift(1)) > window
    runs = (
        rows.with_columns((~same.fill_null(False) | gap.fill_null(True)).cum_sum().alias("__run"))
        .group_by("__run")
        .agg(pl.col(by).first(), pl.col(at).min().alias("__start"), pl.col(at).max().alias("__end"))
    )
    starts = runs.select(by, pl.col("__start").alias(at), pl.lit(1, pl.Int64).alias("__s"))
    ends = runs.select(by, (pl.col("__end") + window).alias(at), pl.lit(1, pl.Int64).alias("__e"))
    started = cumulative_before(targets, starts, by=by, at=at, sums=["__s"])
    ended = cumulative_before(targets.select(by, at), ends, by=by, at=at, sums=["__e"])
    return (
        pl.concat([started, ended.select("__e")], how="horizontal")
        .with_columns(
            pl.when(pl.col(by).is_null())
            .then(None)
            .otherwise(pl.col("__s") - pl.col("__e"))
            .cast(pl.Int32)
            .alias(name)
        )
        .drop("__s", "__e")
    )
