"""Calibration, capacity thresholds, bands and test metrics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

from models import (
    Bands,
    Calibrator,
    band_evidence,
    capacity_threshold,
    expected_calibration_error,
    top_k_mask,
)
from models._metrics import score_metrics
from risk.errors import BundleLoadError, ConfigError


@pytest.fixture(scope="module")
def margins_labels() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    m = rng.normal(-2, 1.5, 20_000)
    y = (rng.uniform(size=m.size) < 1 / (1 + np.exp(-(1.7 * m + 0.4)))).astype(int)
    return m, y


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_is_monotone_and_within_unit_interval(method, margins_labels):
    m, y = margins_labels
    cal = Calibrator(method).fit(m, y)
    grid = np.linspace(-15, 15, 2001)
    p = cal.predict(grid)
    assert np.all(np.diff(p) >= 0)
    assert p.min() >= 0 and p.max() <= 1


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_recovers_true_probabilities(method, margins_labels):
    m, y = margins_labels
    cal = Calibrator(method).fit(m, y)
    truth = 1 / (1 + np.exp(-(1.7 * m + 0.4)))
    assert np.mean(np.abs(cal.predict(m) - truth)) < 0.02
    assert expected_calibration_error(y, cal.predict(m)) < 0.02


def test_platt_matches_unpenalised_logistic_regression(margins_labels):
    from sklearn.linear_model import LogisticRegression

    m, y = margins_labels
    cal = Calibrator("platt").fit(m, y)
    ref = LogisticRegression(C=np.inf).fit(m[:, None], y)
    # Platt's smoothed targets move the fit by O(1/n) only.
    assert cal.a_ == pytest.approx(ref.coef_[0, 0], abs=0.01)
    assert cal.b_ == pytest.approx(ref.intercept_[0], abs=0.01)


def test_isotonic_breakpoints_strictly_increase_and_order_cases(margins_labels):
    m, y = margins_labels
    cal = Calibrator("isotonic").fit(m, y)
    assert np.all(np.diff(cal.x_) > 0) and np.all(np.diff(cal.y_) > 0)
    inside = np.sort(m[(m > cal.x_[0]) & (m < cal.x_[-1])])
    assert np.all(np.diff(cal.predict(inside)) >= 0)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibrator_round_trips_through_plain_numbers(method, margins_labels):
    m, y = margins_labels
    cal = Calibrator(method).fit(m, y)
    back = Calibrator.from_dict(cal.to_dict())
    np.testing.assert_array_equal(back.predict(m), cal.predict(m))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"method": "isotonic", "x": [0, 1]}, "bundle.json field 'calibrator' is malformed: 'y'"),
        (
            {"method": "isotonic", "x": [0, 1], "y": [0.1]},
            "bundle.json field 'calibrator' is malformed: isotonic x and y must be equal,"
            " non-empty lists",
        ),
        ({"method": "beta"}, "bundle.json field 'calibrator' is malformed: unknown method 'beta'"),
    ],
)
def test_malformed_calibrator_is_refused(data, message):
    with pytest.raises(BundleLoadError) as err:
        Calibrator.from_dict(data)
    assert err.value.message == message


def test_unknown_calibration_method_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown calibration method 'beta'"):
        Calibrator("beta").fit(np.zeros(3), np.array([0, 1, 0]))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(50, 5000),
    capacity=st.floats(0.01, 0.5),
    seed=st.integers(0, 10_000),
)
def test_capacity_threshold_flags_the_capacity_share(n, capacity, seed):
    margin = np.random.default_rng(seed).normal(size=n)
    t = capacity_threshold(margin, capacity)
    flagged = int(np.sum(margin >= t))
    assert flagged == max(1, round(capacity * n))


def test_capacity_threshold_refuses_bad_capacity():
    with pytest.raises(ConfigError, match=r"review capacity must be in \(0, 1\), got 1\.5"):
        capacity_threshold(np.arange(10.0), 1.5)


def test_session_model_threshold_fills_capacity_on_validation(trained):
    assert trained.metrics["valid_flag_rate"] == pytest.approx(0.05, abs=0.002)
    assert trained.bundle.bands.capacity == 0.05
    assert trained.bundle.threshold == pytest.approx(
        float(trained.bundle.calibrator.predict(trained.bundle.threshold_margin))
    )


def test_bands_split_low_medium_high_at_the_margins():
    bands = Bands(
        0.05, flag_margin=1.0, high_margin=2.0, flag_probability=0.3, high_probability=0.6
    )
    got = bands.band(np.array([-5, 0.999, 1.0, 1.5, 2.0, 9]))
    assert got.tolist() == ["low", "low", "medium", "medium", "high", "high"]
    assert [bands.band_one(v) for v in (0.5, 1.0, 2.0)] == ["low", "medium", "high"]


def test_band_evidence_counts_cases_and_confirmed_violations_per_band():
    bands = Bands(
        0.05, flag_margin=1.0, high_margin=2.0, flag_probability=0.3, high_probability=0.6
    )
    margin = np.array([-5, 0.999, 1.0, 1.5, 2.0, 9, 0.0])
    labels = np.array([1, 0, 0, 1, 1, 1, 0])
    assert band_evidence(bands, margin, labels) == {
        "low": {"cases": 3, "confirmed": 1},
        "medium": {"cases": 2, "confirmed": 1},
        "high": {"cases": 2, "confirmed": 2},
    }


def test_top_k_breaks_ties_fairly_not_by_row_order():
    score = np.zeros(1000)
    picks = [np.flatnonzero(top_k_mask(score, 0.1, seed=s)) for s in range(3)]
    assert all(p.size == 100 for p in picks)
    assert picks[0].mean() == pytest.approx(500, abs=120)
    assert not np.array_equal(picks[0], picks[1])


def test_score_metrics_agree_with_sklearn_and_hand_counts():
    rng = np.random.default_rng(2)
    y = (rng.uniform(size=2000) < 0.1).astype(int)
    p = np.clip(0.1 + 0.5 * y * rng.uniform(size=2000) + rng.normal(0, 0.05, 2000), 0, 1)
    flagged = top_k_mask(p, 0.05)
    m = score_metrics(y, p, flagged)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, p), abs=1e-12)
    tp = int(np.sum(flagged & (y == 1)))
    assert m["precision_at_capacity"] == tp / 100
    assert m["recall_at_capacity"] == tp / y.sum()
    assert m["lift_at_capacity"] == pytest.approx((tp / 100) / y.mean())
    assert m["brier"] == pytest.approx(np.mean((p - y) ** 2))


def test_score_metrics_with_one_class_leave_auc_undefined():
    m = score_metrics(np.zeros(10, dtype=int), np.linspace(0, 1, 10), np.ones(10, dtype=bool))
    assert m["roc_auc"] is None and m["pr_auc"] is None and m["recall_at_capacity"] is None


def test_rule_counts_get_ranking_metrics_but_no_calibration_metrics():
    y = np.array([0, 1, 1, 0, 0, 1, 0, 0])
    count = np.array([0.0, 3.0, 2.0, 0.0, 1.0, 2.0, 0.0, 0.0])
    m = score_metrics(y, count, count >= 2, probabilistic=False)
    assert m["brier"] is None and m["ece"] is None
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, count))
    assert m["precision_at_capacity"] == 1.0 and m["recall_at_capacity"] == 1.0
