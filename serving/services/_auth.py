"""Users, roles, API tokens and the permission table (least privilege).

Tokens are random, shown once, and stored as their SHA-256.  Every route names one
permission; :data:`PERMISSIONS` says which roles hold it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RequestValidationError,
)
from serving.store import ApiToken, User

from ._audit import append_audit
from ._passwords import (
    PASSWORD_MIN_LENGTH,
    check_password_policy,
    dummy_verify,
    hash_password,
    verify_password,
)
from ._sessions import end_user_sessions

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "Principal",
    "TokenCache",
    "authenticate",
    "authenticate_password",
    "create_token",
    "create_user",
    "require",
    "revoke_token",
    "set_active",
    "set_password",
]

ROLES = ("officer", "supervisor", "analyst", "auditor", "admin")
_CASEWORK = frozenset({"officer", "supervisor"})

#: permission -> roles allowed.  Auditors and analysts see aggregates only.
PERMISSIONS: dict[str, frozenset[str]] = {
    "me": frozenset(ROLES),
    "model.read": frozenset(ROLES),
    "model.reload": frozenset({"admin"}),
    # Four eyes: analysts ask to waive a failed gate, supervisors approve (never the same person).
    "model.waiver.request": frozenset({"analyst", "admin"}),
    "model.waiver.approve": frozenset({"supervisor"}),
    "score": frozenset({"officer", "supervisor", "admin"}),
    "scores.read": _CASEWORK,
    "cases.read": _CASEWORK,
    "cases.work": _CASEWORK,
    "cases.reassign": frozenset({"supervisor"}),
    "complaints.create": _CASEWORK,
    "complaints.read": _CASEWORK,
    "complaints.handle": _CASEWORK,
    "complaints.assign": frozenset({"supervisor"}),
    "feedback.create": _CASEWORK,
    # Applicants' survey comments are shown nowhere until a supervisor approves them.
    "surveys.moderate": frozenset({"supervisor"}),
    "kpis.read": frozenset({"supervisor", "analyst", "auditor", "admin"}),
    "settings.read": frozenset({"supervisor", "analyst", "auditor", "admin"}),
    "settings.kill_switch": frozenset({"supervisor", "admin"}),
    "settings.shadow": frozenset({"supervisor", "admin"}),
    "monitor.run": frozenset({"supervisor", "analyst", "admin"}),
    # the store's records as training data: personal data, so never the auditors
    "data.export": frozenset({"analyst", "admin"}),
    "settings.review": frozenset({"admin"}),
    "audit.read": frozenset({"auditor", "admin"}),
    # A supervisor may lift the lock of officers and supervisors only (checked on the user).
    "users.unlock": frozenset({"supervisor", "admin"}),
    # the admin console: accounts, roles, teams, tokens
    "users.manage": frozenset({"admin"}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: int
    username: str
    role: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    clock: Clock,
    password: str | None = None,
    actor: str = "system",
    min_length: int = PASSWORD_MIN_LENGTH,
) -> User:
    """Add a user with one of :data:`ROLES` (audited).

    A password must pass :func:`~serving.services.check_password_policy` (at least
    ``min_length`` characters, not common, not built on the username).
    """
    if role not in ROLES:
        raise RequestValidationError(
            f"role {role!r} is not one of {', '.join(ROLES)}",
            detail=[{"loc": ["role"], "msg": f"must be one of {list(ROLES)}"}],
        )
    if not username.strip():
        raise RequestValidationError("username must not be empty")
    if session.scalar(sa.select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    if password is not None:
        check_password_policy(password, username, min_length=min_length)
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password) if password else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"username": username, "role": role},
    )
    return user


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def set_password(
    session: Session,
    username: str,
    password: str,
    *,
    clock: Clock,
    actor: str = "system",
    min_length: int = PASSWORD_MIN_LENGTH,
) -> int:
    """Give a user a new password (policy-checked); ends all their sessions at once.

    Returns how many live sessions were ended.  Audited without the password.
    """
    user = _user(session, username)
    check_password_policy(password, username, min_length=min_length)
    user.password_hash = hash_password(password)
    ended = end_user_sessions(session, user.user_id, clock.now(), "password")
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="user.password",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"sessions_ended": ended},
    )
    return ended


def set_active(
    session: Session, username: str, active: bool, *, clock: Clock, actor: str = "system"
) -> int:
    """Deactivate (or reactivate) a user; deactivation ends all their sessions at once.

    Their API tokens stop working too (a process that cached one within
    ``serving.auth_cache_seconds`` honours it that long).  Returns the sessions ended.
    """
    user = _user(session, username)
    user.active = active
    ended = 0 if active else end_user_sessions(session, user.user_id, clock.now(), "deactivated")
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"sessions_ended": ended},
    )
    return ended


def create_token(
    session: Session, username: str, *, clock: Clock, label: str = "", actor: str = "system"
) -> str:
    """Create an API token for ``username``; returns the token, which is never stored."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    token = "amk_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.user_id, token_hash=_token_hash(token), label=label, created_at=clock.now()
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="token.create",
        entity_type="token",
        entity_id=str(row.token_id),
        details={"username": username, "label": label},
    )
    return token


