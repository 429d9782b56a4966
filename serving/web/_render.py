"""Rendering pages: the Jinja2 environment, its helpers, and the page dependencies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from serving.services import PERMISSIONS, KillSwitchEvent, kill_switch_on

from ._glossary import label, shown_field
from ._i18n import (
    LANGS,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    translate,
)
from ._session import PageError, SignInRequired, WebUser, current_user, request_lang

__all__ = [
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "PageUser",
    "page_user",
    "render",
    "requires",
    "templates",
]

_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = _ROOT / "templates"
STATIC_DIR = _ROOT / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _maplibre_style_id() -> str:
    from ._vendor import maplibre_style_id  # reads plotly.min.js once, on first use

    return maplibre_style_id()


def _asset_url(name: str) -> str:
    from ._assets import asset_url  # digests the file once, on first use

    return asset_url(name)


templates.env.globals.update(
    LANGS=LANGS, PERMISSIONS=PERMISSIONS, PLOTLY_MAPLIBRE_ID=_maplibre_style_id, asset=_asset_url
)


def page_user(request: Request) -> WebUser:
    """The signed-in user, or a redirect to the sign-in page."""
    user = current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return user


PageUser = Annotated[WebUser, Depends(page_user)]


def requires(user: WebUser, permission: str) -> WebUser:
    """Refuse the page (403, as an HTML page) unless the user's role holds ``permission``."""
    if not user.may(permission):
        raise PageError(403, "error_forbidden", role=user.principal.role)
    return user


def _shown(value: Any, lang: str) -> Any:
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, float):
        return format_number(value, lang, 2)
    return value


def _helpers(lang: str) -> dict[str, Any]:
    return {
        "msg": lambda key, values: translate(
            key, lang, **{k: _shown(v, lang) for k, v in values.items()}
        ),
        "lang": lang,
        "lbl": lambda section, v: label(section, v, lang),
        "field": lambda name, v: shown_field(name, v, lang),
        "t": lambda key, **kw: translate(key, lang, **kw),
        "num": lambda v, digits=0: format_number(v, lang, digits),
        "pct": lambda v, digits=1: format_percent(v, lang, digits),
        "date": lambda v: format_date(v, lang),
        "datetime": lambda v: format_datetime(v, lang),
    }


def _kill_banner(request: Request, user: WebUser | None) -> KillSwitchEvent | None:
    """Who switched manual review on, when and why: shown on every casework page while on."""
    if user is None or not user.may("cases.read"):
        return None
    try:
        with request.app.state.store.reading() as session:
            return kill_switch_on(session)
    except sa.exc.SQLAlchemyError:  # the page (or its error page) still answers
        return None


def render(
    request: Request,
    template: str,
    user: WebUser | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the user's language with the translation and format helpers."""
    lang = user.lang if user is not None else request_lang(request)
    ctx = {"user": user, "kill_banner": _kill_banner(request, user), **_helpers(lang), **context}
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
