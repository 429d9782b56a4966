"""`risk demo`, the README's main job, end to end on a small world (without serving)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from risk.settings import Settings
from serving._demo import DEMO_USERS, run_demo
from serving.store import Decision, Store, User
from serving.store import Score as ScoreRow

# A world, a model and a simulated year; one worker runs the module, so they are built
# once, not on each worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data")
    model = base.model.model_copy(update={"num_threads": 1, "max_rounds": 80})
    fairness = base.fairness.model_copy(update={"bootstrap": 20})
    settings = base.model_copy(update={"model": model, "fairness": fairness})
    steps: list[str] = []
    result = run_demo(settings, applications=4000, step=lambda what, f: steps.append(what))
    return settings, result, steps


def test_demo_registers_a_champion_trained_on_the_history(demo):
    settings, result, _ = demo
    from experiments import champion_bundle_dir

    assert result.registry_version == "1"
    # The synthetic world's built-in disparities fail the fairness gate: the demo waives it.
    assert result.promotion == (
        "version 1 failed fairness; promoted under a waiver requested by ayu (analyst)"
        " and approved by budi (supervisor, a second person)"
    )
    from experiments import promotion_history

    waiver = promotion_history(settings)[-1]["waiver"]
    assert (waiver["requested_by"], waiver["approved_by"], waiver["approver_role"]) == (
        "ayu",
        "budi",
        "supervisor",
    )
    champion = champion_bundle_dir(settings)
    assert champion is not None and (Path(champion) / "model.txt").is_file()
    bundle = json.loads((Path(champion) / "bundle.json").read_text())
    assert bundle["label_cutoff"] == "2025-01-01T00:00:00"  # trained on the history only


def test_demo_operates_a_year_through_the_service(demo):
    settings, result, steps = demo
    apps = pl.read_parquet(result.world_dir / "applications.parquet")
    year = apps.filter(pl.col("submitted_at") >= dt.datetime(2025, 1, 1)).height
    store = Store(settings.database_url)
    with store.reading() as session:
        outcomes = Counter(session.scalars(sa.select(ScoreRow.outcome)))
        decided_months = set(
            session.scalars(sa.select(sa.func.strftime("%Y-%m", Decision.created_at)))
        )
        deciders = set(
            session.scalars(
                sa.select(User.username).join(Decision, Decision.officer_id == User.user_id)
            )
        )
    store.dispose()
    assert (result.first_month, result.last_month) == ("2025-01", "2025-12")
    assert (result.scored, outcomes.total()) == (year, year)
    assert result.review == outcomes["review"]
    assert decided_months == {f"2025-{m:02d}" for m in range(1, 13)}
    assert deciders == {"siti", "dewi", "agus"}
    months = [s for s in steps if s.startswith("[ipw] 2025-")]
    assert [s[6:13] for s in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert (result.simulation_dir / "simulation.json").is_file()


def test_demo_creates_one_user_per_role_with_password_and_token(demo):
    _, result, _ = demo
    assert [(c[0], c[1]) for c in result.credentials] == list(DEMO_USERS)
    assert all(c[2] and c[3].startswith("amk_") for c in result.credentials)


def test_demo_store_audit_chain_is_intact(demo):
    settings, result, _ = demo
    from serving.services import verify_chain
    from serving.store import Store

    store = Store(settings.database_url)
    with store.reading() as session:
        report = verify_chain(session)
    store.dispose()
    assert report.ok, report
    assert report.entries >= result.scored


def test_the_demo_year_has_a_new_post_the_monitor_catches(demo):
    from serving.services import kill_switch_on, list_alerts

    settings, result, _ = demo
    assert result.drift_from == dt.date(2025, 10, 1)
    report = json.loads((result.monitor_dir / "monitor.json").read_text())
    assert (result.monitor_dir / "monitor.html").is_file()
    chunks = {c["start"][:7]: c for c in report["chunks"]}
    assert sorted(chunks) == [f"2025-{m:02d}" for m in range(1, 13)]
    new_post = {"visa_type", "purpose", "intended_stay_days", "stay_vs_norm_ratio"}
    new_post |= {"funds_per_day_usd", "image_quality_score"}
    for month in ("2025-10", "2025-11", "2025-12"):
        drifted = {n for n, f in chunks[month]["features"].items() if f["drifted"]}
        assert new_post <= drifted, month
    for month, chunk in chunks.items():
        if month < "2025-10" and chunk["status"] == "tested":
            drifted = {n for n, f in chunk["features"].items() if f["drifted"]}
            assert not {"visa_type", "purpose"} & drifted, month
    store = Store(settings.database_url)
    with store.reading() as session:
        stored = [a.message for a in list_alerts(session, limit=100)]
        assert kill_switch_on(session) is None  # the default rules never suspend
    store.dispose()
    assert sorted(stored) == sorted(result.monitor_alerts)
    assert any(m.startswith("score shift") and "2025-11-01" in m for m in stored)


def test_demo_records_where_its_simulated_clock_stopped(demo):
    settings, result, _ = demo
    record = json.loads((settings.data_dir / "simulated_clock.json").read_text())
    assert record["simulated"] == "2026-01-01T00:00:00" == result.ended_at.isoformat()


def test_demo_officers_and_supervisor_belong_to_teams(demo):
    settings, _, _ = demo
    from serving.services import list_teams
    from serving.store import Team

    store = Store(settings.database_url)
    with store.reading() as session:
        members = session.execute(
            sa.select(Team.name, User.username)
            .join(User, User.team_id == Team.team_id)
            .order_by(Team.name, User.username)
        ).all()
        teams = list_teams(session)
    store.dispose()
    assert members == [
        ("Ngurah Rai", "agus"),
        ("Soekarno-Hatta", "budi"),
        ("Soekarno-Hatta", "dewi"),
        ("Soekarno-Hatta", "siti"),
    ]
    assert teams == [("Ngurah Rai", 1), ("Soekarno-Hatta", 3)]
