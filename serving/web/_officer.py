"""Officers' pages: the review queue and the case screen with its decision form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.contract import VIOLATION_TYPES, VISA_TYPES
from risk.errors import (
    AmanahError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RequestValidationError,
)
from serving.routers._present import case_public
from serving.services import (
    COMPLAINT_CATEGORIES,
    DECISION_OUTCOMES,
    QUEUE_SORTS,
    SHOWN_BANDS,
    BandRecord,
    QueueQuery,
    claim_case,
    decide_case,
    get_case,
    release_case,
    rule_text,
    score_band_record,
    search_queue,
    view_case,
)
from serving.store import Score

from ._case_view import build_case_view, sla_state
from ._reasons_view import BAR_SCALE
from ._render import PageUser, render, requires
from ._session import PageError, WebUser, check_csrf

__all__ = ["case_screen", "router"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25


def _queue_query(view: str, q: str, band: str, status: str, assigned: str, visa: str,
                 sort: str, page: int) -> QueueQuery:  # fmt: skip
    return QueueQuery(
        view=view, search=q, band=band, status=status, assigned=assigned, visa_type=visa,
        sort=sort, page=page, page_size=PAGE_SIZE,
    )  # fmt: skip


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    user: PageUser,
    view: str = "open",
    q: str = "",
    band: str = "",
    status: str = "",
    assigned: str = "",
    visa: str = "",
    sort: str = "priority",
    page: int = 1,
) -> HTMLResponse:
    """The review queue, or the officer's decided cases: search, filters, order, pages."""
    requires(user, "cases.read")
    query = _queue_query(view, q, band, status, assigned, visa, sort, page)
    settings, clock = request.app.state.settings, request.app.state.clock
    now = clock.now()
    try:
        with request.app.state.store.reading() as session:
            result = search_queue(session, user.principal, query, now=now)
    except RequestValidationError as exc:
        raise PageError(422, "error_bad_query", problem=exc.message) from exc
    sla_days = settings.review.case_sla_days
    slas = {r.case_id: sla_state(r.created_at, None, sla_days, now) for r in result.rows}
    # the pager's links carry every choice but the defaults
    params = {"view": "" if view == "open" else view, "q": q, "band": band, "status": status,
              "assigned": assigned, "visa": visa,
              "sort": "" if sort == "priority" else sort}  # fmt: skip
    return render(
        request,
        "web/queue.html",
        user,
        result=result,
        query=query,
        params={k: v for k, v in params.items() if v},
        filtered=any((q, band, status, assigned, visa)),
        slas=slas,
        bands=SHOWN_BANDS,
        statuses=("open", "claimed"),
        sorts=QUEUE_SORTS,
        visa_types=VISA_TYPES,
    )


def case_screen(request: Request, user: WebUser, case_id: int, **extra) -> HTMLResponse:
    """The case screen (its view audited), with ``extra`` for the template (form errors)."""
    settings, clock = request.app.state.settings, request.app.state.clock
    holder = request.app.state.model_holder
    with request.app.state.store.transaction() as session:
        try:
            case = view_case(session, user.principal, case_id, clock=clock)
        except NotFoundError as exc:
            raise PageError(404, "error_not_found", what=f"case {case_id}") from exc
        now = clock.now()
        public = case_public(session, case, settings, now)
        reference = holder.bundle.reference if holder.loaded else None
        view = build_case_view(session, case, public, user.lang, settings, now, reference)
        record = None if view.score is None else _record(request, session, view.score)
        mine = case.assigned_to == user.principal.user_id
        # who the service lets decide or amend; the others see the rule instead of the form
        may_decide = case.status == "open" or mine or user.principal.role == "supervisor"
    return render(
        request,
        "web/case.html",
        user,
        view=view,
        record=record,
        model_name=None if view.score is None else holder.name_of(view.score.model_version),
        mine=mine,
        may_decide=may_decide,
        outcomes=DECISION_OUTCOMES,
        bar_scale=BAR_SCALE,
        violation_types=VIOLATION_TYPES,
        categories=COMPLAINT_CATEGORIES,
        status_code=extra.pop("status_code", 200),
        **extra,
    )


