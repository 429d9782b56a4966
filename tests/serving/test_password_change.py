"""``POST /v1/me/password``: a user changes their own password, never anyone else's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import ROLES, auth

from risk.clock import WallClock
from serving.services import open_session, set_password, verify_password
from serving.store import AuditEntry, User, WebSession

OLD, NEW = "teal-harbour-41", "kopi-susu-gula-aren"


def _with_passwords(store) -> None:
    """Every test user gets the password ``OLD`` and one open page session."""
    with store.transaction() as session:
        for name in (*ROLES, "officer2"):
            set_password(session, name, OLD, clock=WallClock())
            user = session.scalar(sa.select(User).where(User.username == name))
            open_session(session, user, WallClock().now())


def _change(client, token, current, new):
    return client.post(
        "/v1/me/password",
        headers=auth(token),
        json={"current_password": current, "new_password": new},
    )


def _hash(store, name) -> str:
    with store.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT password_hash FROM users WHERE username = :n"), {"n": name}
        ).scalar_one()


def _live_sessions(store, name) -> int:
    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == name))
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(WebSession)
            .where(WebSession.user_id == user.user_id, WebSession.ended_at.is_(None))
        )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_changes_its_own_password_and_its_sessions_end(client, tokens, store, role):
    _with_passwords(store)
    response = _change(client, tokens[role], OLD, NEW)
    assert response.status_code == 200, response.text
    assert response.json() == {"sessions_ended": 1}
    assert verify_password(_hash(store, role), NEW)
    assert _live_sessions(store, role) == 0
    # nobody else's password or sessions changed
    others = [n for n in (*ROLES, "officer2") if n != role]
    assert all(verify_password(_hash(store, n), OLD) for n in others)
    assert [_live_sessions(store, n) for n in others] == [1] * len(others)
    with store.transaction() as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.password")
        ).all()[-1]
        assert (entry.actor, entry.details) == (role, {"sessions_ended": 1})


def test_a_wrong_current_password_counts_as_a_failed_sign_in(client, tokens, store, settings):
    _with_passwords(store)
    limit = settings.security.account_max_failures
    for _ in range(limit):
        response = _change(client, tokens["officer"], "not-my-password", NEW)
        assert response.status_code == 422
        assert response.json() == {
            "error": "validation_error",
            "detail": [
                {"loc": ["body", "current_password"], "msg": "is not your current password"}
            ],
        }
    locked = _change(client, tokens["officer"], OLD, NEW)  # even the right one, while locked
    assert locked.status_code == 429
    assert locked.json() == {
        "error": "locked",
        "detail": "too many wrong passwords; try again later",
    }
    assert int(locked.headers["Retry-After"]) > 0
    assert verify_password(_hash(store, "officer"), OLD)
    with store.engine.connect() as conn:
        failed = conn.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE action = 'web.sign_in_failed'")
        ).scalar_one()
    assert failed == limit


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("new", "msg"),
    [
        ("short", "must be at least 12 characters"),
        ("officer-and-more", "must not contain the username"),
        (OLD, "must differ from the current password"),
    ],
    ids=["short", "username", "same"],
)
def test_the_new_password_must_pass_the_policy(client, tokens, store, new, msg):
    _with_passwords(store)
    response = _change(client, tokens["officer"], OLD, new)
    assert response.status_code == 422
    assert response.json() == {
        "error": "validation_error",
        "detail": [{"loc": ["body", "new_password"], "msg": msg}],
    }
    assert verify_password(_hash(store, "officer"), OLD)
    assert _live_sessions(store, "officer") == 1


def test_without_a_token_nothing_changes(client, store):
    _with_passwords(store)
    response = client.post("/v1/me/password", json={"current_password": OLD, "new_password": NEW})
    assert response.status_code == 401
