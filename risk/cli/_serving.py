"""Service verbs: serve, db upgrade, users, teams, tokens, replay."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from risk.clock import WallClock
from risk.text import plural

from ._app import app, console, group

db_app = group("db", "The service's database.")
users_app = group("users", "People who use the service and their roles.")
tokens_app = group("tokens", "API tokens (shown once, stored hashed).")
teams_app = group("teams", "Teams of officers and supervisors.")
sessions_app = group("sessions", "Signed-in browser sessions of the case screens.")


@contextmanager
def _session() -> Iterator[Any]:
    """A transaction on a store whose schema is current; the engine is disposed afterwards.

    A store behind this version is refused with the command that migrates it
    (:class:`~risk.errors.SchemaBehindError`); nothing migrates silently.
    """
    from risk.settings import get_settings
    from serving.services import load_audit_key
    from serving.store import Store

    settings = get_settings()
    store = Store(settings.database_url, audit_key=load_audit_key(settings))
    try:
        store.check_schema()
        with store.transaction() as session:
            yield session
    finally:
        store.dispose()


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    bundle: Annotated[
        Path | None, typer.Option(help="Serve this model bundle instead of the champion.")
    ] = None,
    resume_at: Annotated[
        str | None,
        typer.Option(
            help="Serve a simulated store on a clock that resumes at this instant"
            " (ISO, e.g. 2026-01-01T00:00:00) and runs at the wall's pace (default: where"
            " a demo in the data folder stopped, if one did; else the wall clock)."
        ),
    ] = None,
) -> None:
    """Start the scoring service (one worker process; run more processes to scale)."""
    from risk.clock import ContinuedClock
    from risk.settings import get_settings

    settings = get_settings()
    if bundle is not None:
        settings = settings.with_section("serving", model_source="bundle", bundle_path=bundle)
    clock = _clock(settings) if resume_at is None else ContinuedClock(_instant(resume_at))
    _serve(settings, host or settings.serving.host, port or settings.serving.port, clock)


def _instant(text: str) -> Any:
    import datetime as dt

    from risk.errors import ConfigError

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--resume-at must be an instant like 2026-01-01T00:00:00, got {text!r}"
        ) from None


def _clock(settings: Any) -> Any:
    """The demo's simulated clock continued when the data folder records one, else the wall's."""
    from serving._resume import CLOCK_FILE, resumed_clock

    clock = resumed_clock(settings.data_dir)
    if clock is not None:
        console.print(
            f"continuing the simulated clock at {clock.now():%Y-%m-%d %H:%M} (recorded in"
            f" {settings.data_dir / CLOCK_FILE}; remove that file to serve on the wall clock)",
            highlight=False,
        )
    return clock


def _check_schema(settings: Any) -> None:
    from serving.store import Store

    store = Store(settings.database_url)
    try:
        store.check_schema()
    finally:
        store.dispose()


def _serve(settings: Any, host: str, port: int, clock: Any = None) -> None:
    import uvicorn

    from serving import create_app

    _check_schema(settings)  # before uvicorn starts: a clear message, not a traceback
    service = create_app(settings, clock=clock)
    # Everything imported so far lives as long as the process: frozen, the collector
    # never walks it again (a full collection over it pauses requests).
    gc.freeze()
    console.print(f"Amanah on http://{host}:{port}  (API docs: /docs; Ctrl-C stops it)")
    # One worker process: uvicorn's worker processes do not set TCP_NODELAY on their
    # sockets, which delays every small answer (uvicorn issue #3149).
    uvicorn.run(service, host=host, port=port, workers=1, log_level="warning")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store's schema to the latest version (the only way it migrates)."""
    from risk.settings import get_settings
    from serving.services import load_audit_key
    from serving.store import Store

    settings = get_settings()
    store = Store(settings.database_url, audit_key=load_audit_key(settings))
    try:
        store.upgrade()
    finally:
        store.dispose()
    console.print(f"store at {settings.database_url.split('@')[-1]} is up to date")


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


@app.command("replay")
def replay(
    score_id: str,
    bundle: Annotated[
        Path | None, typer.Option(help="Bundle of the score's model (default: configured).")
    ] = None,
) -> None:
    """Recompute a logged score from the store and check it matches the inference log."""
    from risk.errors import ModelUnavailableError
    from risk.settings import get_settings
    from serving.services import ModelHolder, replay_score

    settings = get_settings()
    holder = ModelHolder(settings)
    if bundle is not None:
        holder.load_path(bundle)
    elif holder.load_configured() is None:
        raise ModelUnavailableError(f"no model to replay with: {holder.last_error}")
    with _session() as session:
        report = replay_score(session, score_id, holder.bundle, settings)
    _print_replay(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_replay(report: Any) -> None:
    console.print(f"score {report.score_id} (model {report.model_version})")
    console.print(f"  inputs fingerprint: {'matches' if report.fingerprint_ok else 'DIFFERS'}")
    console.print(f"  features: {'all match' if not report.feature_mismatches else 'DIFFER'}")
    for name, logged, again in report.feature_mismatches:
        console.print(f"    {name}: logged {logged!r}, recomputed {again!r}")
    console.print(
        f"  score: logged {report.logged_score:.12f}, replayed {report.replayed_score:.12f}"
    )
    if report.logged_propensity is None:
        console.print("  review propensity: not recorded (scored before it was logged)")
    else:
        console.print(
            f"  review propensity: logged {report.logged_propensity:g},"
            f" replayed {report.replayed_propensity:g}"
        )
    console.print(
        "[green]replay reproduces the logged score[/]"
        if report.ok
        else "[red]replay does NOT reproduce the logged score[/]"
    )


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
