"""Sessions of the pages: sign-in with the API's users and roles, CSRF, language.

The session cookie holds a random token; the session itself lives in the store
(:mod:`serving.services._sessions`), so sign-out, a password change or deactivation end
it at once, and idle and absolute timeouts (``security.*`` settings) are enforced on the
server.  The sign-in form carries its own CSRF token (double-submitted in a cookie
scoped to ``/login``).  The chosen language is stored per user in the store (service
settings key ``web.lang.<user_id>``), so it follows the person, not the browser.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from serving.services import (
    PERMISSIONS,
    Principal,
    SessionPolicy,
    SignInResult,
    ThrottlePolicy,
    read_session,
    sign_in_with_password,
)
from serving.store import ServiceSetting

from ._i18n import LANGS

__all__ = [
    "COOKIE",
    "LANG_COOKIE",
    "LOGIN_CSRF_COOKIE",
    "PageError",
    "SignInRequired",
    "WebUser",
    "check_csrf",
    "client_address",
    "current_user",
    "lang_key",
    "login_csrf",
    "now",
    "request_lang",
    "set_cookie",
    "sign_in",
    "store_lang",
]

COOKIE = "amanah_session"
LANG_COOKIE = "amanah_lang"
LOGIN_CSRF_COOKIE = "amanah_login_csrf"


class SignInRequired(Exception):
    """Raised by page dependencies when nobody is signed in (answered with a redirect)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageError(Exception):
    """A page cannot be shown (answered with an HTML error page, not JSON).

    Parameters
    ----------
    status
        HTTP status of the answer.
    key, values
        The message (a key of the catalogue) and what to fill into it.
    """

    def __init__(self, status: int, key: str, **values: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


@dataclass(frozen=True)
class WebUser:
    """The person behind a page request: their principal, language and CSRF token."""

    principal: Principal
    lang: str
    csrf: str

    def may(self, permission: str) -> bool:
        """Whether the user's role holds ``permission``."""
        return self.principal.role in PERMISSIONS[permission]


def now(request: Request) -> dt.datetime:
    """The app's clock's current instant (naive UTC)."""
    return request.app.state.clock.now()


def _policies(request: Request) -> tuple[SessionPolicy, ThrottlePolicy]:
    sec = request.app.state.settings.security
    return (
        SessionPolicy(
            idle=dt.timedelta(minutes=sec.session_idle_minutes),
            absolute=dt.timedelta(hours=sec.session_absolute_hours),
        ),
        ThrottlePolicy(
            account_max=sec.account_max_failures,
            address_max=sec.address_max_failures,
            window=dt.timedelta(minutes=sec.sign_in_window_minutes),
        ),
    )


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, **kw: Any
) -> None:
    """Set a cookie, ``Secure`` when the request came over TLS or settings say so."""
    secure = request.url.scheme == "https" or request.app.state.settings.security.secure_cookies
    kw.setdefault("samesite", "lax")
    response.set_cookie(name, value, max_age=max_age, secure=secure, **kw)


def login_csrf(request: Request) -> str:
    """The sign-in form's CSRF token: the one in its cookie, else a new one."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)


def lang_key(user_id: int) -> str:
    """The service-settings key holding a user's language."""
    return f"web.lang.{user_id}"


def request_lang(request: Request) -> str:
    """The language for a page without a signed-in user: ``?lang=``, the cookie, else English."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "en"
    return lang if lang in LANGS else "en"


def _user_lang(session: Session, user_id: int) -> str | None:
    value = session.scalar(
        sa.select(ServiceSetting.value).where(ServiceSetting.key == lang_key(user_id))
    )
    return value if value in LANGS else None


def store_lang(session: Session, user_id: int, lang: str, now: dt.datetime) -> None:
    """Remember ``lang`` for the user (not audited: it changes no decision)."""
    row = session.get(ServiceSetting, lang_key(user_id))
    if row is None:
        session.add(
            ServiceSetting(key=lang_key(user_id), value=lang, updated_at=now, updated_by=user_id)
        )
    else:
        row.value, row.updated_at = lang, now


def current_user(request: Request) -> WebUser | None:
    """The signed-in user of ``request``, or ``None`` (no, ended or timed-out session)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    policy = _policies(request)[0]
    with request.app.state.store.transaction() as session:
        opened = read_session(session, token, policy, now(request))
        if opened is None:
            return None
        user = opened.user
        lang = _user_lang(session, user.user_id) or request_lang(request)
        return WebUser(Principal(user.user_id, user.username, user.role), lang, opened.csrf)


def client_address(request: Request) -> str:
    """The client's address as the server saw it (what the address throttle counts)."""
    return (request.client.host if request.client else "unknown")[:64]


def sign_in(request: Request, username: str, password: str) -> tuple[SignInResult, WebUser | None]:
    """Check a password under the sign-in limits; on success the session's user (audited)."""
    throttle = _policies(request)[1]
    with request.app.state.store.transaction() as session:
        result = sign_in_with_password(
            session,
            username,
            password,
            address=client_address(request),
            policy=throttle,
            clock=request.app.state.clock,
        )
        if result.opened is None:
            return result, None
        user = result.opened.user
        lang = _user_lang(session, user.user_id) or request_lang(request)
        principal = Principal(user.user_id, user.username, user.role)
        return result, WebUser(principal, lang, result.opened.csrf)


def check_csrf(user: WebUser, token: str | None) -> None:
    """Refuse a form whose CSRF token is not the session's."""
    if not token or not secrets.compare_digest(token, user.csrf):
        raise PageError(403, "error_csrf")
