"""Cookie sessions for the pages: sign-in with the API's users and roles, CSRF, language.

The cookie holds a signed (itsdangerous) payload: user id, a CSRF token and when it was
issued; the user is re-read from the store on every request, so a deactivated account
loses access at once.  The chosen language is stored per user in the store (service
settings key ``web.lang.<user_id>``), so it follows the person, not the browser.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from serving.services import PERMISSIONS, Principal, append_audit, check_password
from serving.store import ServiceSetting, User

from ._i18n import LANGS

__all__ = [
    "COOKIE",
    "LANG_COOKIE",
    "PageError",
    "SignInRequired",
    "WebUser",
    "check_csrf",
    "current_user",
    "lang_key",
    "request_lang",
    "serializer",
    "sign_in",
    "store_lang",
]

COOKIE = "amanah_session"
LANG_COOKIE = "amanah_lang"
MAX_AGE = 12 * 3600


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


def serializer(request: Request) -> URLSafeTimedSerializer:
    """The cookie signer of this app (secret from settings, else one per process)."""
    state = request.app.state
    if getattr(state, "web_serializer", None) is None:
        secret = state.settings.serving.session_secret or secrets.token_hex(32)
        state.web_serializer = URLSafeTimedSerializer(secret, salt="amanah-web-session")
    return state.web_serializer


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
    """The signed-in user of ``request``, or ``None``."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    with request.app.state.store.transaction() as session:
        user = session.get(User, data.get("uid"))
        if user is None or not user.active:
            return None
        lang = _user_lang(session, user.user_id) or request_lang(request)
        return WebUser(Principal(user.user_id, user.username, user.role), lang, data["csrf"])


def sign_in(request: Request, username: str, password: str) -> tuple[str, WebUser] | None:
    """Check a password; on success the signed cookie value and the user (audited)."""
    with request.app.state.store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        ok = user is not None and user.active and check_password(user.password_hash, password)
        append_audit(
            session,
            clock=request.app.state.clock,
            actor=username[:80] or "(empty)",
            action="web.sign_in" if ok else "web.sign_in_failed",
            entity_type="user",
            entity_id=str(user.user_id) if user is not None else "unknown",
        )
        if not ok:
            return None
        csrf = secrets.token_urlsafe(24)
        cookie = serializer(request).dumps({"uid": user.user_id, "csrf": csrf})
        lang = _user_lang(session, user.user_id) or request_lang(request)
        return cookie, WebUser(Principal(user.user_id, user.username, user.role), lang, csrf)


def check_csrf(user: WebUser, token: str | None) -> None:
    """Refuse a form whose CSRF token is not the session's."""
    if not token or not secrets.compare_digest(token, user.csrf):
        raise PageError(403, "error_csrf")
