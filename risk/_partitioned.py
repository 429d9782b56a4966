"""Partitioned Parquet: a table stored as a folder of hive-style parts.

A partitioned table is a folder such as ``applications/month=2024-03/part-0.parquet``.
Readers find every ``*.parquet`` below the folder in sorted path order (so the rows come
back in partition order), refuse a part whose schema differs from the first one and name
both files, and drop hive keys that are only layout (``month``) rather than data.
Writers produce the same bytes for the same frame and move the finished folder into
place, so a reader never sees half a table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from risk.errors import DataFileError

__all__ = [
    "PART_NAME",
    "is_partitioned",
    "partition_files",
    "replace_folder",
    "scan_parquet_path",
    "write_partitioned",
]

#: The file name of each part written by :func:`write_partitioned`.
PART_NAME = "part-0.parquet"
#: Hive's name for the partition of null keys.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def is_partitioned(path: Path) -> bool:
    """Whether ``path`` is a folder holding at least one ``*.parquet`` part (at any depth)."""
    path = Path(path)
    return path.is_dir() and next(path.rglob("*.parquet"), None) is not None


def partition_files(path: Path) -> list[Path]:
    """Every visible ``*.parquet`` part below ``path``, in sorted path order.

    Files and folders whose names start with ``.`` or ``_`` are skipped (temporary
    parts and markers such as ``_SUCCESS``), as Hive and Spark do.

    Raises
    ------
    DataFileError
        If the folder holds no part.
    """
    path = Path(path)
    parts = sorted(
        p for p in path.rglob("*.parquet")
        if not any(s.startswith((".", "_")) for s in p.relative_to(path).parts)
    )  # fmt: skip
    if not parts:
        raise DataFileError(f"{path}: partitioned table holds no *.parquet part")
    return parts


def _hive_keys(path: Path, part: Path) -> dict[str, str]:
    pairs = (s.split("=", 1) for s in part.relative_to(path).parts[:-1] if "=" in s)
    return dict(pairs)


def _check_schemas(path: Path, parts: list[Path]) -> pl.Schema:
    """The parts' common schema; a differing part is named with its differences."""
    schemas = []
    for part in parts:
        try:
            schemas.append(pl.read_parquet_schema(part))
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise DataFileError(f"cannot read Parquet part {part}: {exc}") from exc
    first = schemas[0]
    for part, schema in zip(parts[1:], schemas[1:], strict=True):
        if schema != first:
            diff = sorted(
                f"{c}: {first.get(c)} vs {schema.get(c)}"
                for c in set(first) | set(schema) if first.get(c) != schema.get(c)
            )  # fmt: skip
            raise DataFileError(
                f"{path}: partition schemas differ: {part} does not match {parts[0]}"
                f" ({'; '.join(diff) or 'column order differs'})",
                detail={"table": str(path), "part": str(part), "first": str(parts[0]),
                        "columns": diff},
            )  # fmt: skip
    return first


def scan_parquet_path(path: Path, *, keep_keys: Iterable[str] = ()) -> pl.LazyFrame:
    """A Parquet file or a partitioned folder as one LazyFrame.

    Parameters
    ----------
    path
        A ``.parquet`` file, or a folder of parts (see :func:`partition_files`).
    keep_keys
        Hive keys to keep as columns (as text) when the parts do not hold them; other
        keys are layout only and dropped.

    Raises
    ------
    DataFileError
        If the file or a part is unreadable, or the parts' schemas differ.
    """
    path = Path(path)
    if not path.is_dir():
        try:
            pl.read_parquet_schema(path)  # a bad footer fails here, not at collect time
            return pl.scan_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise DataFileError(f"cannot read Parquet file {path}: {exc}") from exc
    parts = partition_files(path)
    schema = _check_schemas(path, parts)
    keep = [k for k in keep_keys if k not in schema and k in _hive_keys(path, parts[0])]
    frames = []
    for part in parts:  # hive values as text: the contract's caster types them
        keys = _hive_keys(path, part)
        values = [pl.lit(None if keys.get(k) == NULL_PARTITION else keys.get(k),
                         pl.String).alias(k) for k in keep]  # fmt: skip
        frames.append(pl.scan_parquet(part).with_columns(values))
    return pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]


def write_partitioned(
    df: pl.DataFrame, folder: Path, *, key: pl.Expr | pl.Series, name: str
) -> list[Path]:
    """Write ``df`` as hive-style parts ``folder/NAME=VALUE/part-0.parquet``.

    Rows keep their order within each part; parts are written in sorted key order and
    the key is not stored in the files (it is layout: the path holds it).  The same
    frame always gives the same bytes.  The folder is built beside its destination
    and moved into place (an existing folder is replaced).

    Returns
    -------
    list of Path
        The parts written, in sorted order.
    """
    folder = Path(folder)
    keyed = df.with_columns(key.cast(pl.String).fill_null(NULL_PARTITION).alias("__key"))
    groups = keyed.partition_by("__key", maintain_order=True, as_dict=True)
    if not groups:  # an empty table is one empty part, so readers still see its schema
        groups = {(NULL_PARTITION,): keyed}
    written = []
    with replace_folder(folder) as tmp:
        for (value,), part in sorted(groups.items()):
            target = tmp / f"{name}={value}" / PART_NAME
            target.parent.mkdir(parents=True)
            part.drop("__key").write_parquet(target, compression="zstd", statistics=True)
            written.append(folder / target.relative_to(tmp))
    return written


class replace_folder:
    """Build a folder beside ``folder`` and move it into place only on success.

    Inside the ``with`` block the caller writes into the yielded temporary folder.  On
    success an existing ``folder`` is replaced by it; on any error the temporary folder
    is removed and ``folder`` is left as it was, so a failed job never leaves output that
    looks complete.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.folder.name}.", dir=self.folder.parent))
        return self.tmp

    def __exit__(self, kind, exc, tb) -> None:
        assert self.tmp is not None
        if kind is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        old = None
        if self.folder.exists():
            old = self.folder.with_name(f".{self.folder.name}.old-{os.getpid()}")
            os.replace(self.folder, old)
        os.replace(self.tmp, self.folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
