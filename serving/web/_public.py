"""The applicant's own pages: ``/status`` with its complaints and survey (EN and ID).

Nothing here needs a staff account, and nothing but a valid reference and access code
opens an application's page.  The page is an applicant session
(:func:`serving.services.check_access_code`): a random token in an ``HttpOnly``,
``SameSite=Strict`` cookie scoped to ``/status``, ended by the applicant, by its
lifetime (``security.applicant_session_minutes``) or by revoking the code.  The forms
carry the session's CSRF token; the code form a double-submitted one.  Every answer is
``Cache-Control: no-store`` (the security middleware).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from risk.errors import ConflictError, RequestValidationError
from serving.services import (
    APPLICANT_CATEGORIES,
    CONTACT_PREFERENCES,
    ApplicantAccess,
    applicant_complaints,
    applicant_survey,
    application_status,
    check_access_code,
    complaint_steps,
    end_applicant_session,
    open_applicant_complaint,
    read_applicant_session,
    rule_text,
    submit_survey,
)
from serving.services._public import MAX_PUBLIC_TEXT
from serving.services._surveys import MAX_SURVEY_COMMENT

from ._render import render
from ._session import PageError, client_address, request_lang, set_cookie

__all__ = ["APPLICANT_COOKIE", "router"]

router = APIRouter(include_in_schema=False)

APPLICANT_COOKIE = "amanah_applicant"
_FORM_CSRF_COOKIE = "amanah_status_csrf"
_PATH = "/status"


def _access(request: Request) -> ApplicantAccess | None:
    token = request.cookies.get(APPLICANT_COOKIE, "")
    if not token:
        return None
    with request.app.state.store.transaction() as session:
        return read_applicant_session(session, token, request.app.state.clock.now())


def _open_form(request: Request, status_code: int = 200, **values: Any) -> HTMLResponse:
    token = request.cookies.get(_FORM_CSRF_COOKIE, "")
    csrf = token if 20 <= len(token) <= 64 else secrets.token_urlsafe(24)
    response = render(
        request, "web/status_open.html", None, status_code=status_code, csrf=csrf, **values
    )
    set_cookie(
        request, response, _FORM_CSRF_COOKIE, csrf, 3600, httponly=True, path=_PATH,
        samesite="strict",
    )  # fmt: skip
    return response


def _status_page(
    request: Request, access: ApplicantAccess, status_code: int = 200, **values: Any
) -> HTMLResponse:
    with request.app.state.store.transaction() as session:
        status = application_status(session, access)
        complaints = applicant_complaints(session, access)
        steps = complaint_steps(session, [c.complaint_id for c in complaints])
        survey = applicant_survey(session, access)
    return render(
        request,
        "web/status.html",
        None,
        status_code=status_code,
        status=status,
        complaints=complaints,
        steps=steps,
        survey=survey,
        access=access,
        now=request.app.state.clock.now(),
        categories=APPLICANT_CATEGORIES,
        contacts=CONTACT_PREFERENCES,
        max_text=MAX_PUBLIC_TEXT,
        max_comment=MAX_SURVEY_COMMENT,
        **values,
    )


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, done: str = "") -> HTMLResponse:
    """The applicant's application, or the form asking for its reference and code."""
    access = _access(request)
    if access is None:
        return _open_form(request)
    return _status_page(request, access, done=done if done in ("complaint", "survey") else "")


