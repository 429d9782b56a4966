"""Exception handlers: every error answers ``{"error", "detail"}``, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from risk.errors import AmanahError
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


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]


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
    # Messages are written for the CLI too and may name a store URI or a server path.
    return JSONResponse(scrub_json(body), status_code=exc.status_code)


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
    app.add_exception_handler(Exception, _unexpected)
