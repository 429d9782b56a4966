"""Managing the people who use the service: accounts, roles, teams, tokens and locks.

Every change is the admin's (``users.manage``) and audited under their name, or the
operator's at the command line (``actor=None``, audited as ``cli``).  The service never
locks itself out: a change that would leave no active admin (deactivating or demoting
the last one, the admin themselves included) is refused with the rule.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import ConflictError, NotFoundError, RequestValidationError
from serving.store import ApiToken, Team, User

from ._audit import append_audit
from ._auth import ROLES, Principal, create_user, require, revoke_token, set_active, set_password
from ._passwords import PASSWORD_MIN_LENGTH, check_password_policy
from ._rules import refuse
from ._sign_in import ThrottlePolicy, locked_accounts, unlock_sign_in
from ._text import check_line

#: Usernames the console creates: they appear in addresses (/admin/users/NAME/...) and logs.
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")

__all__ = [
    "PersonRow",
    "TokenRow",
    "add_person",
    "change_role",
    "create_team",
    "lift_lock",
    "list_people",
    "list_teams",
    "list_tokens",
    "new_password",
    "reset_password",
    "revoke_token_as",
    "set_person_active",
    "set_team",
]


@dataclass(frozen=True)
class PersonRow:
    """A user as the admin console lists them."""

    user_id: int
    username: str
    role: str
    team: str | None
    active: bool
    locked: bool
    created_at: dt.datetime
    tokens: int


@dataclass(frozen=True)
class TokenRow:
    """An API token as listed (never the token itself: only its hash is kept)."""

    token_id: int
    username: str
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _allowed(actor: Principal | None) -> str:
    if actor is None:
        return "cli"
    require(actor, "users.manage")
    return actor.username


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count()).where(
                User.role == "admin", User.active.is_(True), User.user_id != user.user_id
            )
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == "admin" and user.active and _other_active_admins(session, user) == 0:
        raise refuse(ConflictError, "last_admin", user=user.username)


def new_password(username: str, min_length: int = PASSWORD_MIN_LENGTH) -> str:
    """A random password that passes the policy (shown once, never stored in clear)."""
    while True:
        password = secrets.token_urlsafe(max(12, min_length))
        try:
            check_password_policy(password, username, min_length=min_length)
        except RequestValidationError:  # rarely: it contains the username
            continue
        return password


def list_people(
    session: Session, actor: Principal | None, policy: ThrottlePolicy, now: dt.datetime
) -> list[PersonRow]:
    """Every user with role, team, state, whether sign-in is locked and live tokens."""
    _allowed(actor)
    locked = locked_accounts(session, policy, now)
    live = sa.select(sa.func.count()).where(
        ApiToken.user_id == User.user_id, ApiToken.revoked_at.is_(None)
    )
    rows = session.execute(
        sa.select(User, Team.name, live.scalar_subquery())
        .outerjoin(Team, Team.team_id == User.team_id)
        .order_by(User.username)
    ).all()
    return [
        PersonRow(
            u.user_id,
            u.username,
            u.role,
            team,
            u.active,
            u.user_id in locked,
            u.created_at,
            int(tokens),
        )
        for u, team, tokens in rows
    ]


def add_person(
    session: Session,
    actor: Principal | None,
    username: str,
    role: str,
    *,
    clock: Clock,
    team: str | None = None,
    min_length: int = PASSWORD_MIN_LENGTH,
) -> str:
    """Add a user with a generated password; returns that password (shown once)."""
    who = _allowed(actor)
    if not _USERNAME.fullmatch(username):
        raise RequestValidationError(
            f"username {username[:80]!r} must be 1 to 80 letters, digits, '.', '_' or '-',"
            " starting with a letter or digit",
            detail=[{"loc": ["username"], "msg": "letters, digits, '.', '_' or '-'"}],
        )
    password = new_password(username, min_length)
    create_user(
        session, username, role, clock=clock, password=password, actor=who, min_length=min_length
    )
    if team:
        set_team(session, actor, username, team, clock=clock)
    return password


def reset_password(
    session: Session,
    actor: Principal | None,
    username: str,
    *,
    clock: Clock,
    min_length: int = PASSWORD_MIN_LENGTH,
) -> tuple[str, int]:
    """A new generated password (shown once) and how many sessions it ended."""
    who = _allowed(actor)
    password = new_password(username, min_length)
    ended = set_password(session, username, password, clock=clock, actor=who, min_length=min_length)
    return password, ended


def set_person_active(
    session: Session, actor: Principal | None, username: str, active: bool, *, clock: Clock
) -> int:
    """Deactivate or reactivate a user; refuses to deactivate the last active admin."""
    who = _allowed(actor)
    user = _user(session, username)
    if not active:
        _keep_an_admin(session, user)
    return set_active(session, username, active, clock=clock, actor=who)


def change_role(
    session: Session, actor: Principal | None, username: str, role: str, *, clock: Clock
) -> None:
    """Give a user another role (audited); refuses to demote the last active admin."""
    who = _allowed(actor)
    if role not in ROLES:
        raise RequestValidationError(
            f"role {role!r} is not one of {', '.join(ROLES)}",
            detail=[{"loc": ["role"], "msg": f"one of {', '.join(ROLES)}"}],
        )
    user = _user(session, username)
    if user.role == role:
        return
    if role != "admin":
        _keep_an_admin(session, user)
    before, user.role = user.role, role
    append_audit(
        session, clock=clock, actor=who, action="user.role", entity_type="user",
        entity_id=str(user.user_id), details={"from": before, "to": role},
    )  # fmt: skip


def create_team(session: Session, actor: Principal | None, name: str, *, clock: Clock) -> Team:
    """Add a team (audited); names are unique."""
    who = _allowed(actor)
    name = name.strip()
    try:
        check_line(name)
    except ValueError as exc:
        raise RequestValidationError(f"team name: {exc}") from None
    if not name or len(name) > 80:
        raise RequestValidationError("team name must be 1 to 80 characters")
    if session.scalar(sa.select(Team).where(Team.name == name)) is not None:
        raise ConflictError(f"team {name!r} already exists")
    team = Team(name=name, created_at=clock.now())
    session.add(team)
    session.flush()
    append_audit(
        session, clock=clock, actor=who, action="team.create", entity_type="team",
        entity_id=str(team.team_id), details={"name": name},
    )  # fmt: skip
    return team


def list_teams(session: Session) -> list[tuple[str, int]]:
    """Every team with its number of active members, by name."""
    members = sa.func.count(User.user_id).filter(User.active.is_(True))
    rows = session.execute(
        sa.select(Team.name, members)
        .outerjoin(User, User.team_id == Team.team_id)
        .group_by(Team.team_id, Team.name)
        .order_by(Team.name)
    ).all()
    return [(name, int(n)) for name, n in rows]


def set_team(
    session: Session, actor: Principal | None, username: str, team: str | None, *, clock: Clock
) -> None:
    """Put a user in a team, or in none (``None`` or empty); audited."""
    who = _allowed(actor)
    user = _user(session, username)
    team_id = None
    if team:
        team_id = session.scalar(sa.select(Team.team_id).where(Team.name == team))
        if team_id is None:
            raise NotFoundError(f"team {team!r} does not exist")
    if user.team_id == team_id:
        return
    user.team_id = team_id
    append_audit(
        session, clock=clock, actor=who, action="user.team", entity_type="user",
        entity_id=str(user.user_id), details={"team": team or None},
    )  # fmt: skip


def list_tokens(session: Session, actor: Principal | None) -> list[TokenRow]:
    """Every API token (newest first), without the token: it is never stored."""
    _allowed(actor)
    rows = session.execute(
        sa.select(ApiToken, User.username)
        .join(User, User.user_id == ApiToken.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.token_id.desc())
    ).all()
    return [TokenRow(t.token_id, name, t.label, t.created_at, t.revoked_at) for t, name in rows]


def revoke_token_as(
    session: Session, actor: Principal | None, token_id: int, *, clock: Clock
) -> None:
    """Revoke a token (audited); a token already revoked is a conflict, not a second revoke."""
    who = _allowed(actor)
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is not None:
        raise ConflictError(f"token {token_id} was already revoked")
    revoke_token(session, token_id, clock=clock, actor=who)


def lift_lock(session: Session, actor: Principal | None, username: str, *, clock: Clock) -> int:
    """Lift a user's sign-in lock as the admin (audited); returns the failures cleared."""
    _allowed(actor)
    return unlock_sign_in(session, username, actor=actor, clock=clock)
