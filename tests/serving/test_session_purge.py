"""Purging sessions: ended and expired ones go, live ones stay and keep working."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from typer.testing import CliRunner

from risk.cli import app
from risk.clock import SimulatedClock
from serving.services import (
    SessionPolicy,
    create_user,
    end_session,
    open_session,
    purge_sessions,
    read_session,
)
from serving.store import AuditEntry, WebSession

START = dt.datetime(2024, 3, 1, 9, 0)
POLICY = SessionPolicy(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))


def _sessions(store, clock) -> dict[str, str]:
    """Four sessions: signed out, idle too long, too old, live (tokens by name)."""
    with store.transaction() as session:
        user = create_user(session, "dewi", "officer", clock=clock)
        tokens = {"old": open_session(session, user, clock.now()).token}
        clock.set(START + dt.timedelta(hours=6))
        tokens |= {n: open_session(session, user, clock.now()).token for n in ("out", "idle")}
        end_session(session, tokens["out"], clock.now())
        clock.set(START + dt.timedelta(hours=12, minutes=10))
        tokens["live"] = open_session(session, user, clock.now()).token
        # "old" was used a minute ago: not idle, but past the absolute limit
        row = session.get(WebSession, _key(tokens["old"]))
        row.last_seen_at = clock.now() - dt.timedelta(minutes=1)
    return tokens


def _key(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def test_purge_deletes_ended_idle_and_too_old_sessions_only(store):
    clock = SimulatedClock(START)
    tokens = _sessions(store, clock)
    with store.transaction() as session:
        assert purge_sessions(session, POLICY, clock=clock, actor="cli") == 3
    with store.transaction() as session:
        left = session.scalars(sa.select(WebSession.session_id)).all()
        assert left == [_key(tokens["live"])]
        assert read_session(session, tokens["live"], POLICY, clock.now()).user.username == "dewi"
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "web.sessions_purge")
        ).one()
        assert (entry.actor, entry.details, entry.at) == ("cli", {"purged": 3}, clock.now())


def test_risk_sessions_purge(store, tmp_path, monkeypatch):
    clock = SimulatedClock(START)
    _sessions(store, clock)
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    # The wall clock is years after these sessions: all four are past their limits.
    result = CliRunner().invoke(app, ["sessions", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "4 sessions purged"
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM web_sessions")).scalar_one() == 0
