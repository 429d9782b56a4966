"""Complaints: open, list, read, take or assign a handler, respond."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from serving.deps import ClockDep, IdPath, Offset, SettingsDep, StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    ComplaintAssignRequest,
    ComplaintPage,
    ComplaintPublic,
    ComplaintRequest,
    ComplaintResponseRequest,
    ComplaintStepPublic,
    ComplaintStepRequest,
)
from serving.services import (
    Principal,
    add_complaint_step,
    append_audit,
    assign_complaint,
    list_complaints,
    open_complaint,
    respond_complaint,
    take_complaint,
    usernames,
    view_complaint,
)

from ._present import complaint_public

router = APIRouter(prefix="/v1/complaints", tags=["complaints"], responses=ERROR_RESPONSES)

Creator = Annotated[Principal, Depends(allow("complaints.create"))]
Reader = Annotated[Principal, Depends(allow("complaints.read"))]
Handler = Annotated[Principal, Depends(allow("complaints.handle"))]
Assigner = Annotated[Principal, Depends(allow("complaints.assign"))]


def _public(session, complaint) -> ComplaintPublic:
    return complaint_public(
        complaint, usernames(session, {complaint.handler_id, complaint.override_by})
    )


@router.post("", response_model=ComplaintPublic, status_code=201)
def create(
    body: ComplaintRequest,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Creator,
) -> ComplaintPublic:
    """Record a complaint about an application or a case; its deadline follows the SLA."""
    with store.transaction() as session:
        complaint = open_complaint(
            session,
            user,
            settings,
            clock=clock,
            category=body.category,
            description=body.description,
            application_id=body.application_id,
            case_id=body.case_id,
        )
        return _public(session, complaint)


@router.get("", response_model=ComplaintPage)
def index(
    store: StoreDep,
    clock: ClockDep,
    user: Reader,
    status: Annotated[str | None, Query(pattern="^(open|in_progress|answered)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> ComplaintPage:
    """Complaints, nearest deadline first (the read is audited: they are personal)."""
    with store.transaction() as session:
        rows, count = list_complaints(session, status=status, limit=limit, offset=offset)
        names = usernames(session, {u for c in rows for u in (c.handler_id, c.override_by)})
        append_audit(
            session,
            actor=user.username,
            action="complaint.list",
            entity_type="complaint",
            entity_id=status or "*",
            details={"complaint_ids": [c.complaint_id for c in rows]},
            clock=clock,
        )
        return ComplaintPage(data=[complaint_public(c, names) for c in rows], count=count)


@router.get("/{complaint_id}", response_model=ComplaintPublic)
def read(complaint_id: IdPath, store: StoreDep, clock: ClockDep, user: Reader) -> ComplaintPublic:
    """One complaint (the read is audited)."""
    with store.transaction() as session:
        return _public(session, view_complaint(session, user, complaint_id, clock=clock))


@router.post("/{complaint_id}/assign", response_model=ComplaintPublic)
def assign(
    complaint_id: IdPath,
    body: ComplaintAssignRequest,
    store: StoreDep,
    clock: ClockDep,
    user: Assigner,
) -> ComplaintPublic:
    """Give a complaint a handler (supervisors).

    The officer who decided or amended the case is refused (403) unless
    ``override_reason`` records why they should handle it anyway.
    """
    with store.transaction() as session:
        complaint = assign_complaint(
            session, user, complaint_id, body.username, body.override_reason, clock=clock
        )
        return _public(session, complaint)


@router.post("/{complaint_id}/take", response_model=ComplaintPublic)
def take(complaint_id: IdPath, store: StoreDep, clock: ClockDep, user: Handler) -> ComplaintPublic:
    """Become the handler of an unassigned complaint (not about a case one decided)."""
    with store.transaction() as session:
        return _public(session, take_complaint(session, user, complaint_id, clock=clock))


@router.post("/{complaint_id}/respond", response_model=ComplaintPublic)
def respond(
    complaint_id: IdPath,
    body: ComplaintResponseRequest,
    store: StoreDep,
    clock: ClockDep,
    user: Handler,
) -> ComplaintPublic:
    """Answer a complaint (its handler or a supervisor)."""
    with store.transaction() as session:
        complaint = respond_complaint(session, user, complaint_id, body.response, clock=clock)
        return _public(session, complaint)


@router.post("/{complaint_id}/steps", response_model=ComplaintStepPublic, status_code=201)
def add_step(
    complaint_id: IdPath,
    body: ComplaintStepRequest,
    store: StoreDep,
    clock: ClockDep,
    user: Handler,
) -> ComplaintStepPublic:
    """Record a follow-up step (its handler or a supervisor); the complainant reads it."""
    with store.transaction() as session:
        step = add_complaint_step(session, user, complaint_id, body.text, clock=clock)
        return ComplaintStepPublic(
            step_id=step.step_id,
            complaint_id=complaint_id,
            text=step.text,
            by=user.username,
            at=step.at,
        )
