"""`risk demo`, the README's main job, end to end on a small world (without serving)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from risk.settings import Settings
from serving._demo import DEMO_USERS, run_demo
from serving.store import Score as ScoreRow
from serving.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data")
    model = base.model.model_copy(update={"num_threads": 1, "max_rounds": 80})
    fairness = base.fairness.model_copy(update={"bootstrap": 20})
    settings = base.model_copy(update={"model": model, "fairness": fairness})
    steps: list[str] = []
    result = run_demo(settings, applications=4000, step=lambda what, f: steps.append(what))
    return settings, result, steps


def test_demo_registers_a_champion_and_scores_the_latest_month(demo):
    settings, result, steps = demo
    from experiments import champion_bundle_dir

    assert result.registry_version == "1"
    # The synthetic world's built-in disparities fail the fairness gate: the demo waives it.
    assert result.promotion == (
        "version 1 failed ['fairness']; promoted under a waiver requested by ayu (analyst)"
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
    apps = pl.read_parquet(result.world_dir / "applications.parquet")
    since = apps.get_column("submitted_at").max() - dt.timedelta(days=30)
    latest_month = apps.filter(pl.col("submitted_at") >= since).height
    store = Store(settings.database_url)
    with store.reading() as session:
        outcomes = Counter(session.scalars(sa.select(ScoreRow.outcome)))
    store.dispose()
    assert (result.scored, latest_month) == (167, 167)
    assert (result.review, outcomes["review"], outcomes.total()) == (6, 6, 167)
    assert any(s.startswith("scoring the latest month") for s in steps)


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
