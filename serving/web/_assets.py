"""Static assets served compressed and cached: ``/static/*`` and the vendored plotly.js.

Each asset is read and gzip-compressed once per process (plotly.js: 4.8 MB, 1.47 MB
compressed) and answered with ``Content-Encoding: gzip`` to clients that accept it.
Pages link assets through :func:`asset_url`, which adds the content's digest
(``/static/amanah.css?v=3f2a...``): such a URL never changes meaning, so it is cached
for a year (``immutable``); a URL without the current digest is revalidated (ETag).

Pages themselves are not compressed: they hold the session's CSRF token next to text
an attacker can choose (the ``next`` field, form values sent back), which is what a
compression side channel (BREACH) needs.  Assets hold no secrets.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ._oversight import PLOTLY_JS
from ._render import STATIC_DIR

__all__ = ["asset_url", "router"]

router = APIRouter(include_in_schema=False)

_TYPES = {".css": "text/css", ".js": "text/javascript"}
_YEAR = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class _Asset:
    body: bytes
    gzipped: bytes
    digest: str
    media_type: str


def _packed(body: bytes, media_type: str) -> _Asset:
    return _Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:16],
        media_type=media_type,
    )


@functools.cache
def _asset(path: Path) -> _Asset:
    return _packed(path.read_bytes(), _TYPES.get(path.suffix, "application/octet-stream"))


@functools.cache
def _plotly_css() -> _Asset:
    from ._vendor import plotly_css

    return _packed(plotly_css().encode(), "text/css")


def _static_path(name: str) -> Path | None:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR.resolve() or not path.is_file() or path.suffix not in _TYPES:
        return None
    return path


def asset_url(name: str) -> str:
    """The versioned URL of a static file (``amanah.css``), ``plotly.min.js`` or ``plotly.css``."""
    if name == "plotly.min.js":
        return f"/vendor/plotly.min.js?v={_asset(PLOTLY_JS).digest}"
    if name == "plotly.css":
        return f"/vendor/plotly.css?v={_plotly_css().digest}"
    path = _static_path(name)
    if path is None:
        raise FileNotFoundError(f"no static asset {name!r} in {STATIC_DIR}")
    return f"/static/{name}?v={_asset(path).digest}"


def _answer(request: Request, asset: _Asset) -> Response:
    etag = f'"{asset.digest}"'
    versioned = request.query_params.get("v") == asset.digest
    headers = {
        "ETag": etag,
        "Cache-Control": _YEAR if versioned else "no-cache",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/static/{name}")
def static_file(request: Request, name: str) -> Response:
    """A file of ``serving/static``, compressed for clients that accept gzip."""
    path = _static_path(name)
    if path is None:
        return Response(status_code=404)
    return _answer(request, _asset(path))


@router.get("/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """plotly.js from the installed ``plotly`` package, compressed and cached."""
    return _answer(request, _asset(PLOTLY_JS))


@router.get("/vendor/plotly.css")
def plotly_stylesheet(request: Request) -> Response:
    """plotly.js's stylesheet (built from the installed bundle), compressed and cached."""
    return _answer(request, _plotly_css())
