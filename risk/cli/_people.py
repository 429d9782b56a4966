"""Verbs for the people who use the service: users, teams, API tokens and page sessions."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from risk.clock import WallClock
from risk.text import plural

from ._app import console, group
from ._serving import _clock, _session

users_app = group("users", "People who use the service and their roles.")
tokens_app = group("tokens", "API tokens (shown once, stored hashed).")
teams_app = group("teams", "Teams of officers and supervisors.")
sessions_app = group("sessions", "Signed-in browser sessions of the case screens.")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="officer, supervisor, analyst, auditor or admin.")],
    password: Annotated[
        str | None, typer.Option(help="Password for the case screens (optional).")
    ] = None,
) -> None:
    """Add a user with one role (audited); a password must pass the password policy."""
    from risk.settings import get_settings
    from serving.services import create_user

    min_length = get_settings().security.password_min_length
    with _session() as session:
        create_user(
            session,
            username,
            role,
            clock=WallClock(),
            password=password,
            actor="cli",
            min_length=min_length,
        )
    console.print(f"user {username} ({role}) added")


@users_app.command("list")
def users_list() -> None:
    """List users, roles, and whether their sign-in is locked."""
    from rich.table import Table

    from serving.services import list_people

    table = Table("username", "role", "team", "active", "sign-in", "created")
    with _session() as session:
        for p in list_people(session, None, _throttle(), WallClock().now()):
            state = "locked" if p.locked else "ok"
            created = f"{p.created_at:%Y-%m-%d %H:%M}"
            table.add_row(p.username, p.role, p.team or "-", str(p.active), state, created)
    console.print(table)


def _throttle() -> Any:
    import datetime as dt

    from risk.settings import get_settings
    from serving.services import ThrottlePolicy

    sec = get_settings().security
    return ThrottlePolicy(
        sec.account_max_failures,
        sec.address_max_failures,
        dt.timedelta(minutes=sec.sign_in_window_minutes),
    )


@users_app.command("password")
def users_password(
    username: str,
    password: Annotated[
        str | None, typer.Option(help="The new password (asked for twice when not given).")
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a random password and print it once.")
    ] = False,
) -> None:
    """Set a user's password; every session they have open ends at once (audited)."""
    from risk.settings import get_settings
    from serving.services import new_password, set_password

    min_length = get_settings().security.password_min_length
    if generate:
        password = new_password(username, min_length)
    elif password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        ended = set_password(
            session, username, password, clock=WallClock(), actor="cli", min_length=min_length
        )
    console.print(
        f"password of {username} changed; {plural(ended, 'open session')} ended", highlight=False
    )
    if generate:  # shown once: only its hash is kept
        console.print(f"new password: {password}", highlight=False, soft_wrap=True)


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Deactivate a user: sessions end and API tokens stop working at once (audited).

    The last active admin cannot be deactivated."""
    from serving.services import set_person_active

    with _session() as session:
        ended = set_person_active(session, None, username, False, clock=WallClock())
    console.print(f"user {username} deactivated; {plural(ended, 'open session')} ended")


@users_app.command("activate")
def users_activate(username: str) -> None:
    """Reactivate a deactivated user (audited)."""
    from serving.services import set_active

    with _session() as session:
        set_active(session, username, True, clock=WallClock(), actor="cli")
    console.print(f"user {username} activated")


@users_app.command("unlock")
def users_unlock(
    username: Annotated[str | None, typer.Argument(help="The user to unlock.")] = None,
    address: Annotated[
        str | None, typer.Option(help="Also (or only) clear the failures of a client address.")
    ] = None,
) -> None:
    """Lift a sign-in lock after too many failed attempts (audited)."""
    from risk.errors import RequestValidationError
    from serving.services import unlock_address, unlock_sign_in

    if username is None and address is None:
        raise RequestValidationError("name a USERNAME, an --address, or both")
    with _session() as session:
        if username is not None:
            cleared = unlock_sign_in(session, username, actor=None, clock=WallClock())
            console.print(f"{username} unlocked ({plural(cleared, 'failed sign-in')} cleared)")
        if address is not None:
            cleared = unlock_address(session, address, clock=WallClock())
            console.print(
                f"address {address} unlocked ({plural(cleared, 'failed sign-in')} cleared)"
            )


@users_app.command("role")
def users_role(
    username: str,
    role: Annotated[str, typer.Argument(help="officer, supervisor, analyst, auditor or admin.")],
) -> None:
    """Give a user another role (audited); the last active admin keeps theirs."""
    from serving.services import change_role

    with _session() as session:
        change_role(session, None, username, role, clock=WallClock())
    console.print(f"{username} is now {role}")


@users_app.command("team")
def users_team(
    username: str,
    team: Annotated[str, typer.Argument(help="The team's name; '-' for no team.")],
) -> None:
    """Put a user in a team (see risk teams), or in none with '-' (audited)."""
    from serving.services import set_team

    with _session() as session:
        set_team(session, None, username, None if team == "-" else team, clock=WallClock())
    console.print(f"{username} is in team {team}" if team != "-" else f"{username} is in no team")


@teams_app.command("add")
def teams_add(name: str) -> None:
    """Add a team (audited)."""
    from serving.services import create_team

    with _session() as session:
        create_team(session, None, name, clock=WallClock())
    console.print(f"team {name.strip()} added")


@teams_app.command("list")
def teams_list() -> None:
    """List the teams with their number of active members."""
    from serving.services import list_teams

    with _session() as session:
        teams = list_teams(session)
    if not teams:
        console.print("no team yet (add one with: risk teams add NAME)")
    for name, members in teams:
        console.print(f"{name}: {plural(members, 'active member')}", highlight=False)


@tokens_app.command("list")
def tokens_list() -> None:
    """List API tokens: id, user, label, created, revoked (a token itself is never kept)."""
    from serving.services import list_tokens

    with _session() as session:
        rows = list_tokens(session, None)
    if not rows:
        console.print("no API token yet")
    for r in rows:
        state = f"revoked {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else "live"
        console.print(
            f"{r.token_id}  {r.username}  {r.label or '-'}  created"
            f" {r.created_at:%Y-%m-%d %H:%M}  {state}",
            highlight=False,
        )


@tokens_app.command("create")
def tokens_create(
    username: str, label: Annotated[str, typer.Option(help="What the token is for.")] = ""
) -> None:
    """Create an API token for a user; it is printed once and only its hash is kept."""
    from serving.services import create_token

    with _session() as session:
        token = create_token(session, username, clock=WallClock(), label=label, actor="cli")
    console.print(token, highlight=False, soft_wrap=True)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    from serving.services import revoke_token

    with _session() as session:
        revoke_token(session, token_id, clock=WallClock(), actor="cli")
    console.print(f"token {token_id} revoked")


@sessions_app.command("purge")
def sessions_purge() -> None:
    """Delete ended and expired sessions (idle and absolute limits from the settings; audited).

    Time is the service's clock: a demo's simulated clock when the data folder records one.
    """
    import datetime as dt

    from risk.settings import get_settings
    from serving.services import SessionPolicy, purge_sessions

    settings = get_settings()
    sec = settings.security
    policy = SessionPolicy(
        idle=dt.timedelta(minutes=sec.session_idle_minutes),
        absolute=dt.timedelta(hours=sec.session_absolute_hours),
    )
    with _session() as session:
        clock = _clock(settings) or WallClock()
        purged = purge_sessions(session, policy, clock=clock, actor="cli")
    console.print(f"{plural(purged, 'session')} purged")
