"""The time split placed by the weighted rows (reviewed-ipw labels only the recent cases)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models._split import assign_splits
from risk.errors import DataContractError
from risk.settings import SplitSettings

DAY0 = dt.datetime(2025, 1, 1)


def _frame(days: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"row": range(len(days)), "t": [DAY0 + dt.timedelta(days=d) for d in days]})


def _rows(frame: pl.DataFrame, split: pl.Series) -> dict[str, list[int]]:
    return {s: frame.filter(split == s)["row"].to_list() for s in ("train", "valid", "test")}


def test_weighted_rows_place_the_cuts_and_every_row_follows_them():
    # 20 daily applications; only the last 10 were reviewed (weighted)
    frame = _frame(list(range(20)))
    basis = np.arange(20) >= 10
    # 60/20/20 of the 10 weighted rows: 6 train (days 10-15), 2 valid (16-17), 2 test (18-19);
    # the unweighted older rows fall in the training part by their time
    got = _rows(frame, assign_splits(frame, "t", SplitSettings(), basis=basis))
    assert got == {"train": list(range(16)), "valid": [16, 17], "test": [18, 19]}
    # cut over every row instead, the cuts fall earlier...
    plain = _rows(frame, assign_splits(frame, "t", SplitSettings()))
    assert plain == {"train": list(range(12)), "valid": [12, 13, 14, 15], "test": [16, 17, 18, 19]}
    # ...only 2 of the 10 weighted rows would be trained on there, 6 with the basis
    assert sum(r >= 10 for r in plain["train"]) == 2


def test_unweighted_rows_between_weighted_ones_go_by_their_time():
    # weighted rows on days 0, 2, 4, 6, 8 (rows 0-4); unweighted on days 1, 3, 5, 7, 9 (rows 5-9)
    frame = _frame([0, 2, 4, 6, 8, 1, 3, 5, 7, 9])
    basis = np.array([True] * 5 + [False] * 5)
    # 5 weighted rows: round(3.0) = 3 train (days 0, 2, 4), round(4.0) = 4 -> 1 valid (day 6),
    # 1 test (day 8): cuts at day 6 and day 8
    got = _rows(frame, assign_splits(frame, "t", SplitSettings(), basis=basis))
    assert got == {"train": [0, 1, 2, 5, 6, 7], "valid": [3, 8], "test": [4, 9]}


def test_rows_sharing_a_boundary_instant_go_to_the_later_split():
    frame = _frame([0, 1, 2, 3, 3, 4, 5, 5])
    basis = np.array([True, True, True, True, False, True, False, True])
    # weighted days 0-5: cuts at sorted index round(3.6) = 4 (day 4) and round(4.8) = 5
    # (day 5); the unweighted day-3 row trains beside its weighted twin, the day-5 one tests
    got = _rows(frame, assign_splits(frame, "t", SplitSettings(), basis=basis))
    assert got == {"train": [0, 1, 2, 3, 4], "valid": [5], "test": [6, 7]}


@pytest.mark.parametrize(
    ("weighted", "message"),
    [
        (0, "only 0 weighted rows: a time split needs at least one per split"),
        (2, "only 2 weighted rows: a time split needs at least one per split"),
    ],
)
def test_too_few_weighted_rows_is_a_clear_error(weighted, message):
    frame = _frame(list(range(10)))
    basis = np.arange(10) < weighted
    with pytest.raises(DataContractError, match=f"^{message}$"):
        assign_splits(frame, "t", SplitSettings(), basis=basis)


def test_weighted_rows_on_one_instant_cannot_be_split():
    frame = _frame([0, 1, 5, 5, 5, 5])
    basis = np.array([False, False, True, True, True, True])
    with pytest.raises(DataContractError) as err:
        assign_splits(frame, "t", SplitSettings(), basis=basis)
    assert err.value.message == (
        "column 't' is too coarse for a time split: got {'train': 0, 'valid': 0, 'test': 4}"
        " rows per split (of the 4 weighted rows)"
    )


def test_a_model_that_cannot_rank_is_refused_not_served(tmp_path, fast_settings):
    """No leaf may hold fewer than 10,000 rows: every tree is a stump, every margin ties, and
    ``margin >= threshold`` would flag every case."""
    from models_tables import SPEC, make_table

    from models import train_table

    table, spec = tmp_path / "t.parquet", tmp_path / "s.toml"
    make_table(1000).write_parquet(table)
    spec.write_text(SPEC)
    model = fast_settings.model.model_copy(update={"min_data_in_leaf": 10_000})
    with pytest.raises(DataContractError) as err:
        train_table(table, spec, settings=fast_settings.model_copy(update={"model": model}))
    assert err.value.message == (
        "the trained model cannot rank the validation cases: 100% of them score at or above"
        " the capacity threshold (capacity 5%), 1 distinct scores from 1 tree(s); the labels"
        " do not support a model (too few labelled cases or positives)"
    )
