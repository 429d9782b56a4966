"""Monitoring a model: the reference profile, drift verdicts, attribution, estimate, fairness."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from models_tables import make_table

from models import TrainResult, load_bundle
from models.monitoring import (
    PROFILE_FILE,
    AlertPolicy,
    build_profile,
    monitor,
    reference_profile,
    write_html,
)
from risk.errors import MonitorError, SpecError
from risk.settings import FairnessSettings, MonitorSettings

FEATURES = ["amount", "x2", "x3", "x4", "x5", "region", "prior_flag"]


@pytest.fixture(scope="module")
def halves() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two random halves of one table: the same distribution on both sides."""
    table = make_table(8000, seed=3).with_columns(pl.col("opened_at").str.to_datetime())
    order = np.random.default_rng(0).permutation(table.height)
    a, b = table[np.sort(order[:4000])], table[np.sort(order[4000:])]
    return a, b


@pytest.fixture(scope="module")
def half_bundle(trained: TrainResult, halves: tuple[pl.DataFrame, pl.DataFrame]):
    """The session's model with a reference profile made from the first half."""
    bundle = copy.copy(trained.bundle)
    bundle.reference = build_profile(
        bundle, halves[0].select(FEATURES), MonitorSettings()
    ).to_dict()
    return bundle


def test_training_saves_the_profile_beside_the_bundle(
    trained: TrainResult, saved_bundle: Path
) -> None:
    assert (saved_bundle / PROFILE_FILE).is_file()
    loaded = load_bundle(saved_bundle)
    assert loaded.reference == json.loads(json.dumps(trained.bundle.reference))
    profile = reference_profile(loaded)
    # the test split: the last 20% of 6000 hourly rows
    assert (profile.model, profile.rows) == (loaded.version, 1200)
    assert profile.start == trained.splits["test"]["time_min"]
    assert list(profile.features) == FEATURES
    assert profile.features["region"].treated_as == "categorical"
    assert profile.features["prior_flag"].treated_as == "categorical"
    assert sum(profile.features["amount"].counts) == 1200
    assert profile.flag_rate == pytest.approx(float(trained.test_frame["flag"].mean()), abs=1e-12)


def test_a_half_against_the_other_half_flags_nothing(half_bundle, halves) -> None:
    report = monitor(half_bundle, halves[1])
    (chunk,) = report.chunks
    assert {n: f["drifted"] for n, f in chunk["features"].items()} == dict.fromkeys(FEATURES, False)
    assert chunk["drift_share"] == 0.0
    assert chunk["alerts"] == []


def test_a_shifted_feature_is_flagged_and_attributed(half_bundle, halves) -> None:
    current = halves[1].with_columns(pl.col("amount") + 0.5 * halves[0]["amount"].std())
    (chunk,) = monitor(half_bundle, current).chunks
    assert [n for n, f in chunk["features"].items() if f["drifted"]] == ["amount"]
    assert chunk["drift_share"] == pytest.approx(1 / 7, abs=1e-12)
    assert next(iter(chunk["attribution"])) == "amount"  # ranked by |change| first


def test_attribution_sums_to_the_margin_shift(half_bundle, halves) -> None:
    current = halves[1].with_columns(pl.col("x3") * 1.5)
    settings = MonitorSettings(attribution_rows=5000)  # the whole chunk is explained
    (chunk,) = monitor(half_bundle, current, settings=settings).chunks
    assert chunk["attribution_rows"] == 4000
    assert sum(chunk["attribution"].values()) == pytest.approx(chunk["margin_shift"], abs=1e-9)
    # the margin shift itself, from scores rather than contributions
    profile = reference_profile(half_bundle)
    margins = half_bundle.score(current.select(FEATURES)).margin
    assert chunk["margin_shift"] == pytest.approx(margins.mean() - profile.margin_mean, abs=1e-9)


def test_missing_feature_is_named_and_counted_as_drifted(half_bundle, halves) -> None:
    current = halves[1].drop("x3")
    current = current.with_columns(pl.Series("margin", half_bundle.score(halves[1]).margin))
    (chunk,) = monitor(half_bundle, current).chunks
    assert chunk["features"]["x3"]["missing"] is True
    assert chunk["features"]["x3"]["drifted"] is True
    assert chunk["drift_share"] == pytest.approx(1 / 7, abs=1e-12)
    assert chunk["attribution"] is None


def test_chunks_by_month_and_too_few_rows(half_bundle, halves) -> None:
    settings = MonitorSettings(min_rows=400)
    report = monitor(half_bundle, halves[1], settings=settings, time="opened_at", by="month")
    times = halves[1]["opened_at"]
    first = report.chunks[0]
    assert (first["start"], first["end"]) == ("2024-01-01T00:00:00", "2024-02-01T00:00:00")
    assert first["n"] == int((times < datetime(2024, 2, 1)).sum())
    assert [c["n"] for c in report.chunks] == (
        times.dt.truncate("1mo").value_counts().sort("opened_at")["count"].to_list()
    )
    last = report.chunks[-1]  # 8000 hours end on 2024-11-29: a short November
    assert last["status"] == "too few"
    assert last["why"] == f"{last['n']} rows, fewer than the minimum 400"
    assert "features" not in last and last["alerts"] == []


