"""Shadow scoring: the challenger scores every live application, never on the champion's path."""

from __future__ import annotations

import dataclasses
import logging
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from evidence_helpers import score_payloads
from serving_helpers import auth

from serving.services import ShadowScorer
from serving.store import AuditEntry, Case, Score, ShadowScore

pytestmark = pytest.mark.xdist_group("serving_model")


class Raising:
    """A challenger that fails on every application."""

    version = "raising0000"

    def score_one(self, *args, **kwargs):
        raise RuntimeError("challenger broke")


class Blocking:
    """A challenger that does not answer until the test lets it (a slow one, without timing)."""

    def __init__(self, real):
        self.real, self.gate, self.entered = real, threading.Event(), threading.Event()
        self.version = real.version

    def score_one(self, *args, **kwargs):
        self.entered.set()
        assert self.gate.wait(60), "the test never released the challenger"
        return self.real.score_one(*args, **kwargs)


@pytest.fixture
def shadow(shared_app):
    scorer = shared_app[0].state.shadow
    yield scorer
    scorer.drain()
    scorer.set_challenger(None, None)


def _rows(store, table):
    with store.reading() as session:
        return session.execute(sa.select(table.__table__)).mappings().all()


def test_the_challenger_scores_every_live_application_exactly(
    shadow, scoring_client, tokens, world, store, holder
):
    shadow.set_challenger(holder.bundle, "v2 (same)")  # the champion itself: known answers
    before = shadow.status().scored
    answers = score_payloads(scoring_client, tokens, world["payloads"][:6])
    shadow.drain()
    rows = {r["score_id"]: r for r in _rows(store, ShadowScore)}
    assert set(rows) == {a["score_id"] for a in answers}
    logged = {r["score_id"]: r for r in _rows(store, Score)}
    for sid, row in rows.items():
        assert row["model_version"] == holder.bundle.version
        assert (row["score"], row["margin"]) == (logged[sid]["score"], logged[sid]["margin"])
        assert row["would_flag"] == (logged[sid]["margin"] >= holder.bundle.threshold_margin)
        assert row["reasons"] == logged[sid]["reasons"]
    assert shadow.status().scored == before + 6


def test_a_challenger_that_raises_never_fails_a_champion_answer(
    shadow, scoring_client, tokens, world, store
):
    shadow.set_challenger(Raising(), "v9 (broken)")
    failed = shadow.status().failed
    answers = score_payloads(scoring_client, tokens, world["payloads"][:5])
    shadow.drain()
    assert [set(a) >= {"score_id", "outcome", "route"} for a in answers] == [True] * 5
    assert len(_rows(store, Score)) == 5 and _rows(store, ShadowScore) == []
    status = shadow.status()
    assert status.failed == failed + 5
    assert status.last_error == "RuntimeError: challenger broke"


def test_a_slow_challenger_never_delays_a_champion_answer(
    shadow, scoring_client, tokens, world, store, holder
):
    slow = Blocking(holder.bundle)
    shadow.set_challenger(slow, "v3 (slow)")
    answers = score_payloads(scoring_client, tokens, world["payloads"][:3])
    # every answer arrived while the challenger is still held on its first application
    assert slow.entered.wait(60) and not slow.gate.is_set()
    assert len(answers) == 3 and _rows(store, ShadowScore) == []
    slow.gate.set()
    shadow.drain()
    assert len(_rows(store, ShadowScore)) == 3


def test_the_challenger_never_changes_flag_queue_or_blind_sample(
    shadow, scoring_client, tokens, world, store, holder
):
    class FlagsEverything:
        version = "flagsall0000"

        def score_one(self, features, **kw):
            real = holder.bundle.score_one(features, **kw)
            return dataclasses.replace(real, flag=True, probability=0.99)

    shadow.set_challenger(FlagsEverything(), "v4 (flags all)")
    payloads = world["payloads"][:8]
    answers = score_payloads(scoring_client, tokens, payloads)
    shadow.drain()
    logged = {r["score_id"]: r for r in _rows(store, Score)}
    for a in answers:
        champion_flag = logged[a["score_id"]]["margin"] >= holder.bundle.threshold_margin
        assert a["route"] == ("model_flag" if champion_flag else "none")  # blind rate 0 here
    cases = _rows(store, Case)
    assert len(cases) == sum(a["route"] == "model_flag" for a in answers)
    assert [r["would_flag"] for r in _rows(store, ShadowScore)] == [True] * 8


