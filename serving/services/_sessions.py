"""Server-side sessions of the case screens: opened at sign-in, checked on every page.

The browser holds a random token; the store holds its SHA-256 with the user, the CSRF
token, when it began and when it was last used.  A session ends at sign-out, when the
user's password changes or the account is deactivated (all their sessions, at once),
after ``idle`` without use, or ``absolute`` after sign-in, whichever comes first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from serving.store import User, WebSession

from ._audit import append_audit

__all__ = [
    "OpenedSession",
    "SessionPolicy",
    "end_session",
    "end_user_sessions",
    "open_session",
    "purge_sessions",
    "read_session",
]

#: ``last_seen_at`` is written at most this often (a write per page view would serialise
#: every page on the store's write lock for no gain in precision worth having).
_TOUCH_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session may sit unused (``idle``) and last at all (``absolute``)."""

    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True)
class OpenedSession:
    """A live session: the cookie's token (only at sign-in), the user and the CSRF token."""

    token: str
    user: User
    csrf: str


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, now: dt.datetime) -> OpenedSession:
    """Start a session for ``user``; the returned token goes into the cookie, never the store."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        WebSession(
            session_id=_key(token),
            user_id=user.user_id,
            csrf=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    return OpenedSession(token, user, csrf)


def _expiry(row: WebSession, policy: SessionPolicy, now: dt.datetime) -> str | None:
    if now - row.created_at >= policy.absolute:
        return "expired"
    if now - row.last_seen_at >= policy.idle:
        return "idle"
    return None


def read_session(
    session: Session, token: str, policy: SessionPolicy, now: dt.datetime
) -> OpenedSession | None:
    """The live session behind a cookie's ``token``, or ``None`` (ending it if it timed out)."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSession, _key(token))
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    reason = "deactivated" if user is None or not user.active else _expiry(row, policy, now)
    if reason is not None:
        row.ended_at, row.end_reason = now, reason
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
    return OpenedSession(token, user, row.csrf)


def end_session(session: Session, token: str, now: dt.datetime, reason: str = "sign_out") -> None:
    """End the session behind ``token`` (nothing happens if it is unknown or already over)."""
    row = session.get(WebSession, _key(token)) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now, reason


def end_user_sessions(session: Session, user_id: int, now: dt.datetime, reason: str) -> int:
    """End every live session of a user; returns how many were live."""
    result = session.execute(
        sa.update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return result.rowcount or 0


def purge_sessions(session: Session, policy: SessionPolicy, *, clock: Clock, actor: str) -> int:
    """Delete the sessions no cookie can use any more; returns how many (audited).

    Those are the ended ones (sign-out, password change, deactivation, a timeout
    noticed) and those past ``policy`` as of ``clock.now()`` that no request has
    ended yet.  The audit log keeps every sign-in and sign-out, so nothing the
    oversight needs goes with them.
    """
    now = clock.now()
    result = session.execute(
        sa.delete(WebSession).where(
            sa.or_(
                WebSession.ended_at.is_not(None),
                WebSession.last_seen_at <= now - policy.idle,
                WebSession.created_at <= now - policy.absolute,
            )
        )
    )
    purged = result.rowcount or 0
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="web.sessions_purge",
        entity_type="web_session",
        entity_id="*",
        details={"purged": purged},
    )
    return purged
