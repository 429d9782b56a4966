"""Errors on the screens answer as pages: a bad or unknown address in the browser gets
the page frame in the user's language, not the API's JSON body.

The API (``/v1/...``), its documentation and static files keep the JSON answers of
:mod:`serving._errors`: these handlers wrap the ones already installed and hand over
to them for every address that is not a screen, and for every form post (a form's
refusals are answered by its own page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ._i18n import MESSAGES, translate
from ._render import render
from ._session import current_user, request_lang

__all__ = ["install_page_errors", "is_screen"]

Handler = Callable[[Request, Any], Awaitable[Response]]

#: Address prefixes that are not screens (the API, its docs, files).
_NOT_SCREENS = ("/v1/", "/docs", "/redoc", "/openapi.json", "/static/", "/vendor/")

#: What a path or query value must be, by pydantic's error type.
_EXPECTED = {"int_parsing": "error_expected_int", "int_type": "error_expected_int"}


def is_screen(request: Request) -> bool:
    """Whether the request is for a screen (a page a person opens), not the API."""
    path = request.url.path
    return path != "/v1" and not path.startswith(_NOT_SCREENS)


def _bad_value(request: Request, exc: RequestValidationError) -> Response:
    user = current_user(request)
    lang = user.lang if user is not None else request_lang(request)
    first = exc.errors()[0]
    name = str(first.get("loc", ("", "?"))[-1])
    field_key = f"error_field_{name}"
    field = translate(field_key, lang) if field_key in MESSAGES else name.replace("_", " ")
    expected = _EXPECTED.get(first.get("type", ""), "error_expected_valid")
    values = {
        "field": field,
        "expected": translate(expected, lang),
        "value": str(first.get("input", ""))[:80],
    }
    return render(
        request, "web/error.html", user, status_code=422, key="error_bad_value", values=values
    )


def install_page_errors(app: FastAPI) -> None:
    """Answer bad addresses (422) and unknown ones (404) on the screens with HTML pages.

    Call after :func:`serving._errors.install_error_handlers`: the API's handlers stay in
    charge of everything that is not a screen.
    """
    api_validation: Handler = app.exception_handlers[RequestValidationError]
    api_http: Handler = app.exception_handlers[StarletteHTTPException]

    async def validation(request: Request, exc: RequestValidationError) -> Response:
        if request.method != "GET" or not is_screen(request) or not exc.errors():
            return await api_validation(request, exc)
        return _bad_value(request, exc)

    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code != 404 or request.method != "GET" or not is_screen(request):
            return await api_http(request, exc)
        values = {"path": request.url.path[:120]}
        user = current_user(request)
        return render(
            request, "web/error.html", user, status_code=404, key="error_no_page", values=values
        )

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