@router.post("/status", response_class=HTMLResponse)
def open_status(
    request: Request,
    reference: Annotated[str, Form(max_length=40)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the reference and code (throttled, audited); the same answer for any mismatch."""
    expected = request.cookies.get(_FORM_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        raise PageError(403, "error_csrf")
    settings = request.app.state.settings
    with request.app.state.store.transaction() as session:
        check = check_access_code(
            session,
            reference,
            code,
            address=client_address(request),
            settings=settings,
            clock=request.app.state.clock,
        )
    if check.outcome == "locked":
        response = _open_form(request, 429, locked_minutes=-(-check.retry_after // 60))
        response.headers["Retry-After"] = str(check.retry_after)
        return response
    if check.outcome == "failed":
        return _open_form(request, 401, failed=True)
    response = RedirectResponse(f"{_PATH}?lang={request_lang(request)}", status_code=303)
    minutes = settings.security.applicant_session_minutes
    set_cookie(
        request, response, APPLICANT_COOKIE, check.token, minutes * 60, httponly=True,
        path=_PATH, samesite="strict",
    )  # fmt: skip
    response.delete_cookie(_FORM_CSRF_COOKIE, path=_PATH)
    return response


def _expired(request: Request) -> HTMLResponse:
    minutes = request.app.state.settings.security.applicant_session_minutes
    return _open_form(request, 401, expired_minutes=minutes)


def _checked(request: Request, csrf: str) -> ApplicantAccess | None:
    """The open page behind a form; ``None`` if it ended (expired, revoked, closed)."""
    access = _access(request)
    if access is None:
        return None
    if not secrets.compare_digest(csrf.encode(), access.csrf.encode()):
        raise PageError(403, "error_csrf")
    return access


def _refused(request: Request, access: ApplicantAccess, exc: Exception) -> HTMLResponse:
    lang = request_lang(request)
    if isinstance(exc, RequestValidationError):
        problem = ("st_err_invalid", {"problem": exc.message})
        return _status_page(request, access, 422, problem=problem)
    problem = ("st_err_rule", {"rule": rule_text(exc, lang)})
    return _status_page(request, access, 409, problem=problem)


@router.post("/status/complaints", response_class=HTMLResponse)
def file_complaint(
    request: Request,
    category: Annotated[str, Form(max_length=40)] = "",
    description: Annotated[str, Form(max_length=MAX_PUBLIC_TEXT + 100)] = "",
    contact_preference: Annotated[str, Form(max_length=20)] = "none",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """File a complaint or an explanation request on the applicant's application."""
    access = _checked(request, csrf)
    if access is None:
        return _expired(request)
    try:
        with request.app.state.store.transaction() as session:
            open_applicant_complaint(
                session,
                access,
                request.app.state.settings,
                clock=request.app.state.clock,
                category=category,
                description=description,
                contact_preference=contact_preference,
                address=client_address(request),
            )
    except (RequestValidationError, ConflictError) as exc:
        return _refused(request, access, exc)
    where = f"{_PATH}?lang={request_lang(request)}&done=complaint#complaints"
    return RedirectResponse(where, status_code=303)


@router.post("/status/survey", response_class=HTMLResponse)
def answer_survey(
    request: Request,
    rating: Annotated[str, Form(max_length=2)] = "",
    comment: Annotated[str, Form(max_length=MAX_SURVEY_COMMENT + 100)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The applicant's satisfaction survey: once per decided application."""
    access = _checked(request, csrf)
    if access is None:
        return _expired(request)
    value = int(rating) if rating in ("1", "2", "3", "4", "5") else 0
    try:
        with request.app.state.store.transaction() as session:
            submit_survey(session, access, value, comment, clock=request.app.state.clock)
    except (RequestValidationError, ConflictError) as exc:
        return _refused(request, access, exc)
    where = f"{_PATH}?lang={request_lang(request)}&done=survey#survey"
    return RedirectResponse(where, status_code=303)


@router.post("/status/leave")
def leave(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Close the page: the cookie no longer opens anything."""
    if _checked(request, csrf) is not None:
        with request.app.state.store.transaction() as session:
            end_applicant_session(
                session, request.cookies.get(APPLICANT_COOKIE, ""), clock=request.app.state.clock
            )
    response = RedirectResponse(f"{_PATH}?lang={request_lang(request)}", status_code=303)
    response.delete_cookie(APPLICANT_COOKIE, path=_PATH)
    return response
