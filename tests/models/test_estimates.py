"""Horvitz-Thompson estimates from reviewed cases: exact unbiasedness and interval coverage."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest

from models import estimate_reviews
from risk.errors import DataContractError

MARCH = dt.datetime(2024, 3, 5)


def _frame(flags, truth, blind, reviewed, propensity, *, months=None) -> pl.DataFrame:
    n = len(flags)
    return pl.DataFrame(
        {
            "score_id": [f"s{i}" for i in range(n)],
            "scored_at": months or [MARCH] * n,
            "flagged": flags,
            "blind_sample": blind,
            "review_propensity": propensity,
            "reviewed": reviewed,
            "finding": [
                ("violation_confirmed" if t else "no_violation") if r else None
                for t, r in zip(truth, reviewed, strict=True)
            ],
        },
        schema_overrides={"scored_at": pl.Datetime("us")},
    )


#: A tiny population: 3 flagged (2 violations) and 5 unflagged (2 violations).
FLAGS = [True] * 3 + [False] * 5
TRUTH = [1, 1, 0, 1, 0, 0, 1, 0]
RATE = 0.4


def _draws():
    """Every blind-sample draw of the unflagged five, with its probability."""
    for drawn in itertools.product([False, True], repeat=5):
        k = sum(drawn)
        prob = RATE**k * (1 - RATE) ** (5 - k)
        blind = [False] * 3 + list(drawn)
        reviewed = [True] * 3 + list(drawn)
        propensity = [1.0] * 3 + [RATE] * 5
        yield prob, _frame(FLAGS, TRUTH, blind, reviewed, propensity)


def test_the_estimators_are_unbiased_over_every_blind_draw():
    expected = {"prevalence": 0.0, "miss": 0.0, "precision": 0.0}
    total_prob = 0.0
    for prob, frame in _draws():
        est = estimate_reviews(frame)["overall"]
        total_prob += prob
        expected["prevalence"] += prob * est.prevalence.value
        expected["miss"] += prob * est.miss_rate_unflagged.value
        expected["precision"] += prob * est.precision_at_capacity.value
        assert est.precision_at_capacity.value == 2 / 3  # every flag reviewed: known
        # recall is the ratio of the two Horvitz-Thompson totals
        found, missed = 3 * est.precision_at_capacity.value, 5 * est.miss_rate_unflagged.value
        assert est.recall_at_capacity.value == pytest.approx(found / (found + missed), abs=1e-15)
    assert total_prob == pytest.approx(1.0, abs=1e-15)
    assert expected["prevalence"] == pytest.approx(4 / 8, abs=1e-12)
    assert expected["miss"] == pytest.approx(2 / 5, abs=1e-12)
    assert expected["precision"] == pytest.approx(2 / 3, abs=1e-12)


def test_one_draw_gives_the_horvitz_thompson_figures():
    # the blind sample drew unflagged 4 (a violation) and 5 (none)
    blind = [False] * 3 + [True, True, False, False, False]
    frame = _frame(FLAGS, TRUTH, blind, [True] * 3 + blind[3:], [1.0] * 3 + [RATE] * 5)
    est = estimate_reviews(frame)["overall"]
    # violations found: 2 flagged + 1 blind / 0.4 = 4.5 of 8 applications
    assert est.prevalence.value == pytest.approx(4.5 / 8, abs=1e-15)
    assert est.miss_rate_unflagged.value == pytest.approx(2.5 / 5, abs=1e-15)
    assert est.recall_at_capacity.value == pytest.approx(2 / 4.5, abs=1e-15)
    assert (est.applications, est.flagged, est.reviewed, est.blind_reviewed) == (8, 3, 5, 2)
    for e in (est.prevalence, est.miss_rate_unflagged, est.recall_at_capacity):
        assert e.low <= e.value <= e.high


def test_pending_reviews_are_stood_in_for_by_decided_ones():
    # 4 flags, 2 decided (1 violation), 2 still waiting: the decided half stands for all
    flags = [True] * 4 + [False] * 2
    frame = _frame(
        flags,
        [1, 0, 1, 1, 0, 0],
        [False] * 6,
        [True, True, False, False, False, False],
        [1.0] * 4 + [0.5] * 2,
    )
    est = estimate_reviews(frame)["overall"]
    assert est.precision_at_capacity.value == 0.5
    assert est.miss_rate_unflagged.value == 0.0  # nothing drawn: nothing found


def test_months_are_estimated_apart_and_together():
    april = dt.datetime(2024, 4, 2)
    frame = _frame(
        [True, False, True, False],
        [1, 1, 0, 0],
        [False, True, False, False],
        [True, True, True, False],
        [1.0, 0.5, 1.0, 0.5],
        months=[MARCH, MARCH, april, april],
    )
    out = estimate_reviews(frame)
    assert [m.period for m in out["months"]] == ["2024-03", "2024-04"]
    assert [m.prevalence.value for m in out["months"]] == [1.5, 0.0]  # HT can exceed 1
    assert out["overall"].prevalence.value == pytest.approx(3 / 4, abs=1e-15)


def test_a_reviewed_case_without_a_chance_of_review_names_its_score():
    frame = _frame([False, False], [1, 0], [True, False], [True, False], [0.0, 0.0])
    with pytest.raises(DataContractError, match="score s0 was reviewed but its review propensity"):
        estimate_reviews(frame)
    with pytest.raises(DataContractError, match="has no column 'finding'"):
        estimate_reviews(frame.drop("finding"))


@pytest.mark.slow
def test_intervals_cover_the_truth_about_95_percent_of_draws():
    """1000 blind draws over one population (one 'month' each): coverage of the truth."""
    rng = np.random.default_rng(11)
    n_flag, n_unflag, rate, sims = 150, 3850, 0.05, 1000
    truth = np.concatenate([rng.random(n_flag) < 0.55, rng.random(n_unflag) < 0.04])
    flags = np.arange(n_flag + n_unflag) < n_flag
    true_miss = truth[~flags].mean()
    true_prev = truth.mean()
    true_recall = truth[flags].sum() / truth.sum()
    frames = []
    for s in range(sims):
        drawn = ~flags & (rng.random(flags.size) < rate)
        month = dt.datetime(1900 + s // 12, s % 12 + 1, 1)
        frames.append(
            _frame(
                flags.tolist(),
                truth.tolist(),
                drawn.tolist(),
                (flags | drawn).tolist(),
                np.where(flags, 1.0, rate).tolist(),
                months=[month] * flags.size,
            )
        )
    months = estimate_reviews(pl.concat(frames))["months"]
    assert len(months) == sims

    def covered(attr: str, value: float) -> float:
        return float(
            np.mean([getattr(m, attr).low <= value <= getattr(m, attr).high for m in months])
        )

    # the miss rate is one stratum's Wilson interval: near its nominal 95%
    assert 0.92 <= covered("miss_rate_unflagged", true_miss) <= 0.98
    # prevalence and recall combine the strata's interval ends: conservative
    assert covered("prevalence", true_prev) >= 0.95
    assert covered("recall_at_capacity", true_recall) >= 0.95


def test_risk_estimate_reads_an_export_folder(tmp_path):
    import json

    from typer.testing import CliRunner

    from risk.cli import app

    blind = [False] * 3 + [True, True, False, False, False]
    frame = _frame(FLAGS, TRUTH, blind, [True] * 3 + blind[3:], [1.0] * 3 + [RATE] * 5)
    frame = frame.with_columns(model_version=pl.lit("3"))
    frame.vstack(frame.with_columns(model_version=pl.lit("2"), reviewed=False)).write_parquet(
        tmp_path / "reviews.parquet"
    )
    runner = CliRunner()
    out = runner.invoke(
        app, ["estimate", "--data", str(tmp_path), "--model", "3", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    overall = body["estimates"][-1]
    assert (body["model"], overall["period"], overall["applications"]) == ("3", "overall", 8)
    assert overall["prevalence"]["value"] == pytest.approx(4.5 / 8, abs=1e-15)
    table = runner.invoke(app, ["estimate", "--data", str(tmp_path), "--model", "3"])
    assert "Estimated from the blind sample: model 3" in table.output
    unknown = runner.invoke(app, ["estimate", "--data", str(tmp_path), "--model", "9"])
    assert unknown.exit_code == 1
    assert "holds no score of model '9'; it holds 2, 3" in unknown.output
    missing = runner.invoke(app, ["estimate", "--data", str(tmp_path / "no"), "--model", "3"])
    assert missing.exit_code == 1
    assert "reviews.parquet does not exist" in missing.output
