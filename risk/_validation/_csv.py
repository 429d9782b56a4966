"""Read a contract table from CSV: everything as text first, then strict casts.

Casting cell by cell with ``strict=False`` and comparing nulls before and after finds
every cell that does not parse, so the problem can name its row, column and value
instead of surfacing as an opaque polars error.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from risk._validation._problem import Collector, Problem
from risk.contract import Table
from risk.errors import DataFileError

_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
)
_TRUE, _FALSE = ("true", "t", "1", "yes"), ("false", "f", "0", "no")


def type_rule(dtype: pl.DataType) -> str:
    """The words for a cell that does not parse as ``dtype``."""
    if dtype == pl.Date:
        return "not a date (YYYY-MM-DD)"
    if isinstance(dtype, pl.Datetime):
        return "not a datetime (ISO 8601, YYYY-MM-DDTHH:MM:SS[.ffffff])"
    if dtype == pl.Boolean:
        return "not a boolean (true/false)"
    if dtype.is_integer():
        return f"not an integer ({dtype})"
    if dtype.is_float():
        return "not a number"
    return f"not a {dtype}"


def parse_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    """Cast the text column ``name`` to ``dtype``; cells that do not parse become null."""
    text = pl.col(name).str.strip_chars()
    if dtype == pl.String:
        return pl.col(name)
    if dtype == pl.Date:
        return text.str.to_date("%Y-%m-%d", strict=False)
    if isinstance(dtype, pl.Datetime):
        tries = [
            text.str.to_datetime(f, time_unit=dtype.time_unit or "us", strict=False)
            for f in _DATETIME_FORMATS
        ]
        return pl.coalesce(tries).cast(dtype)
    if dtype == pl.Boolean:
        lower = text.str.to_lowercase()
        return (
            pl.when(lower.is_in(_TRUE))
            .then(pl.lit(True))
            .when(lower.is_in(_FALSE))
            .then(pl.lit(False))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
        )
    return text.cast(dtype, strict=False)


def read_text(path: Path) -> pl.DataFrame:
    """Every column of a CSV file as text (empty cells are null)."""
    try:
        return pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read CSV file {path}: {exc}") from exc


def cast_text(
    raw: pl.DataFrame, table: Table, path: Path, collector: Collector, key_expr: pl.Expr | None
) -> pl.DataFrame:
    """Cast the declared columns of ``raw``, recording each cell that does not parse."""
    declared = {c.name: c.dtype for c in table.columns if c.name in raw.columns}
    cast = raw.with_columns(parse_expr(n, d).alias(n) for n, d in declared.items())
    for name, dtype in declared.items():
        if dtype == pl.String:
            continue
        bad = raw[name].is_not_null() & cast[name].is_null()
        total = int(bad.sum())
        if not total:
            continue
        sample = raw.with_row_index("__row", offset=1).filter(bad).head(collector.cap)
        keys = sample.select(key_expr).to_series() if key_expr is not None else None
        problems = [
            Problem(
                table.name,
                str(path),
                row,
                None if keys is None else keys[i],
                name,
                value,
                type_rule(dtype),
            )
            for i, (row, value) in enumerate(zip(sample["__row"], sample[name], strict=True))
        ]
        collector.add_many(problems, total)
    return cast
