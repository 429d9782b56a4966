"""`risk simulate --challenger-months 2`: a challenger trained on the store scores the last
two months in shadow through the service's own shadow path, and the run ends with the
comparison over them.

A tiny world operated for three months (naive labels, so that one month of reviews can
train a challenger); the supervisor raises the blind-sample rate for the shadow months.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa

from risk.errors import ConfigError
from risk.settings import Settings
from serving.simulation import SimulationConfig, simulate
from serving.store import AuditEntry, Score, ShadowScore, Store

# One worker runs the module, so its simulated year is built once, not on each worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation_shadow")]

CONFIG = SimulationConfig(
    applications=2500, months=3, seed=11, correction="none", retrain="never",
    challenger_months=2, shadow_blind_rate=0.6,
)  # fmt: skip


def _settings(base) -> Settings:
    s = Settings(data_dir=base / "data")
    return s.model_copy(
        update={
            "model": s.model.model_copy(update={"num_threads": 1, "max_rounds": 60}),
            "fairness": s.fairness.model_copy(update={"bootstrap": 10}),
            "synth": s.synth.model_copy(update={"years": 2}),
            "review": s.review.model_copy(update={"capacity": 0.2, "blind_sample_rate": 0.5}),
        }
    )


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    base = tmp_path_factory.mktemp("shadow-sim")
    settings = _settings(base)
    lines: list[str] = []
    result = simulate(settings, CONFIG, base / "out", say=lines.append)
    store = Store(settings.database_url)
    yield settings, result, lines, store
    store.dispose()


def _scores(store: Store) -> pl.DataFrame:
    with store.reading() as session:
        rows = session.execute(
            sa.select(
                Score.score_id,
                Score.application_id,
                Score.created_at,
                Score.route,
                Score.review_propensity,
            )
        ).all()
    return pl.DataFrame(
        rows, schema=["score_id", "application_id", "created_at", "route", "propensity"],
        orient="row",
    )  # fmt: skip


def _shadow(store: Store) -> pl.DataFrame:
    with store.reading() as session:
        rows = session.execute(
            sa.select(ShadowScore.score_id, ShadowScore.application_id,
                      ShadowScore.model_version, ShadowScore.margin, ShadowScore.score,
                      ShadowScore.band, ShadowScore.would_flag, ShadowScore.created_at)
        ).all()  # fmt: skip
    names = ["score_id", "application_id", "model_version", "margin", "score", "band", "flag",
             "created_at"]  # fmt: skip
    return pl.DataFrame(rows, schema=names, orient="row")


def test_shadow_scores_cover_exactly_the_last_two_months(sim):
    _, result, _, store = sim
    world = result.world
    scores, shadow = _scores(store), _shadow(store)
    last_two = scores.filter(pl.col("created_at") >= world.boundaries[1])
    months = pl.concat([world.applications(i) for i in (1, 2)])
    assert sorted(last_two["application_id"]) == sorted(months["application_id"])
    assert shadow.height == last_two.height
    assert sorted(shadow["score_id"]) == sorted(last_two["score_id"])
    # each written at its live score's instant (drained before the clock moved on)
    joined = shadow.join(scores, on="score_id", suffix="_live")
    assert (joined["created_at"] == joined["created_at_live"]).all()
    doc = result.document["arms"]["none"]["shadow"]
    assert (doc["scored"], doc["failed"], doc["dropped"]) == (shadow.height, 0, 0)
    assert (doc["from"], doc["to"]) == ("2024-11-01", "2024-12-31")


def test_shadow_scores_equal_a_backtest_of_the_challenger_bit_for_bit(sim):
    from models import load_bundle
    from serving.services import backtest_store

    settings, result, _, store = sim
    doc = result.document["arms"]["none"]["shadow"]
    challenger = load_bundle(settings.data_dir / "bundles" / doc["challenger_bundle"])
    with store.reading() as session:
        replay = backtest_store(
            session, challenger, dt.date(2024, 11, 1), dt.date(2024, 12, 31),
            label=doc["challenger"],
        ).rows  # fmt: skip
    shadow = _shadow(store)
    assert set(shadow["model_version"]) == {str(challenger.version)}
    both = replay.select("score_id", "margin", "score", "band", "flag").join(
        shadow, on="score_id", suffix="_shadow"
    )
    assert both.height == replay.height == shadow.height
    for column in ("margin", "score", "band", "flag"):
        assert (both[column] == both[f"{column}_shadow"]).all(), column


def test_the_supervisor_switched_shadow_on_and_raised_the_blind_sample_with_reasons(sim):
    _, result, _, store = sim
    with store.reading() as session:
        changes = session.execute(
            sa.select(AuditEntry.actor, AuditEntry.entity_id, AuditEntry.details, AuditEntry.at)
            .where(AuditEntry.action == "setting.change")
            .order_by(AuditEntry.seq)
        ).all()
    made = [(actor, key, details["new"], at) for actor, key, details, at in changes]
    start = result.world.boundaries[1]
    assert made == [
        ("supervisor", "shadow_scoring", True, start),
        ("supervisor", "blind_sample_rate", 0.6, start),
    ]
    name = result.document["arms"]["none"]["shadow"]["challenger"]
    assert [details["reason"] for _, _, details, _ in changes] == [
        f"Challenger {name} scores live applications in shadow before any promotion decision;"
        " officers never see its scores.",
        f"A larger blind sample while challenger {name} is evaluated in shadow, so that the"
        " comparison with the champion rests on enough reviews of unflagged applications;"
        " reviewers added for the extra load.",
    ]
    scores = _scores(store).filter(pl.col("route") == "blind_sample")
    before = scores.filter(pl.col("created_at") < start)["propensity"].unique().to_list()
    after = scores.filter(pl.col("created_at") >= start)["propensity"].unique().to_list()
    assert (before, after) == ([0.5], [0.6])


def test_the_run_ends_with_the_comparison_over_the_shadow_months(sim):
    settings, result, lines, _ = sim
    arm = result.document["arms"]["none"]
    report = arm["comparison"]
    assert report["period"] == ["2024-11-01", "2024-12-31"]
    assert (report["champion"], report["challenger"]) == (
        arm["shadow"]["champion"],
        arm["shadow"]["challenger"],
    )
    assert report["n"] == arm["shadow"]["scored"]
    assert report["verdict"] in {"better", "worse", "inconclusive"}
    folder = settings.data_dir.parent / "out" / "compare-none"
    assert json.loads((folder / "compare.json").read_text()) == json.loads(
        json.dumps(report, default=str)
    )
    assert "Plotly.newPlot" in (folder / "compare.html").read_text()
    assert f"[none] comparison over the shadow months: {report['verdict']}" in lines
    saved = json.loads((settings.data_dir.parent / "out" / "simulation.json").read_text())
    assert saved["arms"]["none"]["comparison"]["verdict"] == report["verdict"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"challenger_months": 3},
            "simulate: challenger months must be from 0 to 2 (the challenger is trained on"
            " at least one operated month), not 3",
        ),
        (
            {"challenger_months": 1, "retrain": "monthly"},
            "simulate: a challenger in shadow needs retrain 'never' (a monthly retraining"
            " promotes a new model every month)",
        ),
        (
            {"shadow_blind_rate": 0.3},
            "simulate: a shadow blind-sample rate needs challenger months",
        ),
    ],
)
def test_bad_shadow_configurations_are_refused(changes, message):
    base = {"months": 3, "retrain": "never"}
    with pytest.raises(ConfigError) as err:
        SimulationConfig(**(base | changes))
    assert err.value.message == message


def test_risk_simulate_passes_the_shadow_options_on(tmp_path):
    """The CLI builds the configuration from its options (refused here before any work)."""
    from typer.testing import CliRunner

    from risk.cli import app

    args = ["simulate", "--out", str(tmp_path / "o"), "--months", "3", "--retrain", "never",
            "--challenger-months", "3", "--shadow-blind-rate", "0.3"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "challenger months must be from 0 to 2" in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()
