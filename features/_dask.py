"""Features on Dask: keyed shuffles of polars partitions, then the same derivations.

The applications are read in partitions (one per Parquet part, long parts in row
slices).  For each key of :data:`features._facts_dask.PIECES` the partitions and the
tables read with that key are hash-split into buckets (all-to-all, as Dask's task
shuffle does), each bucket runs the pieces' polars batch forms, and the results are
split back to the partition each application came from (the graph:
:mod:`features._dask_graph`).  Each partition then runs the catalogue's derivations
over its facts exactly as :func:`features.build_features` does, so the values are
those of one machine, row for row, in the applications' order.

Every task holds polars frames; nothing is converted to pandas.  Dask is imported only
here, and this module only when the Dask engine is chosen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from risk.engine import gather, worker_memory, write_part
from risk.errors import DataFileError, EngineError
from risk.io import (
    is_partitioned,
    partition_files,
    replace_folder,
    scan_parquet_path,
    scan_table,
    table_path,
)
from risk.settings import Settings, get_settings

from ._catalogue import catalogue
from ._dask_graph import (
    HISTORY,
    ROW,
    chunks,
    plan,
    run_round,
    split_history,
    split_targets,
    table_keys,
)
from ._facts import FACTS
from ._facts_dask import LOCAL_FACTS
from ._sources import Sources, submitted_day

__all__ = [
    "MEMORY_FACTOR",
    "InputSlice",
    "check_memory",
    "feature_partitions",
    "input_slices",
    "path_slices",
    "write_features_dask",
]


@dataclass(frozen=True)
class InputSlice:
    """One input partition: rows ``[offset, offset + length)`` of a Parquet part or table.

    ``nbytes`` is the slice's uncompressed size as its Parquet footer states it.
    """

    root: str
    file: str
    offset: int
    length: int
    name: str
    nbytes: int = 0

    def read(self, table: str | None = None, columns: Sequence[str] = ()) -> pl.DataFrame:
        """The slice's rows (hive keys that are contract columns of ``table`` kept, as text);
        only ``columns`` when given (the others are not decoded)."""
        from risk.contract import ALL_TABLES

        root, file = Path(self.root), Path(self.file)
        keep = ALL_TABLES[table].names if table in ALL_TABLES else []
        if file.suffix == ".csv":
            frame = scan_table(file.parent, table) if table else pl.scan_csv(file)
        elif root.is_dir():
            frame = _one_part(root, file, keep)
        else:
            frame = pl.scan_parquet(file)
        if columns:
            frame = frame.select(columns)
        return frame.slice(self.offset, self.length).collect()


def _one_part(root: Path, file: Path, keep: list[str]) -> pl.LazyFrame:
    keys = dict(s.split("=", 1) for s in file.relative_to(root).parts[:-1] if "=" in s)
    frame = pl.scan_parquet(file)
    names = frame.collect_schema().names()
    extra = [pl.lit(keys[k], pl.String).alias(k) for k in keep if k in keys and k not in names]
    return frame.with_columns(extra)


def input_slices(data_dir: Path, table: str, partition_rows: int) -> list[InputSlice]:
    """The input partitions of ``table`` in ``data_dir``, in row order.

    Raises
    ------
    DataFileError
        If the table is missing or unreadable, or a partitioned table's parts differ
        in schema (the driver checks every footer before any task runs).
    """
    scan_table(data_dir, table)  # footers and partition schemas are checked here
    path = table_path(data_dir, table)
    if path.suffix == ".csv":
        rows = scan_table(data_dir, table).select(pl.len()).collect().item()
        return [InputSlice(str(path), str(path), 0, rows, "part-0")]
    return path_slices(path, partition_rows)


def path_slices(path: Path, partition_rows: int) -> list[InputSlice]:
    """The input partitions of a Parquet file or a folder of parts, in row order."""
    path = Path(path)
    scan_parquet_path(path)  # footers and part schemas are checked here
    files = partition_files(path) if is_partitioned(path) else [path]
    import pyarrow.parquet as pq

    slices = []
    for file in files:
        meta = pq.ParquetFile(file).metadata
        rows = meta.num_rows
        size = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        stem = file.relative_to(path).with_suffix("").as_posix() if path.is_dir() else "part"
        for k, start in enumerate(range(0, max(rows, 1), partition_rows)):
            name = stem if rows <= partition_rows else f"{stem}-{k}"
            share = min(partition_rows, rows - start) / rows if rows else 0.0
            slices.append(InputSlice(str(path), str(file), start, partition_rows, name,
                                     int(size * share)))  # fmt: skip
    if not slices:
        raise DataFileError(f"{path}: no rows to read")
    return slices


#: Working memory of one task as a multiple of its applications' uncompressed Parquet
#: size (their history, the facts, the derivations and the copies a task holds).  An
#: estimate, not a calibration: it only refuses what cannot fit; in the 2M benchmark run
#: the workers peaked at 3.72 GiB of 4 GiB while Dask spilled the shuffle to disk.
MEMORY_FACTOR = 12


def check_memory(slices: list[InputSlice], limit: int | None, buckets: int = 1) -> None:
    """Refuse a job whose largest partition or shuffle bucket cannot fit a worker.

    A bucket holds about ``1/buckets`` of the applications (and of their history).

    Raises
    ------
    EngineError
        Naming the partition (or the bucket), its estimated need and the worker's limit.
    """
    if not limit or not slices:
        return
    big = max(slices, key=lambda s: s.nbytes)
    bucket = sum(s.nbytes for s in slices) / buckets
    if bucket > big.nbytes and bucket * MEMORY_FACTOR > limit:
        raise EngineError(
            f"a shuffle bucket (1/{buckets} of the applications) needs about"
            f" {bucket * MEMORY_FACTOR / 2**30:.2f} GiB of worker memory but a worker holds"
            f" {limit / 2**30:.2f} GiB: raise RISK_ENGINE__BUCKETS or"
            " RISK_ENGINE__WORKER_MEMORY",
            detail={"buckets": buckets, "need": bucket * MEMORY_FACTOR, "worker_memory": limit},
        )
    need = big.nbytes * MEMORY_FACTOR
    if need > limit:
        raise EngineError(
            f"partition {big.name} of {big.root} needs about {need / 2**30:.2f} GiB of worker"
            f" memory ({MEMORY_FACTOR} x its {big.nbytes / 2**20:.1f} MiB of uncompressed"
            f" Parquet) but a worker holds {limit / 2**30:.2f} GiB: raise"
            " RISK_ENGINE__WORKER_MEMORY, lower RISK_ENGINE__PARTITION_ROWS (now"
            f" {big.length:,} rows), or write the world with --partition-by month",
            detail={"partition": big.name, "need": need, "worker_memory": limit},
        )


def write_features_dask(
    client: Any, data_dir: Path, out: Path, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Compute the features of a world on Dask and write them as a folder of parts.

    Parameters
    ----------
    client
        A ``distributed.Client`` (see :func:`risk.engine.dask_client`).
    data_dir
        The world (files or partitioned folders).
    out
        The folder to write: one part per input partition, named after it
        (``month=2024-03/part-0.parquet``).  It is built beside its destination and
        moved into place when every part is written; a failed job leaves no folder.
    settings
        Default :func:`risk.settings.get_settings`.

    Returns
    -------
    dict
        ``rows``, ``parts`` and ``nulls`` (per column).
    """
    settings = settings or get_settings()
    with replace_folder(Path(out)) as tmp:
        parts = feature_partitions(client, data_dir, settings)
        written = [client.submit(write_part, frame, str(tmp), piece.name, pure=False)
                   for piece, frame in parts]  # fmt: skip
        done = gather(client, written, what=f"features of {len(parts)} partitions")
    nulls: dict[str, int] = defaultdict(int)
    for part in done:
        for column, count in part["nulls"].items():
            nulls[column] += count
    return {"rows": sum(p["rows"] for p in done), "parts": len(done), "nulls": dict(nulls)}


