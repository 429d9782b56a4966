"""Users, roles, API tokens and the permission table (least privilege).

Tokens are random, shown once, and stored as their SHA-256.  Every route names one
permission; :data:`PERMISSIONS` says which roles hold it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
    "authenticate",
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
        username=username, role=role, password_hash=_password_hash(password) if password else None
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"username": username, "role": role},
    )
    return user


def create_token(session: Session, username: str, *, label: str = "", actor: str = "system") -> str:
    """Create an API token for ``username``; returns the token, which is never stored."""
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    token = "amk_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.user_id, token_hash=_token_hash(token), label=label)
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="token.create",
        entity_type="token",
        entity_id=str(row.token_id),
        details={"username": username, "label": label},
    )
    return token


def revoke_token(session: Session, token_id: int, *, actor: str = "system") -> None:
    """Revoke a token by id (audited)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"token {token_id} does not exist")
    row.revoked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    append_audit(
        session, actor=actor, action="token.revoke", entity_type="token", entity_id=str(token_id)
    )


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The principal behind an ``Authorization: Bearer <token>`` header."""
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError("send an API token as 'Authorization: Bearer <token>'")
    token = authorization.removeprefix("Bearer ").strip()
    row = session.execute(
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.user_id)
        .where(
            ApiToken.token_hash == _token_hash(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).scalar_one_or_none()
    if row is None:
        raise AuthenticationError("the API token is unknown or revoked")
    return Principal(row.user_id, row.username, row.role)


def require(principal: Principal, permission: str) -> Principal:
    """Raise :class:`PermissionDeniedError` unless the caller's role holds ``permission``."""
    if principal.role not in PERMISSIONS[permission]:
        raise PermissionDeniedError(
            f"role {principal.role!r} may not {permission!r}",
            detail={"permission": permission, "role": principal.role},
        )
    return principal
