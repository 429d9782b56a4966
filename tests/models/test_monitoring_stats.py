"""Oracles for the drift statistics: scipy on the same inputs, and hand computations."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from models.monitoring import chi2_p_value, estimate, js_distance, ks_p_value, psi, wasserstein_norm
from models.monitoring._drift import feature_drift
from models.monitoring._profile import FeatureProfile
from models.monitoring._stats import bin_counts, quantile_edges
from risk.settings import MonitorSettings


def test_psi_by_hand_on_a_small_table() -> None:
    ref, cur = np.array([50, 30, 20]), np.array([20, 30, 50])
    # shares .5/.3/.2 against .2/.3/.5: (.2-.5)ln(.2/.5) + 0 + (.5-.2)ln(.5/.2)
    expected = 2 * 0.3 * math.log(2.5)
    assert psi(ref, cur, epsilon=1e-4) == pytest.approx(expected, abs=1e-12)


def test_psi_uses_epsilon_for_an_empty_bin() -> None:
    ref, cur = np.array([10, 0]), np.array([5, 5])
    # reference share 0 becomes 1e-4 (shares are not renormalised)
    expected = (0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert psi(ref, cur, epsilon=1e-4) == pytest.approx(expected, abs=1e-12)


def test_js_distance_by_hand_base_2() -> None:
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.0, 0.5, 0.5])
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        keep = a > 0
        return float(np.sum(a[keep] * np.log2(a[keep] / b[keep])))

    expected = math.sqrt(0.5 * kl(p, m) + 0.5 * kl(q, m))
    assert expected == pytest.approx(math.sqrt(0.5), abs=1e-12)  # and the hand value is known
    assert js_distance(np.array([5, 5, 0]), np.array([0, 5, 5])) == pytest.approx(
        expected, abs=1e-12
    )
    assert js_distance(np.array([3, 7]), np.array([30, 70])) == 0.0


def test_wasserstein_norm_by_hand_for_equal_samples() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 2, 500), rng.normal(0.5, 2, 500)
    by_hand = float(np.mean(np.abs(np.sort(a) - np.sort(b)))) / float(np.std(a))
    assert wasserstein_norm(a, b) == pytest.approx(by_hand, abs=1e-12)
    assert wasserstein_norm(a, b) == pytest.approx(
        stats.wasserstein_distance(a, b) / np.std(a), abs=1e-12
    )


def test_ks_and_chi2_equal_scipy() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 300), rng.normal(0.2, 1, 400)
    # 300 x 400 pairs: scipy's own choice (exact here)
    assert ks_p_value(a, b) == pytest.approx(stats.ks_2samp(a, b).pvalue, abs=1e-12)
    ref, cur = np.array([40, 30, 30, 0]), np.array([20, 35, 45, 0])
    # by hand: Pearson's statistic on the 2x3 table (the all-zero category dropped), dof 2
    table = np.array([[40, 30, 30], [20, 35, 45]], dtype=float)
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    x2 = float(((table - expected) ** 2 / expected).sum())
    assert chi2_p_value(ref, cur) == pytest.approx(stats.chi2.sf(x2, 2), abs=1e-12)


def test_chi2_with_one_category_has_nothing_to_test() -> None:
    assert chi2_p_value(np.array([5, 0]), np.array([7, 0])) == 1.0


def test_bins_are_open_at_both_ends_and_count_missing() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    edges = quantile_edges(values, 2)  # the median of 1..4
    assert edges.tolist() == [2.5]
    assert bin_counts(np.array([-100.0, 2.5, 2.6, 1e9, np.nan, np.nan]), edges).tolist() == [
        2,
        2,
        2,
    ]


def _numeric_profile(values: np.ndarray) -> FeatureProfile:
    edges = quantile_edges(values, 10)
    return FeatureProfile(
        "x",
        "numeric",
        "numeric",
        bin_counts(values, edges).tolist(),
        0.0,
        edges=edges.tolist(),
        sample=values.tolist(),
    )


def test_feature_drift_reports_scipy_statistics_on_its_inputs() -> None:
    rng = np.random.default_rng(3)
    ref, cur = rng.normal(0, 1, 2000), rng.normal(0.3, 1, 1500)
    out = feature_drift(_numeric_profile(ref), pl.Series("x", cur), 2000, MonitorSettings())
    # 2000 x 1500 pairs: above KS_EXACT_PAIRS, scipy's asymptotic p-value
    asymp = stats.ks_2samp(ref, cur, method="asymp").pvalue
    assert out["p_value"] == pytest.approx(asymp, abs=1e-12)
    assert out["wasserstein_norm"] == pytest.approx(
        stats.wasserstein_distance(ref, cur) / np.std(ref), abs=1e-12
    )
    assert (out["test"], out["n_reference"], out["n_current"]) == ("ks", 2000, 1500)
    assert out["drifted"] is (out["wasserstein_norm"] >= 0.1)


def test_large_reference_uses_distance_not_p_value() -> None:
    # 20,000 rows, a 0.05 sd shift: KS calls it significant, the distance rule does not
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(0, 1, 20_000), rng.normal(0.05, 1, 20_000)
    out = feature_drift(_numeric_profile(ref), pl.Series("x", cur), 20_000, MonitorSettings())
    assert out["p_value"] < 0.05
    assert out["wasserstein_norm"] < 0.1
    assert out["drifted"] is False


def test_small_reference_uses_p_value_not_distance() -> None:
    # 200 rows, a 0.12 sd shift: the distance passes 0.1, KS does not reject
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(0, 1, 200), rng.normal(0.12, 1, 200)
    out = feature_drift(_numeric_profile(ref), pl.Series("x", cur), 200, MonitorSettings())
    assert out["wasserstein_norm"] >= 0.1
    assert out["p_value"] >= 0.05
    assert out["drifted"] is False


def test_categorical_drift_counts_new_and_missing_categories() -> None:
    ref = FeatureProfile("r", "categorical", "categorical", [60, 40], 0.0, categories=["a", "b"])
    cur = pl.Series("r", ["a"] * 30 + ["c"] * 10 + [None] * 10)
    out = feature_drift(ref, cur, 100, MonitorSettings())
    # categories a, b, then c and (missing) in sorted order; reference counts 0 for the new ones
    assert out["psi"] == pytest.approx(
        psi(np.array([60, 40, 0, 0]), np.array([30, 0, 10, 10]), epsilon=1e-4), abs=1e-12
    )
    assert out["p_value"] == pytest.approx(
        stats.chi2_contingency(
            np.array([[60, 40, 0, 0], [30, 0, 10, 10]])[:, :], correction=False
        ).pvalue,
        abs=1e-12,
    )
    assert out["drifted"] is True


def test_cbpe_estimate_by_hand() -> None:
    prob = np.array([0.9, 0.5, 0.2, 0.1])
    flag = np.array([True, True, False, False])
    out = estimate(prob, flag)
    assert out["precision"] == pytest.approx(0.7, abs=1e-12)
    assert out["recall"] == pytest.approx(1.4 / 1.7, abs=1e-12)
    sd = math.sqrt(0.9 * 0.1 + 0.5 * 0.5) / 2
    assert out["precision_interval"] == pytest.approx(
        [0.7 - 1.959963984540054 * sd, 1.0], abs=1e-12
    )
    assert out["realised"] is None and out["diverged"] is None


def test_realised_figures_with_horvitz_thompson_weights() -> None:
    # 40 flagged, all reviewed: 30 violations; 100 unflagged, 10 in a blind sample at 10%: 2
    flag = np.array([True] * 40 + [False] * 100)
    y = np.full(140, np.nan)
    y[:40] = [1] * 30 + [0] * 10
    y[40:50] = [1, 1] + [0] * 8
    w = np.array([1.0] * 40 + [10.0] * 100)
    prob = np.full(140, 0.5)
    out = estimate(prob, flag, labels=y, weights=w)
    real = out["realised"]
    assert real["precision"] == pytest.approx(30 / 40, abs=1e-12)
    # estimated positives: 30 flagged + 2 blind x 10 = 50
    assert real["recall"] == pytest.approx(30 / 50, abs=1e-12)
    assert (real["labelled"], real["labelled_flagged"]) == (50, 40)
    # estimate 0.5 is outside the realised precision interval around 0.75: calibration drifted
    assert out["diverged"] is True


def test_live_fairness_flags_a_ratio_outside_the_band_with_its_interval() -> None:
    from models.monitoring import DEFAULT_RULES
    from models.monitoring._alerts import AlertPolicy
    from models.monitoring._fairness import live_fairness

    # A: 1000 rows, 100 flagged; B: 500 rows, 10 flagged (ratio 0.2); C: 20 rows (suppressed)
    group = ["A"] * 1000 + ["B"] * 500 + ["C"] * 20
    flag = np.array([True] * 100 + [False] * 900 + [True] * 10 + [False] * 490 + [True] * 20)
    prob = np.where(flag, 0.6, 0.05)
    out = live_fairness(
        pl.DataFrame({"nationality": group}),
        prob,
        flag,
        min_group_size=30,
        band=(0.8, 1.25),
        n_boot=200,
        seed=7,
    )["nationality"]
    assert out["reference"] == "A"
    b = out["groups"]["B"]
    assert b["flag_rate"] == pytest.approx(0.02, abs=1e-12)
    assert b["flag_rate_ratio"] == pytest.approx(0.2, abs=1e-12)
    assert b["flag_rate_interval"][1] < 0.8  # the whole interval is below the band
    assert b["outside"] is True
    assert b["hit_rate_ratio"] == pytest.approx(1.0, abs=1e-12)
    assert out["groups"]["C"] == {"n": 20, "suppressed": True}
    chunk = {"status": "tested", "fairness": {"nationality": out}, "start": "s", "end": "e"}
    alerts = AlertPolicy(DEFAULT_RULES).check(
        chunk | {"drift_share": 0.0, "score": {"psi": 0.0}, "estimate": {"diverged": False}}
    )
    assert [(a["rule"], a["value"]) for a in alerts] == [("live fairness", ["nationality=B"])]