def _assemble(
    piece: InputSlice, index: int, results: list[dict[str, pl.DataFrame]], settings: Settings
) -> pl.DataFrame:
    """One partition's features from its groups' buckets (in the partition's row order)."""
    from ._pipeline import assemble

    targets = piece.read("applications").with_columns(submitted_day())
    found: dict[str, list[pl.DataFrame]] = defaultdict(list)
    for result in results:
        for name, frame in result.items():
            found[name].append(frame)
    columns: dict[str, list[pl.DataFrame]] = defaultdict(list)
    for group in (g for r in plan() for g in r):
        rows = pl.concat(found[group.name], how="vertical").sort(ROW)
        if rows.height != targets.height:  # every application is in exactly one bucket
            raise DataFileError(f"{piece.name}: {group.name} returned {rows.height} rows")
        for spec in group.pieces:
            columns[spec.fact].append(rows.select(spec.columns))
    done: dict[str, pl.LazyFrame] = {}
    for fact in FACTS:
        if fact.name in columns:
            done[fact.name] = (
                pl.concat(columns[fact.name], how="horizontal").select(fact.columns).lazy()
            )
    src = Sources(targets=targets.lazy(), documents=pl.LazyFrame(),
                  history=None)  # type: ignore[arg-type]  # fmt: skip
    for fact in LOCAL_FACTS:
        done[fact.name] = fact.batch(src, settings)
    return assemble(src, settings, catalogue(), done).collect()


