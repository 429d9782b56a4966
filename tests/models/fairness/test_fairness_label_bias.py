"""The label-bias view: exact arithmetic, pending labels, suppression, errors."""

from __future__ import annotations

import json

import polars as pl
import pytest

from models.fairness import label_bias
from risk.errors import RequestValidationError


def _frame() -> pl.DataFrame:
    # Group a: 40 rows, 20 investigated (2 pending), 6 confirmed, 8 true violations.
    # Group b: 50 rows, 5 investigated, 4 confirmed, 10 true violations.
    # Group c: 10 rows (suppressed), nobody investigated.
    rows = []
    rows += [("a", 1, 1, 1)] * 6 + [("a", 1, None, 1)] * 2 + [("a", 1, 0, 0)] * 12
    rows += [("a", 0, None, 0)] * 20
    rows += [("b", 1, 1, 1)] * 4 + [("b", 1, 0, 0)] + [("b", 0, None, 1)] * 6
    rows += [("b", 0, None, 0)] * 39
    rows += [("c", 0, None, 0)] * 10
    return pl.DataFrame(rows, schema=["g", "inv", "conf", "truth"], orient="row")


def test_rates_are_exact():
    lb = label_bias(_frame(), ["g"], investigated="inv", confirmed="conf", truth="truth")
    a, b = lb.groups["g"]["a"], lb.groups["g"]["b"]
    assert (a["n"], a["investigated"], a["pending"], a["confirmed"]) == (40, 20, 2, 6)
    assert a["investigation_rate"] == 20 / 40
    assert a["confirmed_rate"] == 6 / 18
    assert a["confirmed_share"] == 6 / 40
    assert (a["true_violations"], a["true_rate"], a["detection_rate"]) == (8, 8 / 40, 6 / 8)
    assert b["investigation_rate"] == 5 / 50 and b["confirmed_rate"] == 4 / 5
    assert (b["true_rate"], b["detection_rate"]) == (10 / 50, 4 / 10)
    assert lb.groups["g"]["c"]["confirmed_rate"] is None  # nobody investigated: 0/0


def test_published_form_suppresses_small_groups_and_omits_truth_when_unknown():
    lb = label_bias(_frame(), ["g"], investigated="inv", confirmed="conf")
    data = json.loads(lb.to_json())
    assert data["with_truth"] is False and data["min_group_size"] == 30
    c = data["attributes"]["g"]["c"]
    assert c["suppressed"] is True and c["n"] is None and c["investigation_rate"] is None
    assert "true_rate" not in data["attributes"]["g"]["a"]
    assert data["attributes"]["g"]["a"]["suppressed"] is False


def test_confirmed_without_investigation_is_refused():
    frame = _frame().with_columns(
        conf=pl.when(pl.int_range(pl.len()) == 25).then(1).otherwise("conf")
    )
    with pytest.raises(RequestValidationError) as err:
        label_bias(frame, ["g"], investigated="inv", confirmed="conf")
    assert err.value.message == (
        "label bias: row 25 has 'conf' = 1 but 'inv' = 0: "
        "a violation cannot be confirmed without an investigation"
    )


def test_missing_and_non_binary_columns():
    with pytest.raises(RequestValidationError, match="group column 'sex' not found"):
        label_bias(_frame(), ["sex"], investigated="inv", confirmed="conf")
    frame = _frame().with_columns(inv=pl.col("inv") * 2)
    with pytest.raises(RequestValidationError, match=r"'inv' must be binary \(0/1\), row 0 has 2"):
        label_bias(frame, ["g"], investigated="inv", confirmed="conf")
