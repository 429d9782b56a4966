"""`risk demo`, the README's main job, end to end on a small world (without serving)."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk.settings import Settings
from serving._demo import DEMO_USERS, run_demo


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
    assert "champion" in result.promotion or "waiver" in result.promotion
    champion = champion_bundle_dir(settings)
    assert champion is not None and (Path(champion) / "model.txt").is_file()
    assert result.scored > 0 and 0 <= result.review <= result.scored
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
