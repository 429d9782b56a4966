"""Review propensity: every score records how likely its application is to be reviewed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from serving.services import replay_score
from serving.store import AuditEntry, Score

pytestmark = pytest.mark.xdist_group("serving_model")


def _score_all(client, tokens, payloads) -> list[dict]:
    # a threshold override low enough that this small world's first payloads get flags
    client.put("/v1/settings/review", headers=auth(tokens["admin"]), json={"threshold": 0.007})
    return [
        client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(p)
        ).json()
        for p in payloads
    ]


def _stored(store) -> dict[str, tuple]:
    with store.reading() as session:
        rows = session.execute(
            sa.select(Score.score_id, Score.review_propensity, Score.blind_sample_rate)
        ).all()
    return {sid: (p, r) for sid, p, r in rows}


def test_every_score_logs_its_propensity(scoring_client, tokens, world, store, settings):
    settings.review.blind_sample_rate = 0.25
    scored = _score_all(scoring_client, tokens, world["payloads"][:30])
    routes = {s["route"] for s in scored}
    assert routes == {"model_flag", "blind_sample", "none"}  # the sample holds all three
    for s in scored:
        assert s["review_propensity"] == (1.0 if s["route"] == "model_flag" else 0.25)
    stored = _stored(store)
    assert stored == {s["score_id"]: (s["review_propensity"], 0.25) for s in scored}
    with store.reading() as session:
        logged = dict(
            session.execute(
                sa.select(AuditEntry.entity_id, AuditEntry.details).where(
                    AuditEntry.action == "score"
                )
            ).all()
        )
    assert {k: v["review_propensity"] for k, v in logged.items()} == {
        s["score_id"]: s["review_propensity"] for s in scored
    }


def test_under_the_kill_switch_every_propensity_is_one(scoring_client, tokens, world, store):
    scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Propensity under manual review"},
    )
    scored = _score_all(scoring_client, tokens, world["payloads"][:5])
    assert [(s["route"], s["review_propensity"]) for s in scored] == [("kill_switch", 1.0)] * 5


def test_replay_recomputes_the_propensity(scoring_client, tokens, world, store, settings, holder):
    settings.review.blind_sample_rate = 0.1
    scored = _score_all(scoring_client, tokens, world["payloads"][:12])
    unflagged = next(s for s in scored if s["route"] != "model_flag")
    flagged = next(s for s in scored if s["route"] == "model_flag")
    with store.reading() as session:
        for s in (unflagged, flagged):
            report = replay_score(session, s["score_id"], holder.bundle, settings)
            assert (report.ok, report.logged_propensity, report.replayed_propensity) == (
                True,
                s["review_propensity"],
                s["review_propensity"],
            )
    with store.transaction() as session:
        session.execute(
            sa.update(Score)
            .where(Score.score_id == unflagged["score_id"])
            .values(review_propensity=0.5)
        )
    with store.reading() as session:
        report = replay_score(session, unflagged["score_id"], holder.bundle, settings)
    assert (report.ok, report.logged_propensity, report.replayed_propensity) == (False, 0.5, 0.1)


def test_the_monitor_weighs_each_review_by_its_logged_propensity(
    scoring_client, tokens, world, store, settings, holder
):
    """Scored at a blind rate of 0.25; the rate in force when the monitor runs is 0.9.
    A blind-sample case stands for 1/0.25 = 4 unflagged applications, not 1/0.9."""
    import datetime as dt

    from serving.services._monitoring import scored_frame

    settings.review.blind_sample_rate = 0.25
    scored = _score_all(scoring_client, tokens, world["payloads"][:30])
    assert {s["route"] for s in scored} == {"model_flag", "blind_sample", "none"}
    changed = scoring_client.put(
        "/v1/settings/review", headers=auth(tokens["admin"]), json={"blind_sample_rate": 0.9}
    )
    assert changed.json()["blind_sample_rate"] == 0.9
    with store.reading() as session:
        frame = scored_frame(
            session, holder.bundle.version, dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1),
            settings,
        )  # fmt: skip
    assert frame.height == 30
    flagged = frame["flag"].to_list()
    assert sum(flagged) == sum(s["route"] == "model_flag" for s in scored)
    # every unflagged score logged 0.25 (blind-sampled or not), every flagged one 1
    assert frame["weight"].to_list() == [1.0 if f else 4.0 for f in flagged]
