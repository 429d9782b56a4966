"""The monitoring page and the alert panels on /oversight and /supervisor, both languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from models.monitoring import AlertPolicy, AlertRule
from risk.clock import SimulatedClock
from serving.services import kill_switch_on, run_monitoring
from serving.store import MonitorAlert, Score, raw_table


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture(scope="module")
def monitored(web_world):
    """One monitoring run over the web world's scored applications, raising one alert."""
    store, settings = web_world.store, web_world.settings
    apps = raw_table("applications")
    with store.reading() as session:
        last = session.scalar(
            sa.select(sa.func.max(apps.c.submitted_at)).join(
                Score, Score.application_id == apps.c.application_id
            )
        )
    settings.monitor.min_rows = 10
    settings.monitor.lookback_days = 365
    now = last + dt.timedelta(days=1)
    rule = AlertRule("score moved", "score_psi", threshold=1e-9)  # fires; never suspends
    result = run_monitoring(
        store,
        web_world.holder.bundle,
        settings,
        SimulatedClock(now),
        trigger="on demand",
        actor="analyst",
        policy=AlertPolicy((rule,), "test rule"),
    )
    assert result.run_id is not None, result.why_not
    return result


def test_the_page_shows_the_run_in_english_and_indonesian(client_factory, monitored, web_world):
    c = client_factory("auditor")
    r = c.get("/oversight/monitoring")
    assert r.status_code == 200
    html = r.text
    assert 'id="fig-heatmap"' in html and 'id="fig-estimate"' in html
    attribution = re.search(r'<ul id="monitor-attribution">(.*?)</ul>', html, re.S).group(1)
    assert attribution.count("<li>") == 8
    assert "the mean risk margin by" in attribution
    assert "on demand" in html
    leaked = [v for v in web_world.personal if str(v) in html]
    assert leaked == []
    c.post("/lang", data={"lang": "id", "next": "/oversight/monitoring", "csrf": _csrf(html)})
    html_id = c.get("/oversight/monitoring").text
    assert "Memantau model dalam produksi" in html_id
    assert "rata-rata margin risiko sebesar" in html_id
    assert "atas permintaan" in html_id
    c.post("/lang", data={"lang": "en", "next": "/oversight", "csrf": _csrf(html_id)})


def test_alerts_show_on_oversight_and_supervision(client_factory, monitored, web_world):
    (alert,) = monitored.alerts
    with web_world.store.reading() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(MonitorAlert)) == 1
        assert kill_switch_on(session) is None  # the rule does not suspend
    oversight = client_factory("analyst").get("/oversight").text
    supervision = client_factory("supervisor").get("/supervisor").text
    assert 'id="monitoring-panel"' in oversight and 'href="/oversight/monitoring"' in oversight
    row = (
        f'<tr><th scope="row">{alert.at.isoformat(timespec="minutes")}</th>'
        f"<td>{alert.chunk_start[:10]}</td><td>score moved</td><td>Score shift</td><td></td></tr>"
    )
    assert row in oversight
    assert row in supervision


def test_officers_cannot_see_the_monitoring_page(client_factory):
    assert client_factory("officer").get("/oversight/monitoring").status_code == 403
