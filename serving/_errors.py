"""Exception handlers: every error answers ``{"error", "detail"}``, never a stack trace.

A database that cannot be used (unreachable, read-only, full, locked too long)
answers 503 with ``Retry-After``: the request may well work a moment later, and
an answer (rather than an exception escaping to the server) keeps the client's
connection open.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from risk.errors import AmanahError, StoreUnavailableError
from serving._security import HEADERS, scrub_json
from serving.services import rule_text

__all__ = ["install_error_handlers"]

log = logging.getLogger("serving")

_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def _printable(text: str) -> str:
    # A lone surrogate from the request (say, in an unknown field's name) cannot be
    # encoded as UTF-8: shown escaped, the answer can still be sent.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [_printable(str(p)) for p in err.get("loc", ())],
            "msg": _printable(err.get("msg", "")),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


def _retry_after(request: Request) -> dict[str, str]:
    return {"Retry-After": str(request.app.state.settings.serving.retry_after_seconds)}


def _prefers_indonesian(request: Request) -> bool:
    """Whether ``Accept-Language`` asks for Bahasa Indonesia before English."""
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("id"):
            return True
        if tag.startswith("en"):
            return False
    return False


async def _amanah(request: Request, exc: AmanahError) -> JSONResponse:
    body = exc.to_body()
    if getattr(exc, "rule", None) and _prefers_indonesian(request):
        # a refusal names its rule in the caller's language (English unless asked)
        body["detail"] = rule_text(exc, "id")
    headers = _retry_after(request) if exc.status_code == 503 else None
    # Messages are written for the CLI too and may name a store URI or a server path.
    return JSONResponse(scrub_json(body), status_code=exc.status_code, headers=headers)


#: SQLSTATEs that mean "not now" rather than "wrong": a read-only transaction or server.
_UNAVAILABLE_STATES = {"25006"}


def store_unavailable(exc: sa.exc.DBAPIError) -> bool:
    """Whether a database error means the store cannot be used now (so: 503, retry)."""
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return True
    return exc.connection_invalidated or (
        getattr(exc.orig, "sqlstate", None) in _UNAVAILABLE_STATES
    )


async def _database(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, sa.exc.DBAPIError) and not store_unavailable(exc):
        return await _unexpected(request, exc)
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    seconds = request.app.state.settings.serving.retry_after_seconds
    error = StoreUnavailableError(
        f"the database is unavailable (unreachable, read-only or full); retry in {seconds} s"
    )
    return await _amanah(request, error)


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(
        {"error": "validation_error", "detail": _field_errors(exc)}, status_code=422
    )


async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        {"error": code, "detail": exc.detail},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        {"error": "internal_error", "detail": "an internal error occurred; it has been logged"},
        status_code=500,
        headers=HEADERS,  # this answer is sent outside the security-headers middleware
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(AmanahError, _amanah)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(sa.exc.DBAPIError, _database)
    app.add_exception_handler(sa.exc.TimeoutError, _database)  # no pooled connection free
    app.add_exception_handler(Exception, _unexpected)
