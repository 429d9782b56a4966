"""Supervisors' page: team queues, service-level breaches, reassignment and the kill switch."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import ConflictError, NotFoundError, RequestValidationError
from serving.services import (
    MAX_KILL_REASON,
    QUEUE_SORTS,
    QueueQuery,
    compute_kpis,
    kill_switch_history,
    list_alerts,
    list_teams,
    read_runtime,
    reassign_case,
    search_queue,
    switch_kill,
)
from serving.store import Case, Team, User

from ._case_view import sla_state
from ._i18n import translate
from ._monitoring import alert_text
from ._render import PageUser, render, requires
from ._session import PageError, WebUser, check_csrf

__all__ = ["router", "staff_usernames"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25


def staff_usernames(session: Any) -> list[str]:
    """Active officers and supervisors, by name: who may be handed a case or a complaint."""
    return list(
        session.scalars(
            sa.select(User.username)
            .where(User.role.in_(("officer", "supervisor")), User.active.is_(True))
            .order_by(User.username)
        )
    )


def _staff_teams(session: Any) -> dict[str, str | None]:
    """Active officers and supervisors by name, with their team's name (or ``None``)."""
    rows = session.execute(
        sa.select(User.username, Team.name)
        .outerjoin(Team, Team.team_id == User.team_id)
        .where(User.role.in_(("officer", "supervisor")), User.active.is_(True))
        .order_by(User.username)
    ).all()
    return dict(rows)


def _held(session: Any, *since: Any) -> dict[str, int]:
    """Undecided cases per holder's name ("" for nobody), all or only those created before."""
    query = sa.select(User.username, sa.func.count()).select_from(Case)
    query = query.outerjoin(User, User.user_id == Case.assigned_to)
    query = query.where(Case.status != "decided", *since).group_by(User.username)
    return {name or "": int(n) for name, n in session.execute(query)}


def _team(session: Any, sla_days: int, now: dt.datetime, team: str) -> dict[str, Any]:
    # counted in the store over every undecided case (a listed page would undercount)
    load = _held(session)
    late = _held(session, Case.created_at < now - dt.timedelta(days=sla_days))
    staff = _staff_teams(session)
    members = [n for n, t in staff.items() if not team or t == team]
    rows = [{"name": n, "team": staff[n], "cases": load.get(n, 0), "breached": late.get(n, 0)}
            for n in members]  # fmt: skip
    return {
        "team": rows,
        "unassigned": load.get("", 0),
        "officers": list(staff),
        "breached": sum(late.values()),
        "teams": [name for name, _ in list_teams(session)],
    }


def _context(request: Request, user: WebUser, query: QueueQuery | None = None) -> dict[str, Any]:
    settings = request.app.state.settings
    sla_days = settings.review.case_sla_days
    clock = request.app.state.clock
    now = clock.now()
    query = query or QueueQuery(page_size=PAGE_SIZE)
    with request.app.state.store.transaction() as session:
        ctx = _team(session, sla_days, now, query.team)
        try:
            result = search_queue(session, user.principal, query, now=now)
        except RequestValidationError as exc:
            raise PageError(422, "error_bad_query", problem=exc.message) from exc
        ctx.update(
            result=result,
            query=query,
            slas={r.case_id: sla_state(r.created_at, None, sla_days, now) for r in result.rows},
            sorts=QUEUE_SORTS,
            alerts=[(a, alert_text(a, user.lang)) for a in list_alerts(session, limit=5)],
            runtime=read_runtime(session, settings),
            kill_history=kill_switch_history(session),
            kpis=compute_kpis(session, clock=clock, min_count=settings.fairness.min_group_size),
            sla_days=sla_days,
        )
    return ctx


def _query(team: str, sort: str, page: int) -> QueueQuery:
    return QueueQuery(team=team, sort=sort, page=page, page_size=PAGE_SIZE)


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_page(
    request: Request, user: PageUser, team: str = "", sort: str = "priority", page: int = 1
) -> HTMLResponse:
    """Team queues, breaches, the undecided cases (paged, sortable), reassignment, kill switch."""
    requires(user, "cases.reassign")
    return render(
        request,
        "web/supervisor.html",
        user,
        **_context(request, user, _query(team, sort, page)),
        done=request.query_params.get("done", ""),
    )


@router.post("/supervisor/reassign", response_class=HTMLResponse)
def reassign(
    request: Request,
    user: PageUser,
    case_id: Annotated[int, Form()],
    username: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    sort: Annotated[str, Form()] = "priority",
    page: Annotated[int, Form()] = 1,
):
    """Give a case to another officer (audited by the service); back to the same page."""
    requires(user, "cases.reassign")
    check_csrf(user, csrf)
    if not username:
        ctx = _context(request, user, _query(team, sort, page))
        problem = translate("sup_choose_required", user.lang, id=case_id)
        return render(request, "web/supervisor.html", user, **ctx, problem=problem, status_code=422)
    try:
        with request.app.state.store.transaction() as session:
            reassign_case(session, user.principal, case_id, username, clock=request.app.state.clock)
    except (ConflictError, NotFoundError, RequestValidationError) as exc:
        return render(
            request,
            "web/supervisor.html",
            user,
            **_context(request, user, _query(team, sort, page)),
            problem=exc.message,
            status_code=exc.status_code,
        )
    place = urlencode({"done": "reassigned", "team": team, "sort": sort, "page": page})
    return RedirectResponse(f"/supervisor?{place}", status_code=303)


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
