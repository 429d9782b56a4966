"""Pieces of a run's evidence: age bands, the performance summary, the catalogue, the card."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

from experiments import ModelCard, with_age_band
from experiments._artifacts import catalogue_markdown, flatten, performance_summary
from risk.errors import DataContractError


@pytest.mark.parametrize(
    ("birth", "submitted", "band"),
    [
        (date(2000, 6, 2), datetime(2025, 6, 1, 23), "<25"),  # the day before turning 25
        (date(2000, 6, 1), datetime(2025, 6, 1, 0), "25-34"),  # the 25th birthday
        (date(1990, 1, 1), datetime(2024, 12, 31), "25-34"),
        (date(1980, 2, 29), datetime(2025, 2, 28), "35-44"),  # leap-day birth, not yet 45
        (date(1980, 2, 29), datetime(2025, 3, 1), "45-54"),
        (date(1960, 5, 5), datetime(2025, 5, 5), "65+"),
        (date(2025, 5, 5), datetime(2025, 5, 5), "<25"),  # born that day
    ],
)
def test_age_band_is_the_exact_age_on_the_application_date(birth, submitted, band):
    frame = pl.DataFrame({"birth_date": [birth], "submitted_at": [submitted]})
    assert with_age_band(frame)["age_band"].to_list() == [band]


@given(st.dates(date(1920, 1, 1), date(2024, 12, 31)), st.dates(date(2025, 1, 1), date(2030, 1, 1)))
def test_age_band_agrees_with_counting_birthdays(birth, on):
    frame = pl.DataFrame({"birth_date": [birth]})
    got = with_age_band(frame, time_col=None, as_of=on)["age_band"][0]
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    expected = next(
        name
        for low, high, name in [
            (0, 25, "<25"),
            (25, 35, "25-34"),
            (35, 45, "35-44"),
            (45, 55, "45-54"),
            (55, 65, "55-64"),
            (65, 200, "65+"),
        ]
        if low <= age < high
    )
    assert got == expected


def test_birth_after_application_names_the_row():
    frame = pl.DataFrame(
        {
            "birth_date": [date(1990, 1, 1), date(2026, 1, 1)],
            "submitted_at": [datetime(2025, 1, 1), datetime(2025, 1, 1)],
        }
    )
    with pytest.raises(
        DataContractError,
        match=r"test split row 1: birth_date 2026-01-01 is"
        r" after the application date \(1 such rows\)",
    ):
        with_age_band(frame)
    with pytest.raises(DataContractError, match="no 'birth_date' column"):
        with_age_band(frame.drop("birth_date"))


def test_performance_summary_against_sklearn_and_hand_counts():
    rng = np.random.default_rng(3)
    y = rng.random(400) < 0.3
    p = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    flag = p >= np.quantile(p, 0.9)
    labels = [int(v) for v in y] + [None, None]
    perf = performance_summary(labels, np.r_[p, 0.5, 0.5], np.r_[flag, True, False])
    assert perf["rows"] == 402 and perf["unlabelled_rows"] == 2
    assert perf["pr_auc"] == pytest.approx(average_precision_score(y, p))
    assert perf["roc_auc"] == pytest.approx(roc_auc_score(y, p))
    assert perf["precision_at_capacity"] == pytest.approx((y & flag).sum() / flag.sum())
    assert perf["recall_at_capacity"] == pytest.approx((y & flag).sum() / y.sum())
    first = perf["calibration"][0]
    sel = p < 0.1
    assert first["count"] == sel.sum()
    assert first["observed_rate"] == pytest.approx(y[sel].mean())


def test_performance_summary_with_one_class_has_no_auc():
    perf = performance_summary([0, 0, 0], [0.1, 0.2, 0.3], [False, False, True])
    assert (perf["pr_auc"], perf["roc_auc"], perf["precision_at_capacity"]) == (None, None, 0.0)
    assert perf["pr_curve"] == []


def test_flatten_makes_mlflow_safe_keys():
    assert flatten({"model": {"pr auc": 0.5, "x|y": {"z": 1}}, "n": 3}) == {
        "model.pr auc": 0.5,
        "model.x_y.z": 1,
        "n": 3,
    }


def test_catalogue_markdown_lists_every_feature():
    md = catalogue_markdown(
        [
            {"name": "a", "kind": "numeric", "description": "pipe | inside"},
            {"name": "b", "kind": "categorical", "description": "two\nlines"},
        ]
    )
    assert md.splitlines()[4:] == [
        "| name | kind | description |",
        "| --- | --- | --- |",
        "| a | numeric | pipe \\| inside |",
        "| b | categorical | two lines |",
    ]


def test_model_card_escapes_html_and_defaults_the_label_caveat():
    card = ModelCard({"model_name": "m", "trained_by": "<b>x</b>", "metrics": {"pr_auc": 0.51234}})
    html = card.to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    md = card.to_markdown()
    assert "| PR AUC (precision-recall area) | 0.5123 |" in md
    assert "Cases never investigated" in md
    assert "Verdict: **not measured**" in md
