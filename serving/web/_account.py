"""The signed-in person's own account: change my password (every role).

The page calls the same service as ``POST /v1/me/password``
(:func:`serving.services.change_own_password`), so the rules live in one place: the
current password is checked under the sign-in throttles (a wrong one counts as a failed
sign-in, and a lockout answers 429), the new one must pass the password policy, and
every session of the person ends.  The session that made the change is then
re-issued: a new session token (and CSRF token) replaces the old cookie, so the person
stays signed in here while every other browser is signed out.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import RequestValidationError
from serving.services import ThrottlePolicy, change_own_password, open_session
from serving.store import User

from ._render import PageUser, render
from ._session import COOKIE, WebUser, check_csrf, client_address, set_cookie

__all__ = ["policy_error", "router"]

router = APIRouter(include_in_schema=False)

PATH = "/account/password"

#: The policy's rules as the service words them, and the page's message for each.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"must be at least (?P<n>\d+) characters"), "acct_err_short"),
    (re.compile(r"must be at most (?P<n>\d+) characters"), "acct_err_long"),
    (re.compile(r"must use at least (?P<n>\d+) different characters"), "acct_err_variety"),
    (re.compile(r"must not contain the username"), "acct_err_username"),
    (re.compile(r"is too common"), "acct_err_common"),
    (re.compile(r"must differ from the current password"), "acct_err_same"),
)


def policy_error(message: str) -> tuple[str, dict[str, str]]:
    """The message key (and values) for a rule the service refused the new password by.

    A rule without a translation is shown in the service's own (English) words.
    """
    for pattern, key in _RULES:
        found = pattern.match(message)
        if found:
            return key, found.groupdict()
    return "acct_err_policy", {"rule": message}


def _throttle(request: Request) -> ThrottlePolicy:
    """The sign-in limits, read as the sign-in form and the API read them."""
    sec = request.app.state.settings.security
    return ThrottlePolicy(
        sec.account_max_failures,
        sec.address_max_failures,
        dt.timedelta(minutes=sec.sign_in_window_minutes),
    )


def _form(request: Request, user: WebUser, status_code: int = 200, **extra: Any) -> HTMLResponse:
    errors = extra.pop("errors", {})
    min_length = request.app.state.settings.security.password_min_length
    return render(
        request, "web/account.html", user, status_code=status_code,
        errors=errors, min_length=min_length, **extra,
    )  # fmt: skip


@router.get(PATH, response_class=HTMLResponse)
def password_page(request: Request, user: PageUser, done: int = 0) -> HTMLResponse:
    """The change-my-password form (a note at the top after a change)."""
    return _form(request, user, changed=bool(done))


@router.post(PATH, response_class=HTMLResponse)
def change_password(
    request: Request,
    user: PageUser,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
):
    """Change the password through the service; errors beside their fields (422 / 429)."""
    check_csrf(user, csrf)
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if not current_password:
        errors["current_password"] = ("acct_err_required", {})
    if not new_password:
        errors["new_password"] = ("acct_err_required", {})
    elif confirm_password != new_password:
        errors["confirm_password"] = ("acct_err_mismatch", {})
    if errors:
        return _form(request, user, 422, errors=errors)
    return _apply(request, user, current_password, new_password)


def _apply(request: Request, user: WebUser, current: str, new: str):
    """Run the service; on success re-issue this session and show the note."""
    sec = request.app.state.settings.security
    clock = request.app.state.clock
    try:
        with request.app.state.store.transaction() as session:  # a failure record commits
            result = change_own_password(
                session, user.principal, current, new, address=client_address(request),
                policy=_throttle(request), clock=clock,
                min_length=sec.password_min_length,
            )  # fmt: skip
            if result.outcome == "changed":
                person = session.get(User, user.principal.user_id)
                opened = open_session(session, person, clock.now())
    except RequestValidationError as exc:
        key, values = policy_error(str(exc.detail[0]["msg"]))
        return _form(request, user, 422, errors={"new_password": (key, values)})
    if result.outcome == "locked":
        minutes = -(-result.retry_after // 60)
        locked = {"current_password": ("acct_err_locked", {"minutes": minutes})}
        response = _form(request, user, 429, errors=locked)
        response.headers["Retry-After"] = str(result.retry_after)
        return response
    if result.outcome == "wrong":
        return _form(request, user, 422, errors={"current_password": ("acct_err_wrong", {})})
    response = RedirectResponse(f"{PATH}?done=1", status_code=303)
    max_age = int(sec.session_absolute_hours * 3600)
    set_cookie(request, response, COOKIE, opened.token, max_age, httponly=True)
    return response