def revoke_token(session: Session, token_id: int, *, clock: Clock, actor: str = "system") -> None:
    """Revoke a token by id (audited)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"token {token_id} does not exist")
    row.revoked_at = clock.now()
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="token.revoke",
        entity_type="token",
        entity_id=str(token_id),
    )


_USERS, _TOKENS = User.__table__, ApiToken.__table__
#: The active user holding an unrevoked token (built once: it runs on every request).
_BEARER = (
    sa.select(_USERS.c.user_id, _USERS.c.username, _USERS.c.role)
    .join_from(_USERS, _TOKENS, _TOKENS.c.user_id == _USERS.c.user_id)
    .where(
        _TOKENS.c.token_hash == sa.bindparam("token_hash"),
        _TOKENS.c.revoked_at.is_(None),
        _USERS.c.active.is_(True),
    )
)


def authenticate(connection: sa.Connection, authorization: str | None) -> Principal:
    """The principal behind an ``Authorization: Bearer <token>`` header."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError("send an API token as 'Authorization: Bearer <token>'")
    token = authorization.removeprefix("Bearer ").strip()
    row = connection.execute(_BEARER, {"token_hash": _token_hash(token)}).one_or_none()
    if row is None:
        raise AuthenticationError("the API token is unknown or revoked")
    return Principal(row.user_id, row.username, row.role)


def authenticate_password(session: Session, username: str, password: str) -> Principal:
    """The active user ``username`` if ``password`` is theirs (for the command line).

    Raises
    ------
    AuthenticationError
        Unknown user, inactive user or wrong password (one message for all three, so
        the answer does not tell which usernames exist).
    """
    user = session.scalar(sa.select(User).where(User.username == username))
    stored = user.password_hash if user is not None else None
    if stored is None:
        dummy_verify(password)  # the same time whether or not the user exists
    if stored is None or not verify_password(stored, password) or not user.active:
        raise AuthenticationError(
            f"sign-in as {username!r} failed: unknown user, inactive user or wrong password"
        )
    return Principal(user.user_id, user.username, user.role)


class TokenCache:
    """Principals of recently checked tokens, kept for ``seconds`` (keyed by the token's hash).

    Every request names its caller, and the look-up would otherwise be a database
    read per request.  A token revoked (or a user deactivated) elsewhere, e.g. with
    ``risk tokens revoke``, stops working in this process within ``seconds``;
    ``seconds=0`` checks the database every time.  Unknown tokens are never cached.
    """

    def __init__(
        self,
        seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, authorization: str | None) -> Principal | None:
        """The cached principal behind ``authorization``, if checked less than ``seconds`` ago."""
        if self.seconds <= 0 or not authorization:
            return None
        entry = self._entries.get(_token_hash(authorization))
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def put(self, authorization: str, principal: Principal) -> None:
        """Remember a principal the database just confirmed."""
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[_token_hash(authorization)] = (
                principal,
                self._clock() + self.seconds,
            )

    def clear(self) -> None:
        """Forget every cached principal."""
        with self._lock:
            self._entries.clear()


def require(principal: Principal, permission: str) -> Principal:
    """Raise :class:`PermissionDeniedError` unless the caller's role holds ``permission``."""
    if principal.role not in PERMISSIONS[permission]:
        raise PermissionDeniedError(
            f"role {principal.role!r} may not {permission!r}",
            detail={"permission": permission, "role": principal.role},
        )
    return principal
