"""Password sign-in with abuse limits: per-account and per-address throttles, lockout, audit.

Every failed attempt is stored (:class:`~serving.store.SignInFailure`) with the account it
named and the client address.  Within ``window``, an account with ``account_max``
failures, or an address with ``address_max``, is refused without checking the password
until its oldest counted failure leaves the window, or a supervisor or admin lifts the
lock (:func:`unlock_sign_in`).  Known and unknown usernames take the same path and the
same time: an unknown name is checked against a dummy hash and throttled under a keyed
hash of the name.  The audit log names a failed attempt's actor ``(sign-in)``, never
the typed text (people type passwords into the username field).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import NotFoundError, PermissionDeniedError
from serving.store import SignInFailure, User

from ._audit import append_audit
from ._auth import Principal
from ._passwords import dummy_verify, hash_password, needs_rehash, verify_password
from ._sessions import OpenedSession, open_session

__all__ = [
    "FAILED_ACTOR",
    "SignInResult",
    "ThrottlePolicy",
    "account_key",
    "locked_accounts",
    "sign_in_with_password",
    "unlock_address",
    "unlock_sign_in",
]

log = logging.getLogger("serving.sign_in")

#: The audit actor of a failed or refused sign-in (the typed name is never logged).
FAILED_ACTOR = "(sign-in)"
#: Keys the hash of unknown names: per process, so the store never holds a guessable hash.
_NAME_KEY = secrets.token_bytes(32)
_CASEWORK = ("officer", "supervisor")


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failures allowed per account and per client address within ``window``."""

    account_max: int
    address_max: int
    window: dt.timedelta


@dataclass(frozen=True)
class SignInResult:
    """``ok`` (with the opened session), ``failed``, or ``locked`` (retry after seconds)."""

    outcome: Literal["ok", "failed", "locked"]
    opened: OpenedSession | None = None
    retry_after: int = 0


def account_key(user: User | None, username: str) -> str:
    """What the account throttle counts under: the user's id, else a keyed hash of the name."""
    if user is not None:
        return f"user:{user.user_id}"
    digest = hmac.new(_NAME_KEY, username.lower().encode(), hashlib.sha256).hexdigest()
    return f"name:{digest[:40]}"


def _counted(session: Session, column: sa.Column, value: str, since: dt.datetime):
    return session.execute(
        sa.select(sa.func.count(), sa.func.min(SignInFailure.at)).where(
            column == value, SignInFailure.at > since
        )
    ).one()


def _retry_after(
    session: Session, account: str, address: str, policy: ThrottlePolicy, now: dt.datetime
) -> int:
    """Seconds until both throttles let an attempt through (0: now)."""
    since, waits = now - policy.window, [0.0]
    for column, value, limit in (
        (SignInFailure.account, account, policy.account_max),
        (SignInFailure.address, address, policy.address_max),
    ):
        count, oldest = _counted(session, column, value, since)
        if count >= limit:
            waits.append((oldest + policy.window - now).total_seconds())
    return int(max(waits) + 0.999)


def _record_failure(
    session: Session,
    user: User | None,
    account: str,
    address: str,
    policy: ThrottlePolicy,
    clock: Clock,
) -> None:
    now = clock.now()
    # Failures that left the window count for nothing: keep the table as small as the window.
    session.execute(sa.delete(SignInFailure).where(SignInFailure.at <= now - policy.window))
    session.add(SignInFailure(account=account, address=address, at=now))
    entity = str(user.user_id) if user is not None else "unknown"
    append_audit(
        session,
        clock=clock,
        actor=FAILED_ACTOR,
        action="web.sign_in_failed",
        entity_type="user",
        entity_id=entity,
        details={"address": address},
    )
    since = now - policy.window
    for scope, column, value, limit in (
        ("account", SignInFailure.account, account, policy.account_max),
        ("address", SignInFailure.address, address, policy.address_max),
    ):
        if _counted(session, column, value, since)[0] == limit:
            append_audit(
                session,
                clock=clock,
                actor=FAILED_ACTOR,
                action="web.sign_in_lockout",
                entity_type="user" if scope == "account" else "address",
                entity_id=entity if scope == "account" else address,
                details={"scope": scope, "failures": limit},
            )


def sign_in_with_password(
    session: Session,
    username: str,
    password: str,
    *,
    address: str,
    policy: ThrottlePolicy,
    clock: Clock,
) -> SignInResult:
    """Check a password under the throttles; on success open a session (all audited).

    A stored hash from before argon2id (or weaker parameters) is replaced on success.
    """
    now = clock.now()
    user = session.scalar(sa.select(User).where(User.username == username))
    account = account_key(user, username)
    wait = _retry_after(session, account, address, policy, now)
    if wait > 0:
        log.warning("sign-in refused while locked (account %s, address %s)", account, address)
        return SignInResult("locked", retry_after=wait)
    stored = user.password_hash if user is not None else None
    if stored is None:
        dummy_verify(password)
        ok = False
    else:
        ok = verify_password(stored, password) and user.active
    if not ok:
        _record_failure(session, user, account, address, policy, clock)
        return SignInResult("failed")
    rehashed = needs_rehash(stored)
    if rehashed:
        user.password_hash = hash_password(password)
    session.execute(sa.delete(SignInFailure).where(SignInFailure.account == account))
    opened = open_session(session, user, now)
    append_audit(
        session,
        clock=clock,
        actor=user.username,
        action="web.sign_in",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"address": address, "rehashed": rehashed},
    )
    return SignInResult("ok", opened)


def unlock_sign_in(
    session: Session, username: str, *, actor: Principal | None, clock: Clock
) -> int:
    """Lift a user's sign-in lock (clear their counted failures); audited.

    Parameters
    ----------
    actor
        The supervisor or admin lifting it (a supervisor only for officers and
        supervisors), or ``None`` for the operator's command line.

    Returns
    -------
    int
        How many failures were cleared.
    """
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    if (
        actor is not None
        and actor.role != "admin"
        and (actor.role != "supervisor" or user.role not in _CASEWORK)
    ):
        raise PermissionDeniedError(
            f"a {actor.role} may not unlock the {user.role} {username!r}",
            detail={"permission": "users.unlock", "role": actor.role, "target": user.role},
        )
    cleared = session.execute(
        sa.delete(SignInFailure).where(SignInFailure.account == account_key(user, username))
    ).rowcount
    append_audit(
        session,
        clock=clock,
        actor=actor.username if actor is not None else "cli",
        action="user.unlock",
        entity_type="user",
        entity_id=str(user.user_id),
        details={"failures_cleared": cleared},
    )
    return cleared


def unlock_address(session: Session, address: str, *, clock: Clock, actor: str = "cli") -> int:
    """Clear the failures counted against a client address (audited); returns how many."""
    cleared = session.execute(
        sa.delete(SignInFailure).where(SignInFailure.address == address)
    ).rowcount
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="address.unlock",
        entity_type="address",
        entity_id=address,
        details={"failures_cleared": cleared},
    )
    return cleared


def locked_accounts(session: Session, policy: ThrottlePolicy, now: dt.datetime) -> set[int]:
    """Ids of the users whose sign-in is locked now."""
    rows = session.execute(
        sa.select(SignInFailure.account)
        .where(SignInFailure.at > now - policy.window, SignInFailure.account.like("user:%"))
        .group_by(SignInFailure.account)
        .having(sa.func.count() >= policy.account_max)
    ).scalars()
    return {int(account.removeprefix("user:")) for account in rows}
