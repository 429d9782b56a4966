"""The contract's rules as polars expressions: each marks the rows that break it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from risk.contract import MRZ_SHAPES, Column, Table

_NULL_FLAG = "__null__"


@dataclass(frozen=True)
class Check:
    """A row-level rule: ``failing`` is true on rows that break it; ``value`` is shown."""

    column: str | None
    rule: str
    failing: pl.Expr
    value: pl.Expr


def null_flag(name: str) -> str:
    """Name of the helper column that says a CSV cell was empty before casting."""
    return f"{_NULL_FLAG}{name}"


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def _bound(column: Column, value):
    if isinstance(value, str) and column.dtype == pl.Date:
        return date.fromisoformat(value)
    if isinstance(value, str) and isinstance(column.dtype, pl.Datetime):
        return datetime.fromisoformat(value)
    return value


def column_checks(table: Table, usable: set[str], columns: list[str]) -> list[Check]:
    """Per-column rules (nulls, allowed values, range, pattern, uniqueness).

    ``usable`` are the declared columns present with the declared type; ``columns``
    are all columns of the frame (to find the CSV empty-cell flags).
    """
    checks: list[Check] = []
    for col in table.columns:
        if col.name not in usable:
            continue
        c, value = pl.col(col.name), _text(col.name)
        flag = null_flag(col.name)
        is_null = pl.col(flag) if flag in columns else c.is_null()
        if not col.nullable:
            checks.append(Check(col.name, "null not allowed", is_null, pl.lit(None, pl.String)))
        if col.allowed is not None:
            rule = f"not one of: {', '.join(col.allowed)}"
            checks.append(Check(col.name, rule, c.is_not_null() & ~c.is_in(col.allowed), value))
        if col.min is not None:
            low = _bound(col, col.min)
            checks.append(Check(col.name, f"below minimum {col.min}", c < low, value))
        if col.max is not None:
            high = _bound(col, col.max)
            checks.append(Check(col.name, f"above maximum {col.max}", c > high, value))
        if col.pattern is not None:
            pattern = col.pattern if col.pattern.startswith("^") else f"^(?:{col.pattern})$"
            failing = c.is_not_null() & ~c.str.contains(pattern)
            checks.append(Check(col.name, f"does not match {col.pattern}", failing, value))
        if col.unique and table.key != (col.name,):
            dup = c.is_not_null() & c.is_duplicated()
            checks.append(Check(col.name, "duplicate value", dup, value))
    if all(k in usable for k in table.key):
        key = pl.struct(table.key) if len(table.key) > 1 else pl.col(table.key[0])
        failing = key.is_duplicated() & pl.all_horizontal(
            pl.col(k).is_not_null() for k in table.key
        )
        shown = pl.concat_str([_text(k) for k in table.key], separator="/")
        checks.append(Check("/".join(table.key), "duplicate key", failing, shown))
    return checks


def _order(later: str, earlier: str, rule: str, strict: bool = False) -> tuple:
    a, b = pl.col(later), pl.col(earlier)
    failing = (a <= b) if strict else (a < b)
    shown = pl.concat_str(_text(later), pl.lit(f" ({earlier} "), _text(earlier), pl.lit(")"))
    return (later, earlier), Check(later, rule, failing, shown)


def _mrz_checks() -> list[tuple[tuple[str, ...], Check]]:
    fmt = pl.col("mrz_format")
    widths = pl.col("mrz_format").replace_strict(
        {k: w for k, (w, _) in MRZ_SHAPES.items()}, default=None, return_dtype=pl.Int64
    )
    shapes = ", ".join(f"{k} {w}" for k, (w, _) in MRZ_SHAPES.items())
    out = []
    for line in ("mrz_line1", "mrz_line2", "mrz_line3"):
        failing = pl.col(line).is_not_null() & (pl.col(line).str.len_chars() != widths)
        rule = f"length does not match mrz_format ({shapes})"
        out.append((("mrz_format", line), Check(line, rule, failing, pl.col(line))))
    three = fmt.is_in([k for k, (_, n) in MRZ_SHAPES.items() if n == 3])
    two = fmt.is_in([k for k, (_, n) in MRZ_SHAPES.items() if n == 2])
    line3 = pl.col("mrz_line3")
    out.append(
        (
            ("mrz_format", "mrz_line3"),
            Check(
                "mrz_line3",
                "required when mrz_format is TD1",
                three & line3.is_null(),
                pl.lit(None, pl.String),
            ),
        )
    )
    out.append(
        (
            ("mrz_format", "mrz_line3"),
            Check(
                "mrz_line3",
                "must be empty unless mrz_format is TD1",
                two & line3.is_not_null(),
                line3,
            ),
        )
    )
    return out


def _outcome_checks() -> list[tuple[tuple[str, ...], Check]]:
    confirmed, types = pl.col("violation_confirmed"), pl.col("violation_types")
    not_investigated = ~pl.col("investigated").fill_null(True)
    is_confirmed = confirmed.fill_null(False)
    cols = ("investigated", "violation_confirmed", "violation_types")
    out = [
        (
            cols,
            Check(
                "violation_types",
                "required when violation_confirmed is true",
                is_confirmed & types.is_null(),
                pl.lit(None, pl.String),
            ),
        ),
        (
            cols,
            Check(
                "violation_types",
                "must be empty unless violation_confirmed is true",
                ~is_confirmed & types.is_not_null(),
                types,
            ),
        ),
    ]
    for name in ("violation_confirmed", "known_at"):
        out.append(
            (
                ("investigated", name),
                Check(
                    name,
                    "must be empty when investigated is false",
                    not_investigated & pl.col(name).is_not_null(),
                    _text(name),
                ),
            )
        )
    return out


def cross_checks(table: Table, usable: set[str]) -> list[Check]:
    """Rules across columns of one row (dates in order, MRZ shape, outcome consistency)."""
    candidates: dict[str, list] = {
        "prior_decisions": [_order("decided_at", "applied_at", "before applied_at")],
        "travel_history": [
            _order("exit_date", "entry_date", "before entry_date"),
            _order("authorised_until", "entry_date", "before entry_date"),
        ],
        "documents": [
            _order("expiry_date", "issue_date", "not after issue_date", strict=True),
            *_mrz_checks(),
        ],
        "outcomes": _outcome_checks(),
    }
    return [check for needs, check in candidates.get(table.name, []) if set(needs) <= usable]