def test_bad_input_is_named(trained: TrainResult, half_bundle, halves) -> None:
    bare = copy.copy(trained.bundle)
    bare.reference = None
    with pytest.raises(
        MonitorError, match=f"model version {bare.version} has no reference profile"
    ):
        monitor(bare, halves[1])
    with pytest.raises(MonitorError, match="no rows"):
        monitor(half_bundle, halves[1].head(0))
    with pytest.raises(MonitorError, match="lacks the label column 'outcome'"):
        monitor(half_bundle, halves[1], label="outcome")
    with pytest.raises(MonitorError, match=r"lacks the protected attribute column nationality$"):
        monitor(half_bundle, halves[1], groups=["nationality"])
    with pytest.raises(MonitorError, match="needs a time column"):
        monitor(half_bundle, halves[1], by="month")


def test_realised_precision_and_live_fairness_by_hand(half_bundle, halves) -> None:
    current = halves[1]
    report = monitor(
        half_bundle,
        current,
        label="violation",
        groups=["gender"],
        fairness=FairnessSettings(bootstrap=50),
    )
    (chunk,) = report.chunks
    scores = half_bundle.score(current)
    y = current["violation"].to_numpy()
    assert chunk["flag_rate"] == pytest.approx(scores.flag.mean(), abs=1e-12)
    assert chunk["estimate"]["precision"] == pytest.approx(
        scores.probability[scores.flag].mean(), abs=1e-12
    )
    assert chunk["estimate"]["realised"]["precision"] == pytest.approx(
        y[scores.flag].mean(), abs=1e-12
    )
    assert chunk["estimate"]["realised"]["recall"] == pytest.approx(
        y[scores.flag].sum() / y.sum(), abs=1e-12
    )
    gender = chunk["fairness"]["gender"]
    g = current["gender"].to_numpy()
    rate = {v: scores.flag[g == v].mean() for v in ("F", "M")}
    ref = "F" if (g == "F").sum() >= (g == "M").sum() else "M"
    other = "M" if ref == "F" else "F"
    assert gender["reference"] == ref
    assert gender["groups"][other]["flag_rate"] == pytest.approx(rate[other], abs=1e-12)
    assert gender["groups"][other]["flag_rate_ratio"] == pytest.approx(
        rate[other] / rate[ref], abs=1e-12
    )
    small = monitor(
        half_bundle, current, groups=["gender"], fairness=FairnessSettings(min_group_size=5000)
    )
    assert small.chunks[0]["fairness"]["gender"]["groups"]["F"] == {
        "n": int((g == "F").sum()),
        "suppressed": True,
    }


def test_policy_rule_on_a_named_feature_suspends(tmp_path: Path, half_bundle, halves) -> None:
    policy_file = tmp_path / "alerts.toml"
    policy_file.write_text(
        '[[rule]]\nname = "amount moved"\nkind = "feature"\nfeature = "amount"\nsuspend = true\n'
    )
    policy = AlertPolicy.from_toml(policy_file)
    current = halves[1].with_columns(pl.col("amount") + 1.0)
    (chunk,) = monitor(half_bundle, current, policy=policy).chunks
    (alert,) = chunk["alerts"]
    assert (alert["rule"], alert["kind"], alert["feature"], alert["suspend"]) == (
        "amount moved",
        "feature",
        "amount",
        True,
    )
    assert alert["message"] == "amount moved: feature 'amount' drifted (None to None)"
    write_html(monitor(half_bundle, current, policy=policy), tmp_path / "monitor.html")
    html = (tmp_path / "monitor.html").read_text()
    assert "amount moved: feature &#39;amount&#39; drifted" in html
    assert 'src="http' not in html and "<script src" not in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no [[rule]] tables"),
        ("[[rule]]\nkind = 'nope'\n", "rule 1 field 'kind' is 'nope'"),
        ("[[rule]]\nkind = 'drift_share'\n", "rule 1 field 'threshold' must be a positive number"),
        ("[[rule]]\nkind = 'fairness'\nthreshold = 2\n", "rule 1 field 'threshold' does not apply"),
        (
            "[[rule]]\nkind = 'feature'\n",
            "rule 1 field 'feature' is required for kind 'feature' only",
        ),
        (
            "[[rule]]\nkind = 'divergence'\nsuspend = 'yes'\n",
            "rule 1 field 'suspend' must be true or false",
        ),
        ("[[rule]]\nkind = 'divergence'\ncolour = 1\n", "rule 1 has unknown field colour"),
        ("[[rule\n", "is not valid TOML"),
    ],
)
def test_bad_policy_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        AlertPolicy.from_toml(path)
    assert message in err.value.message
    assert str(path) in err.value.message


def test_policy_naming_an_unknown_feature(tmp_path: Path, half_bundle, halves) -> None:
    path = tmp_path / "alerts.toml"
    path.write_text("[[rule]]\nname = 'r'\nkind = 'feature'\nfeature = 'nope'\n")
    with pytest.raises(SpecError, match="rule 'r' names feature 'nope'"):
        monitor(half_bundle, halves[1], policy=AlertPolicy.from_toml(path))