def default_buckets(client: Any, slices: list[InputSlice], settings: Settings) -> int:
    """Buckets of each shuffle: the setting, else two per worker (so no worker waits on
    one long bucket) and at least one per ``partition_rows`` applications (a bucket's
    memory follows its share of the world)."""
    if settings.engine.buckets:
        return settings.engine.buckets
    workers = max(1, len(client.scheduler_info()["workers"]))
    rows = sum(min(s.length, _rows_of(s)) for s in slices)
    return max(2 * workers, -(-rows // settings.engine.partition_rows))


def _rows_of(piece: InputSlice) -> int:
    import pyarrow.parquet as pq

    if piece.file.endswith(".csv"):
        return piece.length
    return max(0, pq.ParquetFile(piece.file).metadata.num_rows - piece.offset)


def feature_partitions(
    client: Any, data_dir: Path, settings: Settings, *, buckets: int | None = None
) -> list[tuple[InputSlice, Any]]:
    """Feature frames as futures, one per input partition of the applications, in order.

    Parameters
    ----------
    client
        A ``distributed.Client``; the tasks are submitted to it.
    data_dir
        The world: contract tables as files or partitioned folders.
    settings
        Windows, partition size.
    buckets
        Hash buckets of each keyed shuffle; default :func:`default_buckets`.

    Returns
    -------
    list of (InputSlice, distributed.Future)
        Each partition and its features (the columns and values of
        :func:`features.build_features` for those applications).
    """
    data_dir = Path(data_dir)
    rows = settings.engine.partition_rows
    apps = input_slices(data_dir, "applications", rows)
    rounds = plan()
    keys = table_keys(rounds)
    history = {t: input_slices(data_dir, t, rows) for t in keys}
    empty = {t: scan_table(data_dir, t).head(0).collect() for t in HISTORY}
    buckets = buckets or default_buckets(client, apps, settings)
    check_memory(apps, worker_memory(client), buckets)
    submit = _Submit(client)
    # small history parts are read together, no more at once than one application partition
    limit = max(s.nbytes for s in apps)
    tables = {}
    for table, key in keys.items():
        cut = [submit.split(split_history, buckets, c, table, key, buckets)
               for c in chunks(history[table], limit)]  # fmt: skip
        tables[table] = [[c[b] for c in cut] for b in range(buckets)]
    inputs = [submit.split(split_targets, buckets, s, i, rounds[0], buckets)
              for i, s in enumerate(apps)]  # fmt: skip
    backs = []
    for r, groups in enumerate(rounds):
        after = rounds[r + 1] if r + 1 < len(rounds) else ()
        mine = {t: tables[t] for g in groups for t, _ in g.tables}
        done = [
            submit.split(run_round, len(apps) + (buckets if after else 0), groups,
                         [source[b] for source in inputs], {t: v[b] for t, v in mine.items()},
                         empty, settings, len(apps), after, buckets)
            for b in range(buckets)
        ]  # fmt: skip
        backs.extend(d[: len(apps)] for d in done)
        inputs = [d[len(apps) :] for d in done]
    return [(piece, submit(_assemble, piece, i, [b[i] for b in backs], settings))
            for i, piece in enumerate(apps)]  # fmt: skip


class _Submit:
    """``client.submit`` for one job: impure keys, and a task per output of a split."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, fn, *args) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def split(self, fn, n: int, *args) -> list[Any]:
        whole = self(fn, *args)
        return [self(_item, whole, i) for i in range(n)]


def _item(values: tuple, index: int) -> Any:
    return values[index]
