"""Security headers on every answer, path scrubbing for error texts, and the local API docs.

:class:`SecurityHeaders` is a plain ASGI middleware (no per-request task, unlike
Starlette's ``BaseHTTPMiddleware``): it adds a strict Content-Security-Policy (no inline
script or style, no framing), ``nosniff``, ``Referrer-Policy`` and, on everything but
static assets, ``Cache-Control: no-store`` so that the back button after sign-out does
not show a case page from the browser's cache.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["CSP", "HEADERS", "SecurityHeaders", "install_docs", "scrub", "scrub_json"]

#: Only our own origin; no inline script or style; no plugins, no <base>, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

#: Public, unchanging assets that browsers may cache (everything else is ``no-store``).
_CACHEABLE = ("/static/", "/vendor/", "/docs/assets/")

_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_NO_STORE = (b"cache-control", b"no-store")
#: The headers as a dict, for answers sent outside the middleware (the generic 500).
HEADERS: dict[str, str] = {k.decode(): v.decode() for k, v in [*_HEADERS, _NO_STORE]}
_HSTS = (b"strict-transport-security", b"max-age=31536000")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[..., Awaitable[None]]


class SecurityHeaders:
    """Add the security headers to every HTTP answer of ``app``.

    Parameters
    ----------
    app
        The ASGI application to wrap.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        cacheable = path.startswith(_CACHEABLE)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _HEADERS if h[0] not in present)
                if not cacheable:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append(_NO_STORE)
                if https:
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_URI = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>)]+")
_ABS_PATH = re.compile(r"(?<![\w.:/~-])/([\w.@+-]+)(?:/[\w.@+ -]*[\w.@+-])*/?")


def _is_server_path(match: re.Match[str]) -> bool:
    # Route paths (/v1/..., /cases/...) are not folders of this machine; real paths are.
    return Path("/" + match.group(1)).exists()


def scrub(text: str) -> str:
    """``text`` with URIs (a store URI may hold a password) and server paths replaced.

    Used on every error text that leaves the service, so that no answer names the
    MLflow store, the database or a folder of the server.
    """
    text = _URI.sub("<uri>", text)
    return _ABS_PATH.sub(lambda m: "<path>" if _is_server_path(m) else m.group(0), text)


def scrub_json(value: Any) -> Any:
    """:func:`scrub` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_json(v) for v in value]
    return value


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Amanah API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>
"""
# In a file, not inline: the Content-Security-Policy allows no inline script.
_DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
});
"""


def _swagger_dir() -> Path:
    """Swagger UI's files as shipped by the installed ``fastapi-offline`` package."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` from Swagger UI files installed with the service (never a CDN)."""
    assets = {name: _swagger_dir() / name for name in ("swagger-ui.css", "swagger-ui-bundle.js")}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/docs/assets/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        path = assets.get(name)
        if path is None:
            from risk.errors import NotFoundError

            raise NotFoundError(f"no docs asset {name!r}")
        return FileResponse(path)
