"""Run the contract's rules over frames and files, collecting every problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from risk._validation._problem import Collector, Problem
from risk._validation._rules import Check, column_checks, cross_checks, null_flag
from risk.contract import ALL_TABLES, TABLES, Table
from risk.errors import DataContractError, DataFileError
from risk.io import key_expr, read_csv_table, scan_parquet_path, table_path
from risk.text import plural

_ROW = "__row"
_KEY = "__key"
_VALUE = "__value"


@dataclass
class ValidationReport:
    """Everything :func:`validate_dir` found.

    Attributes
    ----------
    problems
        A sample of the problems: at most ``max_per_rule`` per (table, column, rule).
    counts
        Total number of problems per (table, column, rule), sample or not.
    files
        The file read for each table.
    rows
        Data rows read per table.
    """

    problems: list[Problem] = field(default_factory=list)
    counts: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.counts

    @property
    def total(self) -> int:
        """Total number of problems, including those not kept in the sample."""
        return sum(self.counts.values())

    def count_rows(self) -> list[dict[str, Any]]:
        """The counts as ``{"table", "column", "rule", "count"}`` dicts."""
        return [
            {"table": t, "column": c, "rule": r, "count": n}
            for (t, c, r), n in sorted(
                self.counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2])
            )
        ]

    def to_json(self) -> str:
        """The report as a JSON document."""
        body = {
            "ok": self.ok,
            "total": self.total,
            "files": self.files,
            "rows": self.rows,
            "counts": self.count_rows(),
            "problems": [p.as_dict() for p in self.problems],
        }
        return json.dumps(body, indent=2)

    def raise_if_invalid(self) -> None:
        """Raise :class:`DataContractError` listing the sampled problems, if any."""
        if not self.ok:
            raise DataContractError(
                f"the data breaks the contract: {plural(self.total, 'problem')},"
                f" first: {self.problems[0]}",
                problems=self.problems,
            )


def _run_checks(
    df: pl.DataFrame,
    table: Table,
    file: str | None,
    checks: list[Check],
    key: pl.Expr | None,
    collector: Collector,
) -> None:
    """Count every check in one pass, then sample the rows of those that fail."""
    if not checks or df.height == 0:
        return
    counts = df.select(
        [c.failing.fill_null(False).sum().alias(str(i)) for i, c in enumerate(checks)]
    ).row(0)
    shown_key = key if key is not None else pl.lit(None, pl.String)
    for check, total in zip(checks, counts, strict=True):
        if not total:
            continue
        sample = (
            df.lazy()
            .filter(check.failing.fill_null(False))
            .head(collector.cap)
            .select(pl.col(_ROW), shown_key.alias(_KEY), check.value.cast(pl.String).alias(_VALUE))
            .collect()
        )
        problems = [
            Problem(table.name, file, row, k, check.column, v, check.rule)
            for row, k, v in sample.iter_rows()
        ]
        collector.add_many(problems, int(total))


def _columns(
    df: pl.DataFrame, table: Table, file: str | None, collector: Collector, text_source: bool
) -> set[str]:
    """Report missing, unexpected and mistyped columns; return the usable ones."""
    present = [c for c in df.columns if not c.startswith("__")]
    declared = set(table.names)
    for col in table.columns:
        if col.name not in present:
            collector.add(Problem(table.name, file, None, None, col.name, None, "missing column"))
    for name in present:
        if name not in declared:
            collector.add(Problem(table.name, file, None, None, name, None, "unexpected column"))
    usable = set()
    for col in table.columns:
        if col.name not in present:
            continue
        actual = df.schema[col.name]
        if not text_source and actual != col.dtype:
            rule = f"wrong type: expected {col.dtype}"
            collector.add(Problem(table.name, file, None, None, col.name, str(actual), rule))
            continue
        usable.add(col.name)
    return usable


def check_frame(
    df: pl.DataFrame,
    table: Table,
    file: str | None,
    collector: Collector,
    *,
    text_source: bool = False,
) -> None:
    """All single-table rules over ``df`` (cast already; CSV flags empty cells)."""
    usable = _columns(df, table, file, collector, text_source)
    df = df.with_row_index(_ROW, offset=1)
    checks = column_checks(table, usable, df.columns) + cross_checks(table, usable)
    _run_checks(df, table, file, checks, key_expr(table, list(usable)), collector)


def validate_frame(
    df: pl.DataFrame, table: Table | str, *, max_per_rule: int = 20
) -> list[Problem]:
    """Check one in-memory frame against a contract table.

    Every single-table rule is applied (columns, types, nulls, allowed values, ranges,
    patterns, duplicate keys, cross-column rules); foreign keys need the other tables
    and are checked by :func:`validate_dir`.  ``row`` is the 1-based row position.
    The frame is not modified.

    Returns
    -------
    list[Problem]
        At most ``max_per_rule`` problems per (column, rule); empty when valid.
    """
    table = ALL_TABLES[table] if isinstance(table, str) else table
    collector = Collector(cap=max_per_rule)
    check_frame(df, table, None, collector)
    return collector.problems


def _read(
    data_dir: Path, name: str, collector: Collector
) -> tuple[pl.DataFrame | None, str | None, bool]:
    """Read one table's file: (frame or None, file, came from text)."""
    table = ALL_TABLES[name]
    try:
        path = table_path(data_dir, name)
    except DataFileError:
        rule = f"missing file: neither {name}.parquet nor {name}.csv nor {name}/ (Parquet parts)"
        collector.add(Problem(name, str(data_dir), None, None, None, None, rule))
        return None, None, False
    try:
        if path.suffix == ".parquet" or path.is_dir():
            return scan_parquet_path(path, keep_keys=table.names).collect(), str(path), False
        raw, cast = read_csv_table(path, table, collector)
    except (DataFileError, pl.exceptions.PolarsError, OSError) as exc:
        collector.add(Problem(name, str(path), None, None, None, None, f"unreadable file: {exc}"))
        return None, str(path), False
    flags = [raw[c].is_null().alias(null_flag(c)) for c in table.names if c in raw.columns]
    return cast.with_columns(flags), str(path), True


