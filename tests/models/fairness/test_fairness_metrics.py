"""Group metrics against fairlearn's MetricFrame and hand counts."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from fairness_tables import make_table
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, precision_score, roc_auc_score

from models.fairness import FairnessPolicy, fairness_report


def _cell(i: int):
    def metric(y_true, y_pred):
        tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
        return float((tp, fp, tn, fn)[i])

    return metric


def _fdr(y_true, y_pred):
    _, fp, _, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return fp / (tp + fp)


FLAG_METRICS = {
    "n": count,
    "tp": _cell(0),
    "fp": _cell(1),
    "tn": _cell(2),
    "fn": _cell(3),
    "flag_rate": selection_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tpr": true_positive_rate,
    "precision": lambda a, b: precision_score(a, b, zero_division=np.nan),
    "fdr": _fdr,
}


def _metric_frame(frame: pl.DataFrame, sensitive: list[str]) -> MetricFrame:
    return MetricFrame(
        metrics=FLAG_METRICS,
        y_true=frame["label"].to_numpy(),
        y_pred=frame["flagged"].to_numpy(),
        sensitive_features=frame.select(sensitive).to_pandas(),
    )


@pytest.mark.parametrize(
    ("sensitive", "attribute"),
    [
        (["sex"], "sex"),
        (["nationality"], "nationality"),
        (["sex", "nationality"], "sex|nationality"),
    ],
)
def test_group_metrics_equal_fairlearn_metricframe(scored, sensitive, attribute):
    report = fairness_report(
        scored,
        label="label",
        flag="flagged",
        score="score",
        groups=["sex", "nationality"],
        intersections=True,
        policy=FairnessPolicy(bootstrap=0, min_group_size=1),
    )
    by_group = _metric_frame(scored, sensitive).by_group
    groups = report.attributes[attribute].groups
    assert len(groups) == len(by_group)
    for key, row in by_group.iterrows():
        value = "|".join(key) if isinstance(key, tuple) else key
        g = groups[value]
        for name in ("n", "tp", "fp", "tn", "fn"):
            assert getattr(g, name) == row[name], (value, name)
        for name in ("flag_rate", "fpr", "fnr", "tpr", "precision", "fdr"):
            assert g.rates[name] == pytest.approx(row[name], abs=1e-12, rel=0), (value, name)


@pytest.mark.parametrize("sensitive", [["sex"], ["sex", "nationality"]])
def test_auc_equals_sklearn_through_metricframe(scored, sensitive):
    report = fairness_report(
        scored,
        label="label",
        score="score",
        threshold=0.6,
        groups=["sex", "nationality"],
        intersections=True,
        policy=FairnessPolicy(bootstrap=0),
    )
    mf = MetricFrame(
        metrics=roc_auc_score,
        y_true=scored["label"].to_numpy(),
        y_pred=scored["score"].to_numpy(),
        sensitive_features=scored.select(sensitive).to_pandas(),
    )
    groups = report.attributes["|".join(sensitive)].groups
    for key, auc in mf.by_group.items():
        value = "|".join(key) if isinstance(key, tuple) else key
        assert groups[value].auc == pytest.approx(auc, abs=1e-12, rel=0)


def _ece_reference(y: np.ndarray, s: np.ndarray, bins: int) -> float:
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mask = (s >= lo) & ((s < hi) if b < bins - 1 else (s <= hi))
        if mask.any():
            total += mask.sum() / len(y) * abs(s[mask].mean() - y[mask].mean())
    return total


@pytest.mark.parametrize("bins", [1, 10, 15])
def test_ece_equals_a_direct_loop_over_bins(scored, bins):
    report = fairness_report(
        scored,
        label="label",
        score="score",
        threshold=0.6,
        groups=["sex"],
        policy=FairnessPolicy(bootstrap=0, calibration_bins=bins),
    )
    for value, g in report.attributes["sex"].groups.items():
        part = scored.filter(pl.col("sex") == value)
        ref = _ece_reference(part["label"].to_numpy(), part["score"].to_numpy(), bins)
        assert g.ece == pytest.approx(ref, abs=1e-12)
    ref_all = _ece_reference(scored["label"].to_numpy(), scored["score"].to_numpy(), bins)
    assert report.overall["ece"] == pytest.approx(ref_all, abs=1e-12)


def test_score_of_exactly_one_and_threshold_boundary_are_flagged():
    frame = pl.DataFrame({"label": [1, 0] * 20, "score": [1.0, 0.5] * 20, "g": ["a"] * 40})
    report = fairness_report(
        frame,
        label="label",
        score="score",
        threshold=0.5,
        groups=["g"],
        policy=FairnessPolicy(bootstrap=0),
    )
    g = report.attributes["g"].groups["a"]
    assert (g.tp, g.fp, g.tn, g.fn) == (20, 20, 0, 0)
    assert g.ece == pytest.approx(0.25)  # bin 5: mean score 0.5, rate 0; bin 9: 1.0 vs 1


def test_zero_denominators_are_null_with_reasons_never_nan():
    # "nopos" has no positives (FNR, TPR undefined); "noflag" flags nothing (FDR, precision).
    frame = make_table({"ref": (20, 10, 60, 10), "nopos": (0, 5, 35, 0), "noflag": (0, 0, 30, 10)})
    report = fairness_report(
        frame, label="label", flag="flag", groups=["g"], policy=FairnessPolicy(bootstrap=20)
    )
    data = json.loads(report.to_json(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    groups = data["attributes"]["g"]["groups"]
    assert groups["nopos"]["fnr"] is None and groups["nopos"]["tpr"] is None
    assert groups["nopos"]["undefined"] == {
        "fnr": "no actual positives (FN+TP) in this group",
        "tpr": "no actual positives (TP+FN) in this group",
    }
    assert groups["noflag"]["fdr"] is None and groups["noflag"]["precision"] is None
    assert groups["noflag"]["flag_rate"] == 0.0
    fnr = groups["nopos"]["ratios"]["fnr"]
    assert fnr["value"] is None
    assert fnr["reason"] == "rate undefined in the group (zero denominator)"
    assert fnr["verdict"] == "undefined"
    assert groups["noflag"]["ratios"]["fdr"]["verdict"] == "undefined"
    assert data["attributes"]["g"]["verdicts"]["fdr"]["undefined_groups"] == ["noflag"]


def test_zero_over_zero_passes_and_infinite_ratio_fails():
    # Reference flags nothing among negatives (FPR 0); "same" also 0 -> 0/0; "more" > 0 -> inf.
    frame = make_table({"ref": (30, 0, 70, 0), "same": (10, 0, 40, 0), "more": (10, 5, 35, 0)})
    policy = FairnessPolicy(bootstrap=0, metrics=("fpr",))
    report = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=policy)
    groups = report.attributes["g"].groups
    same, more = groups["same"].ratios["fpr"], groups["more"].ratios["fpr"]
    assert (same.value, same.verdict) == (None, "pass")
    assert same.reason == "0/0: both rates are 0 (equal, counted as pass)"
    assert (more.value, more.verdict) == (None, "fail")
    assert more.reason == "reference rate is 0 and group rate is not (ratio infinite)"
    assert report.attributes["g"].verdicts["fpr"].failing == ("more",)
    assert report.verdict == "fail"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 1), st.integers(0, 1)),
        min_size=1,
        max_size=200,
    )
)
def test_counts_partition_the_rows(rows):
    frame = pl.DataFrame(rows, schema=["g", "label", "flag"], orient="row")
    report = fairness_report(
        frame,
        label="label",
        flag="flag",
        groups=["g"],
        policy=FairnessPolicy(bootstrap=0, min_group_size=1),
    )
    groups = report.attributes["g"].groups
    assert sum(g.n for g in groups.values()) == len(rows) == report.overall["n"]
    for value, g in groups.items():
        mine = [r for r in rows if r[0] == value]
        assert g.tp == sum(1 for _, y, f in mine if y == 1 and f == 1)
        assert g.fp == sum(1 for _, y, f in mine if y == 0 and f == 1)
        assert g.tp + g.fp + g.tn + g.fn == g.n == len(mine)
