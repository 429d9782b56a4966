"""Point-in-time look-ups for a few targets, in plain Python over collected rows.

At request time the targets are one or a few applications and their history a
few dozen rows, so every polars query costs its fixed overhead (planning, a
join, a group-by: about a millisecond each) many times over the work itself.
These functions collect their inputs once and scan the rows in Python, with the
same rules and dtypes as the batch look-ups in :mod:`features._windows`:
an event counts when its key equals the target's (null keys never match) and
its moment is strictly before the target's (null moments never match).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import polars as pl

__all__ = ["direct_before", "direct_counts", "direct_window"]

# Tiny inputs: the optimiser costs more than it saves.
_AS_WRITTEN = pl.QueryOptFlags.none()


def _collect(frame: pl.LazyFrame | pl.DataFrame, *columns: str) -> pl.DataFrame:
    """``frame`` (only ``columns``, if given) in memory; a DataFrame costs no query."""
    if isinstance(frame, pl.DataFrame):
        return pl.DataFrame([frame.get_column(c) for c in columns]) if columns else frame
    return (frame.select(columns) if columns else frame).collect(
        optimizations=_AS_WRITTEN, engine="in-memory"
    )


def _by_key(rows: pl.DataFrame) -> dict[object, list[tuple]]:
    """Rows (key first, moment second) grouped by key, dropping null keys and moments."""
    index: dict[object, list[tuple]] = {}
    for row in rows.iter_rows():
        if row[0] is not None and row[1] is not None:
            index.setdefault(row[0], []).append(row[1:])
    return index


def _keys_and_moments(frame: pl.DataFrame, by: str, at: str) -> zip:
    return zip(frame.get_column(by).to_list(), frame.get_column(at).to_list(), strict=True)


def _sum_dtype(dtype: pl.DataType) -> pl.DataType:
    # What polars' ``sum`` returns: small integers widen to Int64, booleans count as UInt32.
    if dtype == pl.Boolean:
        return pl.UInt32
    if dtype in (pl.Int8, pl.Int16, pl.UInt8, pl.UInt16):
        return pl.Int64
    return dtype


def direct_before(
    targets: pl.LazyFrame | pl.DataFrame,
    events: pl.LazyFrame | pl.DataFrame,
    *,
    by: str,
    at: str,
    sums: Sequence[str],
    latest: Sequence[str],
) -> pl.LazyFrame:
    """:func:`features._windows.cumulative_before` for a few targets (same values and dtypes)."""
    frame, rows = _collect(targets), _collect(events, by, at, *sums, *latest)
    index = _by_key(rows)
    out: dict[str, list] = {c: [] for c in (*sums, *latest)}
    for key, moment in _keys_and_moments(frame, by, at):
        seen = [] if moment is None else [r for r in index.get(key, ()) if r[0] < moment]
        for i, column in enumerate(sums, start=1):
            out[column].append(sum(r[i] for r in seen if r[i] is not None))
        for i, column in enumerate(latest, start=1 + len(sums)):
            known = [(r[0], r[i]) for r in seen if r[i] is not None]
            out[column].append(max(known)[1] if known else None)
    schema = {c: _sum_dtype(rows.schema[c]) for c in sums} | {c: rows.schema[c] for c in latest}
    return frame.hstack(pl.DataFrame(out, schema=schema).get_columns()).lazy()


def direct_window(
    targets: pl.LazyFrame,
    pool: pl.LazyFrame,
    *,
    by: str,
    at: str,
    days: int,
    name: str,
    value: str | None = None,
) -> pl.LazyFrame:
    """Trailing-window counts of pool rows sharing ``by`` in ``[at - days, at)``.

    Counts rows (``value`` None) or distinct non-null ``value`` among them, as
    :func:`features._windows.window_count` and ``window_distinct`` do: ``Int32``,
    null where the target's key is null.
    """
    columns = (by, at) if value is None else (by, at, value)
    frame, rows = _collect(targets), _collect(pool, *columns)
    counts = _window_counts(frame, rows, by=by, at=at, days=days, value=value)
    return frame.hstack([pl.Series(name, counts, dtype=pl.Int32)]).lazy()


def direct_counts(
    targets: pl.LazyFrame, pool: pl.LazyFrame, *, keys: dict[str, str], at: str, days: int
) -> pl.DataFrame:
    """Several :func:`direct_window` row counts over one collected pool.

    ``keys`` maps each output column to the key it counts on; one ``Int32``
    column per entry, in the targets' order.
    """
    frame = _collect(targets, *set(keys.values()), at)
    rows = _collect(pool, *set(keys.values()), at)
    return pl.DataFrame([
        pl.Series(name, _window_counts(frame, _collect(rows, by, at), by=by, at=at, days=days),
                  dtype=pl.Int32)
        for name, by in keys.items()
    ])  # fmt: skip


def _window_counts(
    frame: pl.DataFrame, rows: pl.DataFrame, *, by: str, at: str, days: int,
    value: str | None = None,
) -> list[int | None]:  # fmt: skip
    index = _by_key(rows)
    window = timedelta(days=days)
    count: Callable[[list[tuple]], int] = (
        len if value is None else lambda seen: len({r[1] for r in seen if r[1] is not None})
    )
    counts: list[int | None] = []
    for key, moment in _keys_and_moments(frame, by, at):
        if key is None:
            counts.append(None)
            continue
        start = None if moment is None else moment - window
        seen = [] if moment is None else [
            r for r in index.get(key, ()) if start <= r[0] < moment
        ]  # fmt: skip
        counts.append(count(seen))
    return counts
