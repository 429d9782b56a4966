"""The simulated drift scenario, caught and attributed; a month against itself flags nothing."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import polars as pl
import pytest

from models import TrainResult
from models.monitoring import AlertPolicy, AlertRule, build_profile, monitor
from risk.settings import MonitorSettings
from risk.synth import NEW_POST, DriftScenario, synthesize

pytestmark = pytest.mark.slow

DRIFT_FROM = dt.date(2023, 10, 1)
#: What the new post changes, as the model's features see it.
SHIFTED = {
    "visa_type",
    "purpose",
    "intended_stay_days",
    "stay_vs_norm_ratio",
    "funds_per_day_usd",
    "image_quality_score",
}


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """Features of a one-year world (2,500 applications a month) with the new post from October."""
    import features
    from risk.io import load_tables

    out = tmp_path_factory.mktemp("drift")
    synthesize(30_000, 7, out, years=1, drift=DriftScenario("new-post", DRIFT_FROM))
    apps = pl.read_parquet(out / "applications.parquet")
    moved = apps.filter(pl.col("place_of_application") == NEW_POST)
    assert moved["submitted_at"].min() >= dt.datetime(2023, 10, 1)
    assert moved.height / apps.filter(
        pl.col("submitted_at") >= dt.datetime(2023, 10, 1)
    ).height == (pytest.approx(0.35, abs=0.02))
    return features.build_features(load_tables(out)).collect()


def _between(frame: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    t = pl.col("submitted_at")
    return frame.filter(
        (t >= dt.datetime.combine(start, dt.time())) & (t < dt.datetime.combine(end, dt.time()))
    )


def _with_reference(bundle, rows: pl.DataFrame):
    out = copy.copy(bundle)
    out.reference = build_profile(out, rows.select(out.schema.names), MonitorSettings()).to_dict()
    return out


def test_a_month_split_against_itself_flags_none(world_trained: TrainResult, drifted) -> None:
    june = _between(drifted, dt.date(2023, 6, 1), dt.date(2023, 7, 1))
    order = np.random.default_rng(0).permutation(june.height)
    half = june.height // 2
    a, b = june[np.sort(order[:half])], june[np.sort(order[half:])]
    (chunk,) = monitor(_with_reference(world_trained.bundle, a), b).chunks
    assert [n for n, f in chunk["features"].items() if f["drifted"]] == []
    assert chunk["alerts"] == []


#: A score-shift rule at half the default PSI threshold: the model weighs the new post's
#: features less than the document checks, so from November its monthly score PSI sits just
#: under the default 0.1 (0.092 and 0.100), while no month before the post reaches 0.035.
SCORE_SHIFT = AlertPolicy((AlertRule("score shift", "score_psi", threshold=0.05),))


def test_the_new_post_is_flagged_and_attributed(world_trained: TrainResult, drifted) -> None:
    bundle = _with_reference(
        world_trained.bundle, _between(drifted, dt.date(2023, 7, 1), DRIFT_FROM)
    )
    after = _between(drifted, DRIFT_FROM, dt.date(2024, 1, 1))
    report = monitor(bundle, after, time="submitted_at", by="month", policy=SCORE_SHIFT)
    assert [c["start"][:7] for c in report.chunks] == ["2023-10", "2023-11", "2023-12"]
    for chunk in report.chunks:
        flagged = {n for n, f in chunk["features"].items() if f["drifted"]}
        assert flagged >= SHIFTED, chunk["start"]
        # the scores moved, and the features that moved them most are the new post's
        assert [a["rule"] for a in chunk["alerts"]] == ["score shift"]
        assert set(list(chunk["attribution"])[:3]) == {
            "funds_per_day_usd",
            "image_quality_score",
            "purpose",
        }
        assert sum(chunk["attribution"].values()) == pytest.approx(chunk["margin_shift"], abs=1e-9)
    # the default rules catch the first month of the new post
    (october,) = monitor(bundle, _between(after, DRIFT_FROM, dt.date(2023, 11, 1))).chunks
    assert [a["rule"] for a in october["alerts"]] == ["score shift"]


def test_the_months_before_the_new_post_raise_no_score_shift(world_trained, drifted) -> None:
    """The control for the rule above: the same rule over the six months before the reference."""
    bundle = _with_reference(
        world_trained.bundle, _between(drifted, dt.date(2023, 7, 1), DRIFT_FROM)
    )
    before = _between(drifted, dt.date(2023, 1, 1), dt.date(2023, 7, 1))
    report = monitor(bundle, before, time="submitted_at", by="month", policy=SCORE_SHIFT)
    assert len(report.chunks) == 6
    assert [c["alerts"] for c in report.chunks] == [[]] * 6
