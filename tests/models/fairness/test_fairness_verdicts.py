"""Reference groups, suppression, the tolerance band and the overall verdict."""

from __future__ import annotations

import json

import polars as pl
import pytest
from fairness_tables import make_table

from models.fairness import FairnessPolicy, fairness_report
from risk.errors import RequestValidationError

FLAG_ONLY = FairnessPolicy(bootstrap=0, metrics=("flag_rate",))


def _flag_table(flagged: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """Groups with ``(n, flagged)``; labels alternate so every rate is defined."""
    cells = {}
    for g, (n, f) in flagged.items():
        # Half the flagged and half the unflagged rows are positives (rounded).
        cells[g] = (f // 2, f - f // 2, (n - f) // 2, n - f - (n - f) // 2)
    return make_table(cells)


@pytest.mark.parametrize(
    ("flagged", "verdict"), [(79, "fail"), (80, "pass"), (81, "pass"), (125, "pass"), (126, "fail")]
)
def test_band_edges(flagged, verdict):
    frame = _flag_table({"ref": (1000, 100), "other": (1000, flagged)})
    report = fairness_report(
        frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY, reference={"g": "ref"}
    )
    ratio = report.attributes["g"].groups["other"].ratios["flag_rate"]
    assert ratio.value == pytest.approx(flagged / 100)
    assert ratio.verdict == verdict
    assert report.attributes["g"].verdicts["flag_rate"].verdict == verdict
    assert report.verdict == verdict


def test_reference_is_the_largest_group_by_default():
    frame = _flag_table({"a": (300, 30), "b": (500, 50), "c": (400, 60)})
    attr = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY)
    attr = attr.attributes["g"]
    assert (attr.reference, attr.reference_reason) == ("b", "largest group")
    assert attr.groups["b"].reference and attr.groups["b"].ratios == {}
    assert attr.groups["c"].ratios["flag_rate"].value == pytest.approx(0.15 / 0.10)


def test_explicit_reference_is_honoured():
    frame = _flag_table({"a": (300, 30), "b": (500, 50), "c": (400, 60)})
    report = fairness_report(
        frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY, reference={"g": "c"}
    )
    attr = report.attributes["g"]
    assert (attr.reference, attr.reference_reason) == ("c", "given")
    assert attr.groups["b"].ratios["flag_rate"].value == pytest.approx(0.10 / 0.15)
    assert attr.verdicts["flag_rate"].failing == ("a", "b")


def test_group_of_29_is_suppressed_and_30_is_not():
    frame = _flag_table({"big": (500, 50), "g29": (29, 29), "g30": (30, 3)})
    report = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY)
    attr = report.attributes["g"]
    assert attr.groups["g29"].suppressed and not attr.groups["g30"].suppressed
    assert attr.groups["g29"].ratios == {}
    assert attr.groups["g30"].ratios["flag_rate"].value == pytest.approx(1.0)
    # The suppressed group flags everyone (ratio 10) but cannot fail the report.
    assert attr.verdicts["flag_rate"].verdict == "pass"
    assert report.verdict == "pass"
    published = json.loads(report.to_json())["attributes"]["g"]
    assert published["suppressed_groups"] == ["g29"]
    g29 = published["groups"]["g29"]
    assert g29["suppressed"] is True and g29["verdict"] == "suppressed"
    assert all(g29[k] is None for k in ("n", "tp", "fp", "tn", "fn", "flag_rate", "fpr"))
    assert g29["ratios"] == {}
    assert published["groups"]["g30"]["n"] == 30


def test_only_suppressed_groups_beside_the_reference_give_a_suppressed_verdict():
    frame = _flag_table({"big": (500, 50), "small": (10, 10)})
    report = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY)
    assert report.attributes["g"].verdicts["flag_rate"].verdict == "suppressed"
    assert report.attributes["g"].verdict == "suppressed"
    assert report.verdict == "fail"
    assert report.overall["reason"] == (
        "nothing could be assessed: every group suppressed or undefined"
    )


def test_every_group_suppressed_leaves_no_reference():
    frame = _flag_table({"a": (10, 1), "b": (12, 2)})
    report = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY)
    attr = report.attributes["g"]
    assert attr.reference is None
    assert attr.reference_reason == "every group is below min_group_size"


def test_a_suppressed_reference_is_refused():
    frame = _flag_table({"big": (500, 50), "small": (10, 10)})
    with pytest.raises(RequestValidationError) as err:
        fairness_report(
            frame,
            label="label",
            flag="flag",
            groups=["g"],
            policy=FLAG_ONLY,
            reference={"g": "small"},
        )
    assert err.value.message == (
        "table: reference value 'small' of attribute 'g' has fewer rows than "
        "min_group_size, so it is suppressed and cannot be the reference"
    )


