"""Batch scoring: score, band, flag and reasons for many cases, written chunk by chunk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from models._bundle import Bundle
from risk.errors import ConfigError, DataFileError
from risk.text import listing

__all__ = ["EXPLAIN_CHOICES", "batch_input", "score_batch"]

EXPLAIN_CHOICES = ("all", "flagged", "none")
Progress = Callable[[int, int], None]


def batch_input(bundle: Bundle, data: str | Path) -> pl.LazyFrame:
    """The rows to score: features built from contract tables in a folder, or a table file.

    A folder of contract tables is run through the feature pipeline (a bundle trained
    on the world needs it); a ``.csv`` or ``.parquet`` file, or a folder of Parquet
    parts, is read as a ready feature table (a bundle trained through a dataset spec).
    """
    from risk.io import is_partitioned, load_tables, scan_parquet_path, table_path

    path = Path(data)
    if path.is_dir():
        try:
            table_path(path, "applications")
        except DataFileError:
            if is_partitioned(path):
                return scan_parquet_path(path)
            raise
        import features

        return features.build_features(load_tables(path))
    if not path.is_file():
        raise DataFileError(f"batch input {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pl.scan_parquet(path)
    if suffix == ".csv":
        return pl.scan_csv(path, infer_schema_length=10_000)
    raise DataFileError(f"batch input {path} must be a folder of tables, a .csv or a .parquet")


def score_batch(
    bundle: Bundle,
    rows: pl.LazyFrame | pl.DataFrame,
    out: str | Path,
    *,
    explain: Literal["all", "flagged", "none"] = "flagged",
    lang: str = "en",
    top: int = 3,
    chunk_size: int = 50_000,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Score ``rows`` in chunks and write ``id, score, band, flag, reasons`` to ``out``.

    Parameters
    ----------
    bundle
        The model bundle.
    rows
        Cases with the bundle's id column and features.
    out
        ``.parquet`` or ``.csv`` file to write.
    explain
        Whose reasons to write: ``all``, ``flagged`` (default) or ``none``.
    lang, top
        Language and number of reasons (raised and lowered each).
    chunk_size
        Rows per chunk.
    progress
        Called with ``(rows_done, rows_total)`` after each chunk.

    Returns
    -------
    dict
        ``rows``, ``flagged`` and ``out``.
    """
    if explain not in EXPLAIN_CHOICES:
        raise ConfigError(
            f"--explain must be {listing(EXPLAIN_CHOICES, conjunction='or')}, got {explain!r}"
        )
    out = Path(out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise DataFileError(f"batch output {out} must end in .parquet or .csv")
    id_col = bundle.meta.get("id_column", "application_id")
    frame = rows.collect() if isinstance(rows, pl.LazyFrame) else rows
    if id_col not in frame.columns:
        raise DataFileError(f"batch input lacks the id column {id_col!r}")
    if frame.height == 0:
        raise DataFileError("batch input has no rows to score")
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    flagged = 0
    try:
        for start in range(0, frame.height, chunk_size):
            chunk = frame.slice(start, chunk_size)
            result = _score_chunk(bundle, chunk, id_col, explain, lang, top)
            flagged += int(result["flag"].sum())
            writer.write(result)
            if progress:
                progress(min(start + chunk_size, frame.height), frame.height)
    finally:
        writer.close()
    return {"rows": frame.height, "flagged": flagged, "out": str(out)}


def _score_chunk(
    bundle: Bundle, chunk: pl.DataFrame, id_col: str, explain: str, lang: str, top: int
) -> pl.DataFrame:
    scores = bundle.score(chunk)
    raised = [None] * chunk.height
    lowered = [None] * chunk.height
    if explain != "none":
        idx = np.arange(chunk.height) if explain == "all" else np.flatnonzero(scores.flag)
        if idx.size:
            expl = bundle.explain(chunk[idx], top=top, lang=lang)
            for i, e in zip(idx.tolist(), expl, strict=True):
                raised[i] = "; ".join(r.text for r in e.raised)
                lowered[i] = "; ".join(r.text for r in e.lowered)
    return pl.DataFrame(
        {
            id_col: chunk[id_col],
            "score": scores.probability,
            "band": pl.Series(scores.band.tolist(), dtype=pl.String),
            "flag": scores.flag,
            "reasons_raised": pl.Series(raised, dtype=pl.String),
            "reasons_lowered": pl.Series(lowered, dtype=pl.String),
        }
    )


class _Writer:
    """Appends chunks to one Parquet or CSV file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._parquet = None
        self._first = True

    def write(self, chunk: pl.DataFrame) -> None:
        if self.path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            table = chunk.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._parquet.write_table(table)
        else:
            with self.path.open("w" if self._first else "a", encoding="utf-8") as fh:
                chunk.write_csv(fh, include_header=self._first)
        self._first = False

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
