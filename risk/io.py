"""Read and write the contract's tables: one file per table, Parquet or CSV.

Parquet is read as it is (validation checks its types), from one file or from a
partitioned folder (``NAME/month=2024-03/part-0.parquet``, see :mod:`risk._partitioned`);
CSV is read as text and cast
to the contract's types cell by cell, so a cell that does not parse is reported with
its file, row, column and value (:class:`risk.errors.DataContractError`) rather than
failing deep inside polars.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from risk._partitioned import (
    is_partitioned,
    partition_files,
    replace_folder,
    scan_parquet_path,
    write_partitioned,
)
from risk._validation._csv import cast_text, read_text
from risk._validation._problem import Collector
from risk.contract import ALL_TABLES, Table
from risk.errors import DataContractError, DataFileError

__all__ = [
    "SUFFIXES",
    "RawTables",
    "is_partitioned",
    "key_expr",
    "load_tables",
    "partition_files",
    "replace_folder",
    "scan_parquet_path",
    "scan_table",
    "table_path",
    "write_partitioned",
    "write_table",
]

#: File suffixes tried for each table, in order of preference.
SUFFIXES = (".parquet", ".csv")


def table_path(data_dir: Path, name: str) -> Path:
    """Where table ``name`` is in ``data_dir``: ``NAME.parquet``, ``NAME.csv`` or ``NAME/``.

    ``NAME/`` is a partitioned table: a folder of Parquet parts.

    Raises
    ------
    DataFileError
        If none exists; the message names the directory and the names tried.
    """
    data_dir = Path(data_dir)
    tried = [f"{name}{suffix}" for suffix in SUFFIXES]
    for candidate in tried:
        if (data_dir / candidate).is_file():
            return data_dir / candidate
    if is_partitioned(data_dir / name):
        return data_dir / name
    tried.append(f"{name}/ (Parquet parts)")
    where = "does not exist" if not data_dir.is_dir() else f"has neither {' nor '.join(tried)}"
    raise DataFileError(f"table {name!r} not found: directory {data_dir} {where}")


def key_expr(table: Table, columns: list[str]) -> pl.Expr | None:
    """The row key as text (``/``-joined), or None if a key column is absent."""
    if not all(k in columns for k in table.key):
        return None
    return pl.concat_str([pl.col(k).cast(pl.String) for k in table.key], separator="/")


def read_csv_table(
    path: Path, table: Table, collector: Collector
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read a CSV table: (text frame, frame cast to the contract); bad cells go to ``collector``."""
    raw = read_text(path)
    cast = cast_text(raw, table, path, collector, key_expr(table, raw.columns))
    return raw, cast


def scan_table(data_dir: Path, name: str, *, table: Table | None = None) -> pl.LazyFrame:
    """A contract table as a LazyFrame.

    Parameters
    ----------
    data_dir
        Directory holding one file per table.
    name
        Table name; its file is found by :func:`table_path`.
    table
        The declaration to cast CSV columns with; defaults to the contract's table of
        that name.  Undeclared CSV columns stay text; absent columns stay absent (the
        validator reports them).

    Returns
    -------
    pl.LazyFrame
        Parquet is scanned lazily as stored; a partitioned folder's parts in sorted
        path order (hive keys that are contract columns kept, as text).  CSV is read
        eagerly as text, cast to the declared types, and returned lazy.

    Raises
    ------
    DataFileError
        If the file is missing or unreadable, or a partitioned table's parts have
        different schemas (both parts are named).
    DataContractError
        If CSV cells do not parse as their declared type.  Each problem names the file,
        the row (1-based data row: the header line is not counted, so row 1 is the
        file's second line), the column, the bad value and the rule.
    """
    path = table_path(data_dir, name)
    table = table or ALL_TABLES.get(name)
    if path.suffix == ".parquet" or path.is_dir():
        return scan_parquet_path(path, keep_keys=table.names if table else ())
    if table is None:
        return read_text(path).lazy()
    collector = Collector(cap=20)
    _, cast = read_csv_table(path, table, collector)
    if collector.counts:
        total = sum(collector.counts.values())
        first = collector.problems[0]
        raise DataContractError(
            f"{path}: {total} cell(s) do not parse; first: row {first.row}, column"
            f" {first.column!r}, value {first.value!r}: {first.rule}",
            problems=collector.problems,
        )
    return cast.lazy()


@dataclass(frozen=True)
class RawTables:
    """The six contract tables as LazyFrames, and the synthetic world's ``truth`` if loaded."""

    applications: pl.LazyFrame
    documents: pl.LazyFrame
    travel_history: pl.LazyFrame
    prior_decisions: pl.LazyFrame
    sponsors: pl.LazyFrame
    outcomes: pl.LazyFrame
    truth: pl.LazyFrame | None = None


def load_tables(data_dir: Path, *, include_truth: bool = False) -> RawTables:
    """Scan every contract table in ``data_dir`` (see :func:`scan_table`).

    ``include_truth`` also loads the synthetic world's ``truth`` table (evaluation
    only); it is an error if it is absent then.
    """
    names = [
        "applications",
        "documents",
        "travel_history",
        "prior_decisions",
        "sponsors",
        "outcomes",
    ]
    frames = {n: scan_table(data_dir, n) for n in names}
    truth = scan_table(data_dir, "truth") if include_truth else None
    return RawTables(**frames, truth=truth)


def write_table(df: pl.DataFrame, path: Path) -> Path:
    """Write ``df`` to ``path``: Parquet (zstd, statistics) or CSV, by the suffix.

    The same frame always gives the same bytes.  The file is written beside its
    destination and moved into place, so readers never see half a file.

    Raises
    ------
    DataFileError
        If the suffix is neither ``.parquet`` nor ``.csv``.
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise DataFileError(f"cannot write {path}: the suffix must be .parquet or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            df.write_parquet(tmp, compression="zstd", statistics=True)
        else:
            df.write_csv(tmp, datetime_format="%Y-%m-%dT%H:%M:%S%.6f", date_format="%Y-%m-%d")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
