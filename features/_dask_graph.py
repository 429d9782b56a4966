"""The task graph of the Dask features: keyed shuffles into buckets, one task a bucket.

Each key of :data:`features._facts_dask.PIECES` is a *group*: its pieces read the
applications and their tables bucketed by the same hash of that key.  A bucket's
task runs every group of a round (each over its own rows: one group's bucket holds
the applications whose applicant hashes there, another's those whose phone does),
so the graph has one task per bucket and round rather than one per bucket and key.
Only the application columns a group reads are shuffled; a history table is read
once, in chunks of whole parts, and split on its key once for every group reading it.
A round's outputs go back to the partition each application came from (``__part``,
``__row``); a group reading another piece's output (``after``) runs in the next
round, on that output re-bucketed on its own key.

Dask is not imported here: the functions below run inside tasks on polars frames.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from risk.contract import ALL_TABLES
from risk.io import RawTables
from risk.settings import Settings

from ._facts import FACTS
from ._facts_dask import PIECES, Piece
from ._sources import DAY, Sources, submitted_day

__all__ = [
    "HISTORY",
    "Group",
    "chunks",
    "history_columns",
    "plan",
    "run_round",
    "split",
    "split_history",
    "split_targets",
    "table_keys",
]

PART, ROW = "__part", "__row"
_BUCKET = "__bucket"
#: The history tables the pieces read, as :class:`risk.io.RawTables` names them.
HISTORY = ("documents", "travel_history", "prior_decisions", "sponsors")
#: Application columns every group carries (the history facts count before the day).
_ALWAYS = ("submitted_at", DAY)


@dataclass(frozen=True)
class Group:
    """Pieces computed in the same buckets: one key, and the piece they read after.

    ``columns`` are the application columns shuffled for them (and for the groups of
    the next round reading their output); ``tables`` maps each history table they
    read to its key column.
    """

    name: str
    key: str
    pieces: tuple[Piece, ...]
    columns: tuple[str, ...]
    tables: tuple[tuple[str, str], ...]
    after: str | None = None

    @property
    def outputs(self) -> tuple[str, ...]:
        """The columns the group's pieces add."""
        return tuple(c for p in self.pieces for c in p.columns)


def _needs(pieces: Sequence[Piece]) -> set[str]:
    return {c for p in pieces for c in (p.key, *p.reads)}


def plan(pieces: Sequence[Piece] = PIECES) -> list[tuple[Group, ...]]:
    """The groups of ``pieces``, by round: a group reading another's output runs after it."""
    by_key: dict[tuple[str, str | None], list[Piece]] = defaultdict(list)
    for piece in pieces:
        by_key[(piece.key, piece.after)].append(piece)
    level: dict[str, int] = {}
    rounds: list[list[Group]] = []
    for (key, after), members in by_key.items():
        later = [p for p in pieces if p.after in {m.name for m in members}]
        columns = sorted(_needs(members) | _needs(later) | set(_ALWAYS))
        tables = sorted({(t, c) for p in members for t, c in p.tables.items()})
        name = key if after is None else f"{key}<{after}"
        depth = 0 if after is None else level[after] + 1  # ``after`` is listed first
        for member in members:
            level[member.name] = depth
        rounds.extend([] for _ in range(depth + 1 - len(rounds)))
        rounds[depth].append(Group(name, key, tuple(members), tuple(columns), tuple(tables), after))
    return [tuple(r) for r in rounds]


def table_keys(rounds: Sequence[Sequence[Group]]) -> dict[str, str]:
    """Each history table read and the one key column it is bucketed on."""
    keys: dict[str, str] = {}
    for group in (g for r in rounds for g in r):
        for table, column in group.tables:
            if keys.setdefault(table, column) != column:  # pragma: no cover - a wiring error
                raise ValueError(f"{table} is read on two keys: {keys[table]} and {column}")
    return keys


def chunks(slices: Sequence, limit: int) -> list[tuple]:
    """Consecutive slices grouped so each group's uncompressed size stays within ``limit``."""
    out: list[list] = [[]]
    size = 0
    for piece in slices:
        if out[-1] and size + piece.nbytes > limit:
            out.append([])
            size = 0
        out[-1].append(piece)
        size += piece.nbytes
    return [tuple(c) for c in out]


def _bucket(frame: pl.DataFrame, key: str, buckets: int) -> pl.Expr:
    hashed = (pl.col(key).hash(seed=20) % buckets).cast(pl.Int64)
    if PART not in frame.columns:
        return hashed
    # a null key matches no other application: spread those rows evenly
    spread = (pl.col(PART).cast(pl.Int64) + pl.col(ROW)) % buckets
    return pl.when(pl.col(key).is_null()).then(spread).otherwise(hashed)


