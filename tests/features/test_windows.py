"""Point-in-time primitives against a brute-force reference."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features._windows import cumulative_before, window_count_within, window_distinct

_KEYS = st.sampled_from(["a", "b", "c", None])
_DAYS = st.integers(0, 40)
_BASE = date(2024, 1, 1)


def _frame(rows, value=False):
    data = {"k": [r[0] for r in rows], "t": [_BASE + timedelta(days=r[1]) for r in rows]}
    if value:
        data["v"] = [r[2] for r in rows]
    return pl.DataFrame(data, schema={"k": pl.String, "t": pl.Date, "v": pl.String}
                        if value else {"k": pl.String, "t": pl.Date})  # fmt: skip


def _brute_count(targets, pool, days):
    out = []
    for k, t in targets.iter_rows():
        if k is None:
            out.append(None)
            continue
        start = t - timedelta(days)
        out.append(sum(1 for pk, pt in pool.iter_rows() if pk == k and start <= pt < t))
    return out


def _brute_distinct(targets, pool, days):
    out = []
    for k, t in targets.iter_rows():
        if k is None:
            out.append(None)
            continue
        seen = {v for pk, pt, v in pool.iter_rows()
                if pk == k and v is not None and t - timedelta(days) <= pt < t}  # fmt: skip
        out.append(len(seen))
    return out


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(_KEYS, _DAYS), min_size=1, max_size=25), days=st.integers(1, 15))
def test_window_count_within_a_frame_matches_brute_force(rows, days):
    frame = _frame(rows)
    got = window_count_within(frame.lazy(), by="k", at="t", days=days, name="n").collect()
    assert got.select("k", "t").equals(frame)
    assert got.get_column("n").to_list() == _brute_count(frame, frame, days)


@settings(max_examples=40, deadline=None)
@given(
    targets=st.lists(st.tuples(_KEYS, _DAYS), min_size=1, max_size=12),
    pool=st.lists(st.tuples(_KEYS, _DAYS, st.sampled_from(["X", "Y", "Z", None])), max_size=25),
    days=st.integers(1, 15),
)
def test_window_distinct_matches_brute_force(targets, pool, days):
    tf, pf = _frame(targets), _frame(pool, value=True)
    got = window_distinct(
        tf.lazy(), pf.lazy(), by="k", value="v", at="t", days=days, name="n"
    ).collect()
    assert got.select("k", "t").equals(tf)
    assert got.get_column("n").to_list() == _brute_distinct(tf, pf, days)


def test_cumulative_before_takes_one_latest_column():
    frame = pl.DataFrame({"k": ["a"], "t": [1], "d": [1], "e": [2]}).lazy()
    with pytest.raises(ValueError, match="at most one 'latest' column"):
        cumulative_before(frame, frame, by="k", at="t", latest=["d", "e"])


def test_cumulative_before_sums_and_latest_strictly_before():
    targets = pl.DataFrame({"k": ["a", "a", "b", "z"], "t": [3, 5, 9, 1]}).lazy()
    events = pl.DataFrame(
        {
            "k": ["a", "a", "a", "a", "a", "b"],
            "t": [1, 3, 3, 3, 5, 2],  # three events at t=3: summed, the largest date kept
            "x": [10, 20, 5, 1, 40, 7],
            "d": [1, None, 4, 2, 5, 2],
        }
    ).lazy()
    got = cumulative_before(targets, events, by="k", at="t", sums=["x"], latest=["d"]).collect()
    assert got.to_dict(as_series=False) == {
        "k": ["a", "a", "b", "z"], "t": [3, 5, 9, 1], "x": [10, 36, 7, 0], "d": [1, 4, 2, None]
    }  # fmt: skip
