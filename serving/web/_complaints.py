"""The complaints desk: the list with service levels, one complaint, its answer and handler."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from serving.routers._present import complaint_public
from serving.schemas import ComplaintPublic
from serving.services import (
    append_audit,
    assign_complaint,
    complaint_deciders,
    complaint_steps,
    get_complaint,
    list_complaints,
    respond_complaint,
    rule_text,
    take_complaint,
    usernames,
)

from ._render import PageUser, render, requires
from ._session import PageError, WebUser, check_csrf
from ._supervisor import staff_usernames

__all__ = ["DESK_LIMIT", "MAX_TEXT", "STATUSES", "complaint_sla", "router"]

router = APIRouter(include_in_schema=False)

#: Complaints the desk reads at most (the service orders them by deadline first).
DESK_LIMIT = 500
#: The longest description or response accepted (as the API's schemas).
MAX_TEXT = 5000
STATUSES = ("open", "in_progress", "answered")
#: What the page shows for each service error on an action (English text is the service's).
_REFUSALS = {
    ConflictError: "cp_err_answered",
    PermissionDeniedError: "cp_err_not_handler",
    NotFoundError: "cp_err_no_user",
    RequestValidationError: "cp_err_not_staff",
}


#: Refusals the page words in its own sentences; any other rule is said as the service says it.
_RULE_KEYS = {
    "complaint_answered": "cp_err_answered",
    "complaint_taken": "cp_err_taken",
    "complaint_handler_only": "cp_err_not_handler",
}


def _now(request: Request) -> dt.datetime:
    return request.app.state.clock.now().replace(tzinfo=dt.UTC)  # ComplaintPublic's are aware


def complaint_sla(c: ComplaintPublic, now: dt.datetime) -> tuple[str, str]:
    """(css class, message key) of a complaint's service level at ``now``.

    Unanswered: overdue past its deadline, due soon in the last fifth of the time it was
    given, else on time.  Answered: whether the answer came in time.
    """
    if c.answered_at is not None:
        in_time = c.answered_at <= c.due_at
        return ("sla_ok", "cp_sla_met") if in_time else ("sla_breached", "cp_sla_missed")
    if now > c.due_at:
        return "sla_breached", "sla_breached"
    if c.due_at - now < 0.2 * (c.due_at - c.opened_at):
        return "sla_due_soon", "sla_due_soon"
    return "sla_ok", "sla_ok"


def _urgency(c: ComplaintPublic) -> tuple:
    """Unanswered first by nearest deadline, then answered ones, latest answer first."""
    if c.answered_at is None:
        return (0, c.due_at.timestamp(), c.complaint_id)
    return (1, -c.answered_at.timestamp(), -c.complaint_id)


def _fetch(session: Any, status: str, handler_id: int | None) -> tuple[list[Any], int]:
    """Up to :data:`DESK_LIMIT` complaints of ``status`` (and handler) and how many there are.

    The service orders by deadline, earliest first: unanswered complaints are read from
    the start (the most urgent), answered ones from the end (the most recent).
    """
    if status != "answered":
        return list_complaints(session, status=status, handler_id=handler_id, limit=DESK_LIMIT)
    _, total = list_complaints(session, status=status, handler_id=handler_id, limit=1)
    rows, _ = list_complaints(
        session,
        status=status,
        handler_id=handler_id,
        limit=DESK_LIMIT,
        offset=max(0, total - DESK_LIMIT),
    )
    return rows, total


def desk_rows(request: Request, user: WebUser, status: str, mine: bool) -> tuple[list, int]:
    """The desk's complaints (handler's name, service level), most urgent first; the total."""
    rows, total = [], 0
    handler_id = user.principal.user_id if mine else None
    with request.app.state.store.reading() as session:  # reads only: no write lock
        for each in (status,) if status else STATUSES:
            found, count = _fetch(session, each, handler_id)
            rows, total = rows + found, total + count
        names = usernames(session, {c.handler_id for c in rows})
        shown = [complaint_public(c, names) for c in rows]
    now = _now(request)
    return [{"c": c, "sla": complaint_sla(c, now)} for c in sorted(shown, key=_urgency)], total


@router.get("/complaints", response_class=HTMLResponse)
def desk_page(request: Request, user: PageUser, status: str = "", handler: str = ""):
    """Open and answered complaints with their deadlines; filters by status and "mine"."""
    requires(user, "complaints.read")
    status = status if status in STATUSES else ""
    mine = handler == "me"
    rows, total = desk_rows(request, user, status, mine)
    return render(
        request,
        "web/complaints.html",
        user,
        rows=rows,
        total=total,
        statuses=STATUSES,
        filters={"status": status, "handler": "me" if mine else ""},
        overdue=sum(r["sla"][1] == "sla_breached" for r in rows),
    )


def _complaint_page(
    request: Request, user: WebUser, complaint_id: int, *, status_code: int = 200, **extra
) -> HTMLResponse:
    with request.app.state.store.transaction() as session:
        try:
            complaint = get_complaint(session, complaint_id)
        except NotFoundError as exc:
            raise PageError(404, "error_not_found", what=f"complaint {complaint_id}") from exc
        deciders = complaint_deciders(session, complaint)
        names = usernames(session, {complaint.handler_id, complaint.override_by, *deciders})
        public = complaint_public(complaint, names)
        # a complaint is personal: who read it is recorded, as for a case
        append_audit(
            session,
            clock=request.app.state.clock,
            actor=user.principal.username,
            action="complaint.view",
            entity_type="complaint",
            entity_id=str(complaint_id),
        )
        staff = staff_usernames(session) if user.may("complaints.assign") else []
        steps = complaint_steps(session, [complaint_id])[complaint_id]
        names |= usernames(session, {s.user_id for s in steps})
    me = user.principal
    # the case's decider handles it only under a supervisor's recorded override
    independent = me.user_id not in deciders or (
        public.override_reason is not None and public.handler == me.username
    )
    may_answer = (
        independent
        and public.status != "answered"
        and (public.handler == me.username or me.role == "supervisor")
    )
    may_take = (
        independent
        and public.status != "answered"
        and public.handler is None
        and user.may("complaints.handle")
    )
    return render(
        request,
        "web/complaint.html",
        user,
        status_code=status_code,
        c=public,
        sla=complaint_sla(public, _now(request)),
        staff=staff,
        may_answer=may_answer,
        may_take=may_take,
        deciders=sorted(names[d] for d in deciders),
        steps=[(s, names.get(s.user_id)) for s in steps],
        **extra,
    )


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(request: Request, user: PageUser, complaint_id: int) -> HTMLResponse:
    """One complaint with its answer, or the forms to answer it and give it a handler."""
    requires(user, "complaints.read")
    done = request.query_params.get("done", "")
    done = done if done in ("answered", "assigned", "taken", "step") else ""
    return _complaint_page(request, user, complaint_id, done=done)


def _refused(request: Request, user: WebUser, complaint_id: int, exc: Exception, **form):
    """The complaint page again, with the service's refusal in the page's language.

    A complaint that does not exist answers 404 (the page itself refuses to render it).
    """
    rule = getattr(exc, "rule", None)
    if rule is not None and rule not in _RULE_KEYS:
        key, values = "refused", {"msg": rule_text(exc, user.lang)}
        form.pop("username", None)
    elif rule is not None:
        key, values = _RULE_KEYS[rule], {"id": complaint_id}
        form.pop("username", None)
    else:
        key = next(k for kind, k in _REFUSALS.items() if isinstance(exc, kind))
        values = {"id": complaint_id, "username": form.pop("username", "")}
    return _complaint_page(
        request,
        user,
        complaint_id,
        status_code=exc.status_code,
        problem=(key, values),
        form=form,
    )


@router.post("/complaints/{complaint_id}/respond", response_class=HTMLResponse)
def respond(
    request: Request,
    user: PageUser,
    complaint_id: int,
    csrf: Annotated[str, Form()] = "",
    response: Annotated[str, Form()] = "",
):
    """Answer the complaint (its handler or a supervisor); a written answer is required."""
    requires(user, "complaints.handle")
    check_csrf(user, csrf)
    text = response.strip()
    if not text or len(text) > MAX_TEXT:
        problem = ("cp_err_too_long", {"max": MAX_TEXT}) if text else ("cp_err_response", {})
        return _complaint_page(
            request,
            user,
            complaint_id,
            status_code=422,
            problem=problem,
            form={"response": response},
        )
    try:
        with request.app.state.store.transaction() as session:
            respond_complaint(
                session, user.principal, complaint_id, text, clock=request.app.state.clock
            )
    except (ConflictError, PermissionDeniedError, NotFoundError) as exc:
        return _refused(request, user, complaint_id, exc, response=response)
    return RedirectResponse(f"/complaints/{complaint_id}?done=answered", status_code=303)


@router.post("/complaints/{complaint_id}/take", response_class=HTMLResponse)
def take(request: Request, user: PageUser, complaint_id: int, csrf: Annotated[str, Form()] = ""):
    """Become the handler of an unassigned complaint."""
    requires(user, "complaints.handle")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            take_complaint(session, user.principal, complaint_id, clock=request.app.state.clock)
    except PermissionDeniedError as exc:  # the caller decided the complaint's case
        return _refused(request, user, complaint_id, exc)
    except ConflictError as exc:  # answered, or someone else's: say which
        with request.app.state.store.reading() as session:
            answered = get_complaint(session, complaint_id).status == "answered"
        key = "cp_err_answered" if answered else "cp_err_taken"
        return _complaint_page(
            request, user, complaint_id, status_code=exc.status_code,
            problem=(key, {"id": complaint_id}),
        )  # fmt: skip
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"complaint {complaint_id}") from exc
    return RedirectResponse(f"/complaints/{complaint_id}?done=taken", status_code=303)


@router.post("/complaints/{complaint_id}/assign", response_class=HTMLResponse)
def assign(
    request: Request,
    user: PageUser,
    complaint_id: int,
    csrf: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    override_reason: Annotated[str, Form()] = "",
):
    """Give the complaint a handler (supervisors); the case's decider needs a reason."""
    requires(user, "complaints.assign")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            assign_complaint(
                session,
                user.principal,
                complaint_id,
                username,
                override_reason[:MAX_TEXT],
                clock=request.app.state.clock,
            )
    except (ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError) as exc:
        return _refused(
            request, user, complaint_id, exc, username=username, override_reason=override_reason
        )
    return RedirectResponse(f"/complaints/{complaint_id}?done=assigned", status_code=303)
