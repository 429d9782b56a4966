"""Derivations: every operation gives the same value in its polars and its Python form."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import Derivation, col, days_between, lit, when

_INT = st.one_of(st.none(), st.integers(-5, 5))
_FLOAT = st.one_of(st.none(), st.floats(-5, 5, allow_nan=False), st.sampled_from([0.0, -0.0]))
_BOOL = st.one_of(st.none(), st.booleans())
_DATE = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 1, 1)))
_TEXT = st.one_of(st.none(), st.sampled_from(["", "A", "AB", "ABC", "B"]))
_SCHEMA = {"a": pl.Int32, "b": pl.Int32, "x": pl.Float64, "p": pl.Boolean, "q": pl.Boolean,
           "d": pl.Date, "e": pl.Date, "s": pl.String, "t": pl.String}  # fmt: skip

#: Every operation, over the columns of _SCHEMA.
CASES: dict[str, Derivation] = {
    "add": col("a") + col("b"),
    "sub": col("a") - col("b"),
    "mul": col("a") * col("b"),
    "div_int": col("a") / col("b"),
    "div_float": col("x") / col("a"),
    "eq": col("a") == col("b"),
    "ne": col("a") != col("b"),
    "gt": col("a") > col("b"),
    "lt": col("x") < col("a"),
    "ge": col("a") >= 0,
    "le": col("a") <= col("x"),
    "and": col("p") & col("q"),
    "or": col("p") | col("q"),
    "not": ~col("p"),
    "ne_missing": col("s").ne_missing(col("t")),
    "is_null": col("d").is_null(),
    "is_not_null": col("s").is_not_null(),
    "fill_null": col("s").fill_null(""),
    "lookup": col("s").lookup({"A": 1.5, "B": 30.0}),
    "starts_with": col("s").starts_with(col("t")),
    "epoch_days": col("d").epoch_days(),
    "yymmdd": col("d").yymmdd().ne_missing(col("e").yymmdd()),
    "days_between": days_between(col("d"), col("e")),
    "when": when(col("a") > 0).then(col("x") / col("a")).otherwise(lit(None)),
    "when_literal": when(col("p")).then(0).otherwise(col("b")),
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isnan(b) if math.isnan(a) else a.hex() == b.hex()
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(
    a=_INT, b=_INT, x=_FLOAT, p=_BOOL, q=_BOOL, d=_DATE, e=_DATE, s=_TEXT, t=_TEXT,
)  # fmt: skip
def test_each_operation_agrees_in_both_forms(**row):
    frame = pl.DataFrame({k: [v] for k, v in row.items()}, schema=_SCHEMA)
    batch = frame.select(**{name: d.to_polars() for name, d in CASES.items()}).row(0, named=True)
    for name, derivation in CASES.items():
        got = derivation.to_python()(row)
        assert _same(got, batch[name]), (name, row, got, batch[name])


def test_hand_computed_values_of_the_python_form():
    row = {"a": 3, "b": 0, "x": -1.5, "p": None, "q": False, "d": date(2024, 3, 1),
           "e": date(2023, 3, 1), "s": "AB", "t": None}  # fmt: skip
    expected = {
        "add": 3, "sub": 3, "mul": 0, "div_int": math.inf, "div_float": -0.5, "eq": False,
        "ne": True, "gt": True, "lt": True, "ge": True, "le": False, "and": False, "or": None,
        "not": None, "ne_missing": True, "is_null": False, "is_not_null": True,
        "fill_null": "AB", "lookup": None, "starts_with": None, "epoch_days": 19783,
        "yymmdd": True, "days_between": 366, "when": -0.5, "when_literal": 0,
    }  # fmt: skip
    got = {name: d.to_python()(row) for name, d in CASES.items()}
    assert got == expected


def test_columns_lists_what_a_formula_reads():
    assert CASES["when"].columns() == {"a", "x"}
    assert lit(1).columns() == frozenset()


def test_otherwise_needs_then():
    with pytest.raises(TypeError, match=r"needs a then\(...\) first"):
        when(col("p")).otherwise(0)


def test_a_day_is_counted_as_polars_counts_it():
    day = date(2024, 1, 1)
    assert days_between(col("d"), col("e")).to_python()({"d": day, "e": day - timedelta(1)}) == 1
