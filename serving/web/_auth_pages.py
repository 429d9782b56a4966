"""Sign-in, sign-out, the language switch and the home redirect."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from serving.services import append_audit, end_session

from ._i18n import LANGS
from ._render import render
from ._session import (
    COOKIE,
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    PageError,
    check_csrf,
    current_user,
    login_csrf,
    now,
    set_cookie,
    sign_in,
    store_lang,
)

_YEAR = 365 * 86400

__all__ = ["home_for", "router"]

router = APIRouter(include_in_schema=False)


def home_for(role: str) -> str:
    """Where a role lands after signing in."""
    if role in ("officer", "supervisor"):
        return "/queue"
    return "/admin" if role == "admin" else "/oversight"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    """Signed-in users go to their start page; others to the sign-in page."""
    user = current_user(request)
    return RedirectResponse(home_for(user.principal.role) if user else "/login", status_code=303)


def _login_form(request: Request, status_code: int = 200, **values) -> HTMLResponse:
    """The sign-in form with its CSRF token (set in a cookie only the form's path reads)."""
    csrf = login_csrf(request)
    response = render(request, "web/login.html", None, status_code=status_code, csrf=csrf, **values)
    set_cookie(
        request,
        response,
        LOGIN_CSRF_COOKIE,
        csrf,
        3600,
        httponly=True,
        path="/login",
        samesite="strict",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "", out: int = 0) -> HTMLResponse:
    """The sign-in form."""
    return _login_form(request, next=_safe_next(next) or "", signed_out=bool(out))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
):
    """Check the password and start a session (401 with the form; 429 while locked)."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        raise PageError(403, "error_csrf")
    result, user = sign_in(request, username.strip(), password)
    if user is not None and request.cookies.get(COOKIE):
        with request.app.state.store.transaction() as session:  # a second sign-in replaces it
            end_session(session, request.cookies[COOKIE], now(request), "replaced")
    if user is None:
        locked = result.outcome == "locked"
        response = _login_form(
            request,
            status_code=429 if locked else 401,
            next=_safe_next(next) or "",
            failed=not locked,
            locked_minutes=-(-result.retry_after // 60) if locked else 0,
            username=username,
        )
        if locked:
            response.headers["Retry-After"] = str(result.retry_after)
        return response
    response = RedirectResponse(_safe_next(next) or home_for(user.principal.role), status_code=303)
    hours = request.app.state.settings.security.session_absolute_hours
    set_cookie(request, response, COOKIE, result.opened.token, int(hours * 3600), httponly=True)
    set_cookie(request, response, LANG_COOKIE, user.lang, _YEAR)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = ""):
    """End the session in the store, so the cookie no longer opens anything (audited)."""
    user = current_user(request)
    if user is not None:
        check_csrf(user, csrf)
        with request.app.state.store.transaction() as session:
            end_session(session, request.cookies.get(COOKIE, ""), now(request))
            append_audit(
                session,
                clock=request.app.state.clock,
                actor=user.principal.username,
                action="web.sign_out",
                entity_type="user",
                entity_id=str(user.principal.user_id),
            )
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _with_lang(target: str, lang: str) -> str:
    """``target`` with a ``lang`` query value replaced by the chosen one (it outranks the
    cookie, so a page reached as ``/status?lang=en`` would otherwise stay English)."""
    parsed = urlparse(target)
    query = parse_qsl(parsed.query, keep_blank_values=True)
    if not any(key == "lang" for key, _ in query):
        return target
    shown = urlencode([(k, lang if k == "lang" else v) for k, v in query])
    return parsed._replace(query=shown).geturl()


@router.post("/lang")
def switch_language(
    request: Request,
    lang: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
    csrf: Annotated[str, Form()] = "",
):
    """Change the language; for a signed-in user it is remembered for their next sessions."""
    lang = lang if lang in LANGS else "en"
    user = current_user(request)
    if user is not None:
        check_csrf(user, csrf)
        with request.app.state.store.transaction() as session:
            store_lang(session, user.principal.user_id, lang, request.app.state.clock.now())
    response = RedirectResponse(_with_lang(_safe_next(next) or "/", lang), status_code=303)
    set_cookie(request, response, LANG_COOKIE, lang, _YEAR)
    return response
