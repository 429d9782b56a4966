"""A user changes their own password: the current one first, under the sign-in throttles.

Whoever holds a user's API token or open page must not be able to take the account
over by setting a new password, nor use this door to guess the current one faster
than the sign-in form allows: a wrong current password counts as a failed sign-in
(the same throttles, lockout and audit entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import RequestValidationError
from serving.store import User

from ._auth import Principal, set_password
from ._passwords import PASSWORD_MIN_LENGTH, verify_password
from ._sign_in import ThrottlePolicy, _record_failure, _retry_after, account_key

__all__ = ["PasswordChange", "change_own_password"]


@dataclass(frozen=True)
class PasswordChange:
    """``changed`` (with the sessions ended), ``wrong`` or ``locked`` (retry after seconds)."""

    outcome: Literal["changed", "wrong", "locked"]
    sessions_ended: int = 0
    retry_after: int = 0


def change_own_password(
    session: Session,
    principal: Principal,
    current: str,
    new: str,
    *,
    address: str,
    policy: ThrottlePolicy,
    clock: Clock,
    min_length: int = PASSWORD_MIN_LENGTH,
) -> PasswordChange:
    """Set the caller's new password if ``current`` is theirs; every page session ends.

    A wrong ``current`` is recorded as a failed sign-in and answered ``wrong`` (the
    caller commits that record, then refuses); while the account or the address is
    locked nothing is checked.  The new password must pass the policy.

    Raises
    ------
    RequestValidationError
        The new password breaks the policy (field ``new_password``), or is the current one.
    """
    user = session.get(User, principal.user_id)
    account = account_key(user, principal.username)
    wait = _retry_after(session, account, address, policy, clock.now())
    if wait > 0:
        return PasswordChange("locked", retry_after=wait)
    if user is None or not verify_password(user.password_hash, current):
        _record_failure(session, user, account, address, policy, clock)
        return PasswordChange("wrong")
    if new == current:
        raise _new_password("must differ from the current password")
    try:
        ended = set_password(
            session, user.username, new, clock=clock, actor=user.username, min_length=min_length
        )
    except RequestValidationError as exc:
        raise _new_password(exc.detail[0]["msg"]) from exc
    return PasswordChange("changed", sessions_ended=ended)


def _new_password(message: str) -> RequestValidationError:
    return RequestValidationError(
        f"new_password: {message}", detail=[{"loc": ["body", "new_password"], "msg": message}]
    )