def _by(frame: pl.DataFrame, column: str, expr: pl.Expr, n: int) -> list[pl.DataFrame]:
    found = frame.with_columns(expr.alias(column)).partition_by(
        column, as_dict=True, include_key=False, maintain_order=True
    )
    none = frame.head(0)
    return [found.get((i,), none) for i in range(n)]


def split(frame: pl.DataFrame, key: str, buckets: int) -> list[pl.DataFrame]:
    """Rows of ``frame`` by hash of ``key`` into ``buckets`` frames, order kept.

    An application with a null key goes to a bucket by its position; a history row
    with a null key matches no application and is dropped.
    """
    if PART not in frame.columns:
        frame = frame.filter(pl.col(key).is_not_null())
    return _by(frame, _BUCKET, _bucket(frame, key, buckets), buckets)


def split_targets(
    slice_, index: int, groups: tuple[Group, ...], buckets: int
) -> tuple[dict[str, pl.DataFrame], ...]:
    """One application partition, per bucket: each group's columns of its rows there."""
    read = sorted({c for g in groups for c in g.columns} - {DAY})  # only these are decoded
    frame = slice_.read("applications", read).with_columns(
        submitted_day(),
        pl.lit(index, pl.Int32).alias(PART),
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW),
    )
    per = {g.name: split(frame.select(PART, ROW, *g.columns), g.key, buckets) for g in groups}
    return tuple({name: frames[b] for name, frames in per.items()} for b in range(buckets))


def history_columns(table: str, key: str) -> list[str]:
    """The columns of a history table some fact reads (and ``key``), in the table's order."""
    reads = {c for fact in FACTS for columns in fact.reads.values() for c in columns}
    return [c for c in ALL_TABLES[table].names if c in reads or c == key]


def split_history(slices: tuple, table: str, key: str, buckets: int) -> list[pl.DataFrame]:
    """A chunk of a history table's parts, read once and split by hash of ``key``.

    Only the columns some fact reads are decoded and shuffled.
    """
    columns = history_columns(table, key)
    frame = pl.concat([s.read(table, columns) for s in slices], how="vertical")
    return split(frame, key, buckets)


def _run_group(
    group: Group,
    targets: list[pl.DataFrame],
    tables: dict[str, list[pl.DataFrame]],
    empty: dict[str, pl.DataFrame],
    settings: Settings,
) -> pl.DataFrame:
    frame = pl.concat(targets, how="vertical")
    history = {t: pl.concat(tables[t], how="vertical") if t in tables else empty[t]
               for t in HISTORY}  # fmt: skip
    raw = RawTables(
        applications=frame.lazy(), documents=history["documents"].lazy(),
        travel_history=history["travel_history"].lazy(),
        prior_decisions=history["prior_decisions"].lazy(), sponsors=history["sponsors"].lazy(),
        outcomes=pl.LazyFrame(),
    )  # fmt: skip
    src = Sources(targets=frame.lazy(), documents=raw.documents, history=raw)
    plans = [p.compute(src, settings) for p in group.pieces]
    if frame.height == 0:  # an empty bucket: no need to optimise the plans (the MRZ's is big)
        outputs = [pl.DataFrame(schema=p.collect_schema()) for p in plans]
    else:
        outputs = pl.collect_all(plans)
    return pl.concat([frame, *outputs], how="horizontal")


def run_round(
    groups: tuple[Group, ...],
    targets: list[dict[str, pl.DataFrame]],
    tables: dict[str, list[pl.DataFrame]],
    empty: dict[str, pl.DataFrame],
    settings: Settings,
    parts: int,
    after: tuple[Group, ...] = (),
    buckets: int = 0,
) -> tuple[dict[str, pl.DataFrame], ...]:
    """Every group of a round over one bucket.

    Parameters
    ----------
    targets
        Per source (partition or earlier bucket): group name -> its rows in this bucket.
    tables
        History table -> its chunks' rows in this bucket.
    after
        The next round's groups: the outputs they read are split for them too.

    Returns
    -------
    tuple of dict
        ``parts`` dicts (per partition: group name -> ``__row`` and its outputs), then
        ``buckets`` dicts (per next-round bucket: group name -> its targets).
    """
    back: list[dict[str, pl.DataFrame]] = [{} for _ in range(parts)]
    ahead: list[dict[str, pl.DataFrame]] = [{} for _ in range(buckets if after else 0)]
    for group in groups:
        out = _run_group(group, [t[group.name] for t in targets], tables, empty, settings)
        mine = out.select(PART, ROW, *group.outputs)
        for p, frame in enumerate(_by(mine, "__p", pl.col(PART), parts)):
            back[p][group.name] = frame.drop(PART)
        names = {p.name for p in group.pieces}
        for later in (g for g in after if g.after in names):
            read = next(p for p in group.pieces if p.name == later.after).columns
            cut = split(out.select(PART, ROW, *later.columns, *read), later.key, buckets)
            for b, frame in enumerate(cut):
                ahead[b][later.name] = frame
    return (*back, *ahead)
