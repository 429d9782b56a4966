"""Supervisors' page: team queues, service-level breaches, reassignment and the kill switch."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import ConflictError, NotFoundError, RequestValidationError
from serving.services import (
    MAX_KILL_REASON,
    QueueFilter,
    compute_kpis,
    kill_switch_history,
    list_alerts,
    list_queue,
    read_runtime,
    reassign_case,
    switch_kill,
    usernames,
)
from serving.store import Case, User

from ._case_view import sla_state
from ._monitoring import alert_text
from ._render import PageUser, render, requires
from ._session import PageError, WebUser, check_csrf

__all__ = ["router", "staff_usernames"]

router = APIRouter(include_in_schema=False)


def staff_usernames(session: Any) -> list[str]:
    """Active officers and supervisors, by name: who may be handed a case or a complaint."""
    return list(
        session.scalars(
            sa.select(User.username)
            .where(User.role.in_(("officer", "supervisor")), User.active.is_(True))
            .order_by(User.username)
        )
    )


def _team(session: Any, cases: list[Case], sla_days: int, now: dt.datetime) -> dict[str, Any]:
    names = usernames(session, {c.assigned_to for c in cases})
    load = Counter(names.get(c.assigned_to, "") for c in cases)
    breaches = [c for c in cases if sla_state(c.created_at, None, sla_days, now) == "sla_breached"]
    late = Counter(names.get(c.assigned_to, "") for c in breaches)
    officers = staff_usernames(session)
    team = [{"name": n, "cases": load.get(n, 0), "breached": late.get(n, 0)} for n in officers]
    return {
        "team": team,
        "unassigned": load.get("", 0),
        "officers": list(officers),
        "names": names,
        "breaches": breaches,
    }


def _context(request: Request, user: WebUser) -> dict[str, Any]:
    settings = request.app.state.settings
    sla_days = settings.review.case_sla_days
    clock = request.app.state.clock
    now = clock.now()
    with request.app.state.store.transaction() as session:
        cases, count = list_queue(session, QueueFilter(limit=500))
        ctx = _team(session, cases, sla_days, now)
        ctx["cases"] = [
            (
                c,
                ctx["names"].get(c.assigned_to),
                (now - c.created_at).total_seconds() / 86400,
                sla_state(c.created_at, None, sla_days, now),
            )
            for c in cases
        ]
        ctx.update(
            count=count,
            alerts=[(a, alert_text(a, user.lang)) for a in list_alerts(session, limit=5)],
            runtime=read_runtime(session, settings),
            kill_history=kill_switch_history(session),
            kpis=compute_kpis(session, clock=clock, min_count=settings.fairness.min_group_size),
            sla_days=sla_days,
        )
    return ctx


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_page(request: Request, user: PageUser) -> HTMLResponse:
    """Team queues, breaches, reassignment and the kill switch."""
    requires(user, "cases.reassign")
    return render(
        request,
        "web/supervisor.html",
        user,
        **_context(request, user),
        done=request.query_params.get("done", ""),
    )


@router.post("/supervisor/reassign", response_class=HTMLResponse)
def reassign(
    request: Request,
    user: PageUser,
    case_id: Annotated[int, Form()],
    username: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Give a case to another officer (audited by the service)."""
    requires(user, "cases.reassign")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            reassign_case(session, user.principal, case_id, username, clock=request.app.state.clock)
    except (ConflictError, NotFoundError, RequestValidationError) as exc:
        return render(
            request,
            "web/supervisor.html",
            user,
            **_context(request, user),
            problem=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse("/supervisor?done=reassigned", status_code=303)


@router.post("/supervisor/kill-switch", response_class=HTMLResponse)
def kill_switch(
    request: Request,
    user: PageUser,
    enabled: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
):
    """Switch manual review of everything on or off: needs the confirm box and a reason."""
    requires(user, "settings.kill_switch")
    check_csrf(user, csrf)
    problems = []
    if confirm != "yes":
        problems.append("kill_confirm_required")
    if not reason.strip():
        problems.append("kill_reason_required")
    elif len(reason.strip()) > MAX_KILL_REASON:
        problems.append("kill_reason_too_long")
    if enabled not in ("on", "off"):
        raise PageError(422, "kill_bad_value")
    if problems:
        return render(
            request,
            "web/supervisor.html",
            user,
            **_context(request, user),
            kill_problems=problems,
            status_code=422,
        )
    try:
        with request.app.state.store.transaction() as session:
            clock = request.app.state.clock
            switch_kill(session, user.principal, enabled == "on", reason, clock=clock)
    except RequestValidationError:  # control characters or bidi overrides in the reason
        return render(
            request,
            "web/supervisor.html",
            user,
            **_context(request, user),
            kill_problems=["kill_reason_invalid"],
            status_code=422,
        )
    return RedirectResponse(f"/supervisor?done=kill_{enabled}", status_code=303)
