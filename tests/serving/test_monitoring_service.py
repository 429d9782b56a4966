"""Monitoring in the service: runs, alerts, suspension through the kill switch, roles."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth, upgrade_store

from models.monitoring import AlertPolicy
from risk.clock import SimulatedClock, WallClock
from serving._schedule import MonitorSchedule
from serving.services import kill_switch_on, run_monitoring, verify_chain
from serving.store import AuditEntry, MonitorAlert

#: The payloads arrive in December 2023; the run looks back from New Year.
NEW_YEAR = dt.datetime(2024, 1, 1, 9, 0)

SUSPEND = """
[[rule]]
name = "score moved"
kind = "score_psi"
threshold = 1e-9
suspend = true
"""


@pytest.fixture
def scored(scoring_client, tokens, world, settings, tmp_path):
    """Forty applications scored through the API; monitoring takes ten rows per chunk."""
    for payload in world["payloads"]:
        response = scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        )
        assert response.status_code == 200, response.text
    settings.monitor.min_rows = 10
    settings.monitor.lookback_days = 60
    policy = tmp_path / "alerts.toml"
    policy.write_text(SUSPEND)
    settings.monitor.policy_path = policy
    return scoring_client


def _actions(store) -> list[tuple[str, str, dict]]:
    with store.reading() as session:
        rows = session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor, AuditEntry.details).order_by(
                AuditEntry.seq
            )
        ).all()
    return [tuple(r) for r in rows]


def test_a_suspending_rule_switches_the_kill_switch_with_the_alert_as_reason(
    scored, store, holder, settings, tokens
):
    result = run_monitoring(
        store,
        holder.bundle,
        settings,
        SimulatedClock(NEW_YEAR),
        trigger="on demand",
        actor="analyst",
    )
    (alert,) = result.alerts
    assert result.suspended is True
    assert (alert.rule, alert.kind, alert.suspend, alert.suspended) == (
        "score moved",
        "score_psi",
        True,
        True,
    )
    assert alert.chunk_start == "2023-12-01T00:00:00"
    with store.reading() as session:
        on = kill_switch_on(session)
        assert verify_chain(session).ok
    assert (on.actor, on.reason) == (
        "monitor",
        f"monitoring alert #{alert.alert_id}: {alert.message}",
    )
    actions = _actions(store)
    assert [a[0] for a in actions[-3:]] == ["monitor.run", "monitor.alert", "setting.change"]
    assert actions[-1][2]["reason"] == on.reason

    # the same chunk again: no second alert, and the switch stays as it is
    again = run_monitoring(
        store,
        holder.bundle,
        settings,
        SimulatedClock(NEW_YEAR),
        trigger="schedule",
        actor="monitor",
    )
    assert (again.alerts, again.suspended) == ([], False)

    # only a person switches it back; the monitor does not switch it on again for that alert
    off = scored.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": False, "reason": "checked the alert: a new post opened"},
    )
    assert off.status_code == 200, off.text
    run_monitoring(
        store,
        holder.bundle,
        settings,
        SimulatedClock(NEW_YEAR),
        trigger="schedule",
        actor="monitor",
    )
    with store.reading() as session:
        assert kill_switch_on(session) is None
        assert session.scalar(sa.select(sa.func.count()).select_from(MonitorAlert)) == 1


def test_default_rules_never_suspend(scored, store, holder, settings):
    settings.monitor.policy_path = None
    result = run_monitoring(
        store,
        holder.bundle,
        settings,
        SimulatedClock(NEW_YEAR),
        trigger="schedule",
        actor="monitor",
    )
    assert result.suspended is False
    assert all(not a.suspend for a in result.alerts)
    assert not any(r.suspend for r in AlertPolicy().rules)


def test_an_empty_period_is_reported_not_stored(scored, store, holder, settings):
    later = dt.datetime(2030, 1, 1)
    result = run_monitoring(
        store, holder.bundle, settings, SimulatedClock(later), trigger="schedule", actor="monitor"
    )
    assert result.run_id is None
    assert result.why_not == (
        f"no applications scored by model {holder.bundle.version} arrived from 2029-11-02"
        " to 2030-01-01"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 403), ("auditor", 403), ("analyst", 200), ("supervisor", 200), ("admin", 200)],
)
def test_who_may_run_the_monitor(scored, tokens, role, status, shared_app):
    shared_app[0].state.clock = SimulatedClock(NEW_YEAR)
    try:
        response = scored.post("/v1/monitoring/run", headers=auth(tokens[role]))
    finally:
        shared_app[0].state.clock = WallClock()
    assert response.status_code == status, response.text
    if status == 200:
        body = response.json()
        assert (body["run_id"], body["suspended"]) == (1, True)  # each test has a fresh store


@pytest.mark.parametrize(("role", "status"), [("officer", 403), ("auditor", 200), ("analyst", 200)])
def test_who_may_read_alerts_and_the_latest_report(
    scored, tokens, role, status, store, holder, settings
):
    run_monitoring(
        store,
        holder.bundle,
        settings,
        SimulatedClock(NEW_YEAR),
        trigger="schedule",
        actor="monitor",
    )
    alerts = scored.get("/v1/monitoring/alerts", headers=auth(tokens[role]))
    latest = scored.get("/v1/monitoring/latest", headers=auth(tokens[role]))
    assert (alerts.status_code, latest.status_code) == (status, status)
    if status == 200:
        assert alerts.json()["count"] == 1
        assert alerts.json()["data"][0]["rule"] == "score moved"
        body = latest.json()
        assert (body["trigger"], body["from"], body["to"]) == (
            "schedule",
            "2023-11-02",
            "2024-01-01",
        )
        assert body["report"]["model"] == holder.bundle.version
        assert [c["n"] for c in body["report"]["chunks"]] == [40]


@pytest.mark.parametrize("in_child", [True, False], ids=["child process", "service thread"])
def test_the_schedule_runs_with_the_service_clock(
    scored, store, holder, settings, shared_app, in_child
):
    app = shared_app[0]
    app.state.clock = SimulatedClock(NEW_YEAR)
    settings.monitor.schedule_process = in_child
    schedule = MonitorSchedule(app, 3600)
    try:
        result = schedule.run_once()
    finally:
        app.state.clock = WallClock()
        schedule.stop()
    assert (schedule._pool is not None) is in_child
    assert result.run_id == 1 and result.suspended is True
    actions = _actions(store)
    assert actions[-3][:2] == ("monitor.run", "monitor")
    assert actions[-3][2]["trigger"] == "schedule"


def test_no_schedule_by_default_and_one_when_set(tmp_path):
    from serving_helpers import make_client

    from risk.settings import Settings
    from serving import create_app

    s = Settings(data_dir=tmp_path)
    s.serving.model_source = "none"
    upgrade_store(s)
    with make_client(create_app(s, seed=1)) as client:
        assert not hasattr(client.app.state, "monitor_schedule")
    s.monitor.schedule_seconds = 3600
    with make_client(create_app(s, seed=1)) as client:
        schedule = client.app.state.monitor_schedule
        assert schedule.seconds == 3600 and schedule._thread.is_alive()
    assert not schedule._thread.is_alive()  # stopped with the service


def test_a_second_on_demand_run_waits_for_the_first(scored, tokens):
    from serving.routers import monitoring

    assert monitoring._RUNNING.acquire(blocking=False)  # a run in progress
    try:
        response = scored.post("/v1/monitoring/run", headers=auth(tokens["analyst"]))
    finally:
        monitoring._RUNNING.release()
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": "a monitoring run is in progress; ask again when it has finished",
    }


def test_risk_monitor_over_a_period_of_the_store(scored, store, world, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from risk.cli import app

    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    monkeypatch.setenv("RISK_MONITOR__MIN_ROWS", "10")
    out = tmp_path / "out"
    args = ["monitor", "--from", "2023-12-01", "--to", "2023-12-31", "--model"]
    args += [str(world["bundle"]), "--no-track", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "monitor.json").read_text())
    (chunk,) = report["chunks"]
    assert (chunk["start"], chunk["n"], chunk["status"]) == ("2023-12-01T00:00:00", 40, "tested")
    assert set(chunk["fairness"]) == {"nationality", "sex"}
    empty = CliRunner().invoke(app, [*args[:2], "2030-01-01", "--to", "2030-01-31", *args[5:]])
    assert empty.exit_code == 1
    assert "no applications scored by model" in empty.output
    assert "arrived from 2030-01-01 to 2030-01-31" in empty.output
