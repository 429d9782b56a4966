"""The admin console: people (add, deactivate, reset password, roles, teams), API tokens
(list, revoke) and sign-in locks (lift).

Every form carries the CSRF token and every change goes through the people services,
which check the admin's permission and audit the change.  A generated password is shown
once, on the page that answers the form (never in an address, never stored in clear).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import AmanahError
from serving.services import (
    ROLES,
    ThrottlePolicy,
    add_person,
    change_role,
    create_team,
    lift_lock,
    list_people,
    list_teams,
    list_tokens,
    reset_password,
    revoke_token_as,
    rule_text,
    set_person_active,
    set_team,
)

from ._render import PageUser, render, requires
from ._session import WebUser, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: What a finished change says (``?done=``); anything else says nothing.
DONE = ("deactivated", "activated", "role", "team", "team_created", "revoked", "unlocked")


def _throttle(request: Request) -> ThrottlePolicy:
    sec = request.app.state.settings.security
    return ThrottlePolicy(
        sec.account_max_failures,
        sec.address_max_failures,
        dt.timedelta(minutes=sec.sign_in_window_minutes),
    )


def _page(request: Request, user: WebUser, status_code: int = 200, **extra: Any) -> HTMLResponse:
    now = request.app.state.clock.now()
    with request.app.state.store.reading() as session:
        people = list_people(session, user.principal, _throttle(request), now)
        tokens = list_tokens(session, user.principal)
        teams = list_teams(session)
    done = request.query_params.get("done", "")
    return render(
        request, "web/admin.html", user, status_code=status_code, people=people, tokens=tokens,
        teams=teams, roles=ROLES, done=done if done in DONE else "", **extra,
    )  # fmt: skip


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: PageUser) -> HTMLResponse:
    """People, teams, tokens and locks."""
    requires(user, "users.manage")
    return _page(request, user)


def _change(request: Request, user: WebUser, csrf: str, done: str, action: Any) -> Any:
    """Run ``action(session, clock)`` as the admin; the page again with the refusal if any."""
    requires(user, "users.manage")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            result = action(session, request.app.state.clock)
    except AmanahError as exc:
        if exc.status_code == 403:
            raise
        return _page(request, user, exc.status_code, problem=rule_text(exc, user.lang))
    if done:
        return RedirectResponse(f"/admin?done={done}", status_code=303)
    return result


def _min_length(request: Request) -> int:
    return request.app.state.settings.security.password_min_length


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: PageUser,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Add a person; the answer shows their first password once."""

    def action(session: Any, clock: Any) -> HTMLResponse:
        password = add_person(session, user.principal, username.strip(), role, clock=clock,
                              team=team or None, min_length=_min_length(request))  # fmt: skip
        return password

    password = _change(request, user, csrf, "", action)
    if not isinstance(password, str):
        return password
    return _page(request, user, shown={"username": username.strip(), "password": password})


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def new_password(
    request: Request, user: PageUser, username: str, csrf: Annotated[str, Form()] = ""
):
    """A new password for a person (their sessions end); shown once."""

    def action(session: Any, clock: Any) -> str:
        password, _ = reset_password(
            session, user.principal, username, clock=clock, min_length=_min_length(request)
        )
        return password

    password = _change(request, user, csrf, "", action)
    if not isinstance(password, str):
        return password
    return _page(request, user, shown={"username": username, "password": password})


@router.post("/admin/users/{username}/active", response_class=HTMLResponse)
def active(
    request: Request,
    user: PageUser,
    username: str,
    active: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Deactivate (sessions end, tokens stop) or reactivate a person."""
    on = active == "on"
    return _change(
        request, user, csrf, "activated" if on else "deactivated",
        lambda s, c: set_person_active(s, user.principal, username, on, clock=c),
    )  # fmt: skip


@router.post("/admin/users/{username}/role", response_class=HTMLResponse)
def role(
    request: Request,
    user: PageUser,
    username: str,
    role: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Give a person another role."""
    return _change(
        request, user, csrf, "role",
        lambda s, c: change_role(s, user.principal, username, role, clock=c),
    )  # fmt: skip


@router.post("/admin/users/{username}/team", response_class=HTMLResponse)
def team(
    request: Request,
    user: PageUser,
    username: str,
    team: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Put a person in a team, or in none."""
    return _change(
        request, user, csrf, "team",
        lambda s, c: set_team(s, user.principal, username, team or None, clock=c),
    )  # fmt: skip


@router.post("/admin/users/{username}/unlock", response_class=HTMLResponse)
def unlock(request: Request, user: PageUser, username: str, csrf: Annotated[str, Form()] = ""):
    """Lift a person's sign-in lock."""
    return _change(
        request, user, csrf, "unlocked",
        lambda s, c: lift_lock(s, user.principal, username, clock=c),
    )  # fmt: skip


@router.post("/admin/teams", response_class=HTMLResponse)
def new_team(
    request: Request,
    user: PageUser,
    name: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Add a team."""
    return _change(
        request, user, csrf, "team_created",
        lambda s, c: create_team(s, user.principal, name, clock=c),
    )  # fmt: skip


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke(request: Request, user: PageUser, token_id: int, csrf: Annotated[str, Form()] = ""):
    """Revoke an API token."""
    return _change(
        request, user, csrf, "revoked",
        lambda s, c: revoke_token_as(s, user.principal, token_id, clock=c),
    )  # fmt: skip
