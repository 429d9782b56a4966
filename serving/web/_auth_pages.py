"""Sign-in, sign-out, the language switch and the home redirect."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from serving.services import append_audit

from ._i18n import LANGS
from ._render import render
from ._session import (
    COOKIE,
    LANG_COOKIE,
    MAX_AGE,
    check_csrf,
    current_user,
    sign_in,
    store_lang,
)

__all__ = ["home_for", "router"]

router = APIRouter(include_in_schema=False)


def home_for(role: str) -> str:
    """Where a role lands after signing in."""
    if role in ("officer", "supervisor"):
        return "/queue"
    return "/oversight"


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


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "", out: int = 0) -> HTMLResponse:
    """The sign-in form."""
    return render(
        request, "web/login.html", None, next=_safe_next(next) or "", signed_out=bool(out)
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    """Check the password and set the session cookie (failures answer 401 with the form)."""
    result = sign_in(request, username.strip(), password)
    if result is None:
        return render(
            request,
            "web/login.html",
            None,
            next=_safe_next(next) or "",
            failed=True,
            username=username,
            status_code=401,
        )
    cookie, user = result
    response = RedirectResponse(_safe_next(next) or home_for(user.principal.role), status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=MAX_AGE, httponly=True, samesite="lax")
    response.set_cookie(LANG_COOKIE, user.lang, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = ""):
    """End the session (audited)."""
    user = current_user(request)
    if user is not None:
        check_csrf(user, csrf)
        with request.app.state.store.transaction() as session:
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
    response = RedirectResponse(_safe_next(next) or "/", status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
