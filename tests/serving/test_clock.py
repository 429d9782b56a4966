"""One clock: every time the service stamps or measures comes from the clock it was given."""

from __future__ import annotations

import datetime as dt

import pytest
from serving_helpers import CLOCK_START, as_json, auth

from risk.clock import SimulatedClock, WallClock

pytestmark = pytest.mark.xdist_group("serving_model")

T0 = dt.datetime.fromisoformat(CLOCK_START)


def test_a_simulated_clock_moves_only_forward_and_when_told():
    clock = SimulatedClock(T0)
    assert clock.now() == T0
    assert clock.now() == T0  # reading does not move it
    assert clock.advance(dt.timedelta(days=2, hours=3)) == T0 + dt.timedelta(days=2, hours=3)
    assert clock.set(dt.datetime(2024, 4, 1)) == dt.datetime(2024, 4, 1)
    with pytest.raises(ValueError, match="cannot go back from 2024-04-01T00:00:00 to 2024-03-31"):
        clock.set(dt.datetime(2024, 3, 31))
    assert clock.now() == dt.datetime(2024, 4, 1)


def test_a_clock_speaks_naive_utc():
    jakarta = dt.timezone(dt.timedelta(hours=7))
    clock = SimulatedClock(dt.datetime(2024, 3, 1, 16, 0, tzinfo=jakarta))
    assert clock.now() == dt.datetime(2024, 3, 1, 9, 0)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    wall = WallClock().now()
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert wall.tzinfo is None and before <= wall <= after


def _iso(t: dt.datetime) -> str:
    return t.isoformat() + "Z"


def _score(client, tokens, payload) -> dict:
    return client.post(
        "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
    ).json()


def test_every_figure_reads_the_service_clock(clocked_client, tokens, world, sim_clock, settings):
    settings.fairness.min_group_size = 1  # percentiles of one case are shown only at 1
    c, officer = clocked_client, auth(tokens["officer"])
    c.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Clock test: every application to review"},
    )
    scored = [_score(c, tokens, p) for p in world["payloads"][:2]]
    assert [s["scored_at"] for s in scored] == [_iso(T0)] * 2
    first, second = (s["case_id"] for s in scored)

    sim_clock.advance(dt.timedelta(days=2))
    c.post(f"/v1/cases/{first}/claim", headers=officer)
    decided = c.post(
        f"/v1/cases/{first}/decisions",
        headers=officer,
        json={"outcome": "no_violation", "reason": "Consistent."},
    )
    assert decided.json()["created_at"] == _iso(T0 + dt.timedelta(days=2))

    sim_clock.advance(dt.timedelta(days=1))
    complaint = c.post(
        "/v1/complaints",
        headers=officer,
        json={"category": "delay", "description": "Slow.", "case_id": second},
    ).json()
    assert complaint["opened_at"] == _iso(T0 + dt.timedelta(days=3))
    assert complaint["due_at"] == _iso(T0 + dt.timedelta(days=3 + 14))
    waiting = {
        x["case_id"]: x["waiting_days"]
        for x in c.get("/v1/cases?status=open", headers=officer).json()["data"]
    }
    assert waiting == {second: 3.0}
    assert c.get(f"/v1/cases/{first}", headers=officer).json()["waiting_days"] == 2.0

    sim_clock.advance(dt.timedelta(days=15))
    k = c.get("/v1/kpis", headers=auth(tokens["auditor"])).json()
    assert k["as_of"] == _iso(T0 + dt.timedelta(days=18))
    assert k["processing_days"] == {"p50": 2.0, "p90": 2.0, "max": 2.0}
    assert k["backlog_age_days"] == {"p50": 18.0, "p90": 18.0, "max": 18.0}
    assert k["complaints_overdue"] == 1

    log = c.get("/v1/audit-log?limit=1000", headers=auth(tokens["auditor"])).json()["data"]
    at = {e["action"]: e["at"] for e in log}
    assert at["score"] == _iso(T0)
    assert at["decision"] == _iso(T0 + dt.timedelta(days=2))
    assert at["complaint.create"] == _iso(T0 + dt.timedelta(days=3))