def _record(request: Request, session, score: Score) -> BandRecord:
    """The band's confirmation record, with the loaded model's validation if it scored."""
    holder = request.app.state.model_holder
    return score_band_record(session, score, holder.bundle if holder.loaded else None)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, user: PageUser, case_id: int) -> HTMLResponse:
    """The case screen (the view is audited)."""
    requires(user, "cases.read")
    query = request.query_params
    return case_screen(
        request,
        user,
        case_id,
        saved=query.get("saved") == "1",
        complaint_saved=query.get("complaint", "") if query.get("complaint", "").isdigit() else "",
        rated=query.get("rated") == "1",
    )


@router.post("/cases/{case_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    user: PageUser,
    case_id: int,
    csrf: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    violation_types: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
    amends: Annotated[int | None, Form()] = None,
):
    """Record (claiming the case first if it is open) or amend a finding."""
    requires(user, "cases.work")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            # an open case is claimed on the way; a claimed one is decided by its
            # holder or a supervisor (the service refuses anyone else, naming the rule)
            if amends is None and _status(session, case_id) == "open":
                claim_case(session, user.principal, case_id, clock=request.app.state.clock)
            decide_case(
                session,
                user.principal,
                case_id,
                clock=request.app.state.clock,
                outcome=outcome,
                violation_types=list(violation_types or []),
                reason=reason,
                amends=amends,
            )
    except RequestValidationError as exc:
        problems = decision_problems(exc)
        return case_screen(
            request,
            user,
            case_id,
            problems=problems,
            form={"outcome": outcome, "violation_types": violation_types or [], "reason": reason},
            status_code=422,
        )
    except (ConflictError, PermissionDeniedError) as exc:
        return _refused(request, user, case_id, exc)
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"case {case_id}") from exc
    return RedirectResponse(f"/cases/{case_id}?saved=1", status_code=303)


#: The service's decision rules (by their English message) -> the form's message keys.
_DECISION_RULES = {
    "a confirmed violation needs at least one type": "dec_err_types_needed",
    "types are only allowed with": "dec_err_types_not_allowed",
    "unknown types": "dec_err_types_unknown",
    "must be one of": "dec_err_outcome",
    "a written reason is required": "dec_err_reason",
}
_DECISION_FIELDS = ("outcome", "violation_types", "reason")


def decision_problems(exc: RequestValidationError) -> list[tuple[str, str, str]]:
    """The refused decision's problems as (form field, message key, service message).

    The service states each rule once (:func:`serving.services.decide_case`); the form
    places each problem next to its field, worded in the page language when the rule is
    known, and in the service's words otherwise.
    """
    problems = []
    for p in exc.detail or [{"loc": ["body", "outcome"], "msg": exc.message}]:
        field = str(p.get("loc", ["", "outcome"])[-1])
        field = field if field in _DECISION_FIELDS else "outcome"
        key = next((k for rule, k in _DECISION_RULES.items() if p["msg"].startswith(rule)), "")
        problems.append((field, key, p["msg"]))
    return problems


def _refused(request: Request, user: WebUser, case_id: int, exc: AmanahError) -> HTMLResponse:
    """The case screen again, saying the rule that refused the step in the user's language."""
    text = rule_text(exc, user.lang)
    return case_screen(request, user, case_id, conflict=text, status_code=exc.status_code)


def _status(session, case_id: int) -> str:
    return get_case(session, case_id).status


@router.post("/cases/{case_id}/claim")
def claim(request: Request, user: PageUser, case_id: int, csrf: Annotated[str, Form()] = ""):
    """Take the case."""
    return _workflow(request, user, case_id, csrf, claim_case)


@router.post("/cases/{case_id}/release")
def release(request: Request, user: PageUser, case_id: int, csrf: Annotated[str, Form()] = ""):
    """Give the case back to the queue."""
    return _workflow(request, user, case_id, csrf, release_case)


def _workflow(request: Request, user: WebUser, case_id: int, csrf: str, step) -> object:
    requires(user, "cases.work")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            step(session, user.principal, case_id, clock=request.app.state.clock)
    except (ConflictError, PermissionDeniedError) as exc:
        return _refused(request, user, case_id, exc)
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"case {case_id}") from exc
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