def _foreign_keys(
    frames: dict[str, pl.DataFrame],
    files: dict[str, str],
    usable: dict[str, set[str]],
    collector: Collector,
) -> None:
    for name, df in frames.items():
        table = ALL_TABLES[name]
        for fk in table.foreign_keys:
            ref = frames.get(fk.table)
            if (
                fk.column not in usable[name]
                or ref is None
                or fk.ref_column not in usable[fk.table]
            ):
                continue
            col = pl.col(fk.column)
            failing = col.is_not_null() & ~col.is_in(
                ref[fk.ref_column].drop_nulls().unique().implode()
            )
            check = Check(fk.column, f"not found in {fk.table}.{fk.ref_column}", failing, col)
            indexed = df.with_row_index(_ROW, offset=1)
            _run_checks(
                indexed, table, files[name], [check], key_expr(table, df.columns), collector
            )


def validate_dir(
    data_dir: Path, *, max_per_rule: int = 20, progress: Callable[[str], None] | None = None
) -> ValidationReport:
    """Validate every contract table in ``data_dir`` (and ``truth`` when present).

    Parameters
    ----------
    data_dir
        Directory with one file per table (``NAME.parquet`` or ``NAME.csv``).
    max_per_rule
        How many problems to keep per (table, column, rule); all are counted.
    progress
        Called with each table's name once it has been checked (for progress bars).

    Returns
    -------
    ValidationReport
        Every problem found.  Missing or unreadable files are problems, not errors.
    """
    data_dir = Path(data_dir)
    collector = Collector(cap=max_per_rule)
    report = ValidationReport()
    frames: dict[str, pl.DataFrame] = {}
    usable: dict[str, set[str]] = {}
    names = list(TABLES) + (
        ["truth"] if any((data_dir / f"truth{s}").is_file() for s in (".parquet", ".csv")) else []
    )
    for name in names:
        df, file, text = _read(data_dir, name, collector)
        if file is not None:
            report.files[name] = file
        if df is not None:
            report.rows[name] = df.height
            check_frame(df, ALL_TABLES[name], file, collector, text_source=text)
            frames[name] = df
            usable[name] = {
                c
                for c in ALL_TABLES[name].names
                if c in df.columns and (text or df.schema[c] == ALL_TABLES[name].column(c).dtype)
            }
        if progress is not None:
            progress(name)
    _foreign_keys(frames, report.files, usable, collector)
    report.problems = collector.problems
    report.counts = dict(collector.counts)
    return report
