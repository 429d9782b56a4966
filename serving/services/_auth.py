"""Users, roles, API tokens and the permission table (least privilege).

Tokens are random, shown once, and stored as their SHA-256.  Every route names one
permission; :data:`PERMISSIONS` says which roles hold it.
"""

from __future__ import annotations

import hashlib
import hmac
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

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "Principal",
    "TokenCache",
    "authenticate",
    "authenticate_password",
    "check_password",
    "create_token",
    "create_user",
    "require",
    "revoke_token",
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
    "kpis.read": frozenset({"supervisor", "analyst", "auditor", "admin"}),
    "settings.read": frozenset({"supervisor", "analyst", "auditor", "admin"}),
    "settings.kill_switch": frozenset({"supervisor", "admin"}),
    "monitor.run": frozenset({"supervisor", "analyst", "admin"}),
    # the store's records as training data: personal data, so never the auditors
    "data.export": frozenset({"analyst", "admin"}),
    "settings.review": frozenset({"admin"}),
    "audit.read": frozenset({"auditor", "admin"}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: int
    username: str
    role: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored scrypt hash."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt, _digest = stored.split("$")
    return hmac.compare_digest(stored, _password_hash(password, bytes.fromhex(salt)))


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    clock: Clock,
    password: str | None = None,
    actor: str = "system",
) -> User:
    """Add a user with one of :data:`ROLES` (audited)."""
    if role not in ROLES:
        raise RequestValidationError(
            f"role {role!r} is not one of {', '.join(ROLES)}",
            detail=[{"loc": ["role"], "msg": f"must be one of {list(ROLES)}"}],
        )
    if not username.strip():
        raise RequestValidationError("username must not be empty")
    if session.scalar(sa.select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        role=role,
        password_hash=_password_hash(password) if password else None,
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
    if user is None or not user.active or not check_password(user.password_hash, password):
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