def test_a_full_queue_drops_and_counts_instead_of_waiting(caplog, settings, holder):
    scorer = ShadowScorer(capacity=2)  # its worker is not started: nothing leaves the queue
    scorer.set_challenger(holder.bundle, "v2")
    scores = [
        SimpleNamespace(score_id=f"S{i}", application_id=f"A{i}", features={}, lang="en")
        for i in range(5)
    ]
    with caplog.at_level(logging.WARNING, logger="serving.shadow"):
        scorer.submit(None, None, settings, scores)
    status = scorer.status()
    assert (status.queued, status.dropped) == (2, 3)
    assert caplog.messages[-1] == (
        "shadow queue full (2 waiting): application A4 not scored by the challenger"
        " (3 dropped so far)"
    )


def test_supervisors_switch_it_off_with_a_reason_and_it_is_audited(
    shadow, scoring_client, tokens, world, store, holder
):
    shadow.set_challenger(holder.bundle, "v2 (same)")
    body = {"enabled": False, "reason": "Challenger under investigation"}
    for role in ("officer", "analyst", "auditor"):
        r = scoring_client.put("/v1/settings/shadow", headers=auth(tokens[role]), json=body)
        assert r.status_code == 403
    r = scoring_client.put("/v1/settings/shadow", headers=auth(tokens["supervisor"]), json=body)
    assert r.status_code == 200
    assert (r.json()["enabled"], r.json()["challenger"]) == (False, "v2 (same)")
    skipped = shadow.status().skipped
    score_payloads(scoring_client, tokens, world["payloads"][:2])
    shadow.drain()
    assert _rows(store, ShadowScore) == [] and shadow.status().skipped == skipped + 2
    with store.reading() as session:
        entry = session.execute(
            sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.details).where(
                AuditEntry.entity_id == "shadow_scoring"
            )
        ).one()
    assert entry == (
        "supervisor",
        "setting.change",
        {"old": None, "new": False, "reason": "Challenger under investigation"},
    )
    empty = scoring_client.put(
        "/v1/settings/shadow", headers=auth(tokens["admin"]), json={"enabled": True, "reason": ""}
    )
    assert empty.status_code == 422


def test_a_challenger_from_a_bundle_folder_or_a_clear_reason_why_not(world, holder, tmp_path):
    scorer = ShadowScorer(capacity=4)
    assert scorer.load_from_bundle(world["bundle"]) is None
    status = scorer.status()
    assert (status.challenger, status.challenger_version) == (
        holder.bundle.fingerprint[:8],
        holder.bundle.version,
    )
    error = scorer.load_from_bundle(tmp_path / "missing")
    assert error == (
        f"challenger not loaded from {tmp_path / 'missing'}: model bundle folder"
        f" {tmp_path / 'missing'} does not exist"
    )
    assert scorer.active is False and scorer.status().last_error == error


def test_a_challenger_registered_while_serving_is_picked_up(world, holder, tmp_path):
    import time

    from evidence_helpers import register_bundle

    from risk.settings import Settings

    registry = Settings(data_dir=tmp_path)
    scorer = ShadowScorer(capacity=4)
    assert scorer.load_from_registry(registry) is None and not scorer.active  # none yet
    assert not (tmp_path / "mlflow.db").exists()  # looking did not create a registry
    scorer.watch_registry(registry, 0.05)
    scorer.start()
    try:
        version = register_bundle(registry, world["bundle"])  # becomes the challenger
        for _ in range(600):  # the worker looks on its own thread; wait for it (max 60 s)
            if scorer.active:
                break
            time.sleep(0.1)
        status = scorer.status()
        assert status.challenger == f"v{version} ({holder.bundle.fingerprint[:8]})"
        assert status.challenger_version == holder.bundle.version
    finally:
        scorer.stop()