def test_ungated_metrics_are_reported_but_do_not_decide():
    # FNR differs hugely, but only flag_rate is gated.
    frame = make_table({"ref": (50, 50, 850, 50), "other": (90, 10, 890, 10)})
    report = fairness_report(frame, label="label", flag="flag", groups=["g"], policy=FLAG_ONLY)
    verdicts = report.attributes["g"].verdicts
    assert verdicts["fnr"].verdict == "fail" and not verdicts["fnr"].gated
    assert verdicts["flag_rate"].verdict == "pass"
    assert report.verdict == "pass"


def test_ci_rule_needs_the_interval_outside_the_band():
    small = _flag_table({"ref": (100, 20), "other": (100, 15)})  # ratio 0.75, wide CI
    large = _flag_table({"ref": (20000, 4000), "other": (20000, 3000)})  # 0.75, narrow CI
    point = FairnessPolicy(bootstrap=200, metrics=("flag_rate",), verdict_rule="point")
    ci = FairnessPolicy(bootstrap=200, metrics=("flag_rate",), verdict_rule="ci")
    for frame, expected in ((small, "pass"), (large, "fail")):
        kw = {"label": "label", "flag": "flag", "groups": ["g"], "reference": {"g": "ref"}}
        by_point = fairness_report(frame, policy=point, **kw)
        by_ci = fairness_report(frame, policy=ci, **kw)
        r = by_ci.attributes["g"].groups["other"].ratios["flag_rate"]
        assert by_point.verdict == "fail"
        assert by_ci.verdict == expected, r
        assert (r.ci[0] > 0.8) is False
        assert (r.ci[1] < 0.8) is (expected == "fail")


def test_intersections_are_named_with_a_bar_and_missing_values_kept(scored):
    frame = scored.with_columns(
        nationality=pl.when(pl.int_range(pl.len()) % 50 == 0)
        .then(None)
        .otherwise(pl.col("nationality"))
    )
    report = fairness_report(
        frame,
        label="label",
        flag="flagged",
        groups=["sex", "nationality"],
        intersections=True,
        policy=FairnessPolicy(bootstrap=0),
    )
    assert list(report.attributes) == ["sex", "nationality", "sex|nationality"]
    assert report.attributes["sex|nationality"].columns == ("sex", "nationality")
    assert report.attributes["nationality"].groups["<missing>"].n == 80
    assert "F|IDN" in report.attributes["sex|nationality"].groups
    assert sum(g.n for g in report.attributes["sex|nationality"].groups.values()) == 4000


def test_key_ratios_are_flat_and_match_the_verdicts(scored, fast_policy):
    report = fairness_report(
        scored,
        label="label",
        score="score",
        threshold=0.6,
        groups=["sex", "nationality"],
        intersections=True,
        policy=fast_policy,
    )
    keys = report.key_ratios()
    assert keys["fairness.pass"] == (1.0 if report.verdict == "pass" else 0.0)
    v = report.attributes["sex|nationality"].verdicts["fpr"]
    assert keys["fairness.sex_nationality.fpr.min_ratio"] == v.min_ratio
    assert keys["fairness.sex_nationality.fpr.max_ratio"] == v.max_ratio
    assert all(isinstance(x, float) for x in keys.values())
    assert len(keys) == 1 + 3 * 4 * 2


def test_published_json_has_the_documented_shape(scored, fast_policy):
    report = fairness_report(
        scored, label="label", score="score", threshold=0.6, groups=["sex"], policy=fast_policy
    )
    data = json.loads(report.to_json())
    assert set(data) == {"format", "policy", "inputs", "overall", "attributes", "verdict"}
    assert data["verdict"] in {"pass", "fail"}
    sex = data["attributes"]["sex"]
    assert set(sex) >= {"reference", "groups", "verdicts", "verdict"}
    group = sex["groups"]["M" if sex["reference"] == "F" else "F"]
    for key in ("n", "tp", "fp", "tn", "fn", "flag_rate", "fpr", "fdr", "fnr", "tpr"):
        assert key in group
    assert 0.0 <= group["fpr"] <= 1.0 and 0.0 <= group["auc"] <= 1.0
    assert set(group["ratios"]) == {"flag_rate", "fpr", "fdr", "fnr"}
    lo, hi = group["ratios"]["fpr"]["ci"]
    assert lo <= group["ratios"]["fpr"]["value"] <= hi
    assert data["policy"]["bootstrap"] == 50
