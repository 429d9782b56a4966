"""What an applicant sees and does through their access code: status and complaints.

Every function here takes an :class:`~serving.services.ApplicantAccess` (a status page
opened with a valid reference and code) and reaches only that application.  The
status never says how the application was routed: a case opened by the model's flag,
by the blind random sample or by the kill switch looks the same, and so does an
application waiting in the queue and one that was not selected (both "received").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import ConflictError, PermissionDeniedError, RequestValidationError
from risk.settings import Settings
from serving.store import Case, Complaint, ComplaintStep, Score

from ._access import APPLICANT_ACTOR, ApplicantAccess
from ._audit import append_audit
from ._auth import Principal, require
from ._complaints import _check_independent, get_complaint
from ._rules import refuse
from ._text import require_text

__all__ = [
    "APPLICANT_CATEGORIES",
    "CONTACT_PREFERENCES",
    "ApplicationStatus",
    "add_complaint_step",
    "applicant_complaints",
    "application_status",
    "complaint_steps",
    "open_applicant_complaint",
]

#: What an applicant may complain about ("explanation_request": how was my file handled?).
APPLICANT_CATEGORIES = ("explanation_request", "delay", "conduct", "data_accuracy", "other")
CONTACT_PREFERENCES = ("none", "email", "phone", "post")
#: The longest complaint description or follow-up step an applicant or officer may write.
MAX_PUBLIC_TEXT = 4000
Stage = Literal["received", "under_review", "decided"]


@dataclass(frozen=True)
class ApplicationStatus:
    """The stage of an application and its dates, nothing about how it was routed."""

    reference: str
    stage: Stage
    received_at: dt.datetime
    review_started_at: dt.datetime | None
    decided_at: dt.datetime | None


def application_status(session: Session, access: ApplicantAccess) -> ApplicationStatus:
    """The stage of the applicant's application (its latest case decides it)."""
    received = session.scalar(
        sa.select(sa.func.min(Score.created_at)).where(
            Score.application_id == access.application_id
        )
    )
    case = session.scalar(
        sa.select(Case)
        .where(Case.application_id == access.application_id)
        .order_by(Case.case_id.desc())
        .limit(1)
    )
    stage: Stage = "received"
    started = decided = None
    if case is not None and case.status == "decided":
        stage, started, decided = "decided", case.claimed_at, case.decided_at
    elif case is not None and case.assigned_to is not None:
        stage, started = "under_review", case.claimed_at
    return ApplicationStatus(access.reference, stage, received, started, decided)


def _choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise RequestValidationError(
            f"{field} {value!r} is not one of {', '.join(allowed)}",
            detail=[{"loc": ["body", field], "msg": f"one of {list(allowed)}"}],
        )
    return value


def open_applicant_complaint(
    session: Session,
    access: ApplicantAccess,
    settings: Settings,
    *,
    clock: Clock,
    category: str,
    description: str,
    contact_preference: str = "none",
    address: str = "",
) -> Complaint:
    """File the applicant's complaint on their application (due within the service level).

    It joins the complaints desk like any other, with the independence rules: nobody
    who decided the application's case may handle it.
    """
    _choice(category, APPLICANT_CATEGORIES, "category")
    _choice(contact_preference, CONTACT_PREFERENCES, "contact_preference")
    text = require_text(
        description,
        "description",
        empty="a complaint needs a description",
        max_length=MAX_PUBLIC_TEXT,
    )
    open_count = session.scalar(
        sa.select(sa.func.count()).where(
            Complaint.application_id == access.application_id,
            Complaint.source == "applicant",
            Complaint.status != "answered",
        )
    )
    limit = settings.security.status_max_open_complaints
    if open_count >= limit:
        raise refuse(ConflictError, "complaint_open_limit", limit=limit)
    now = clock.now()
    case_id = session.scalar(
        sa.select(sa.func.max(Case.case_id)).where(Case.application_id == access.application_id)
    )
    complaint = Complaint(
        application_id=access.application_id,
        case_id=case_id,
        category=category,
        description=text,
        status="open",
        opened_at=now,
        due_at=now + dt.timedelta(days=settings.review.complaint_sla_days),
        source="applicant",
        contact_preference=contact_preference,
    )
    session.add(complaint)
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=APPLICANT_ACTOR,
        action="complaint.create",
        entity_type="complaint",
        entity_id=str(complaint.complaint_id),
        details={
            "category": category,
            "application_id": access.application_id,
            "case_id": case_id,
            "source": "applicant",
            "code_id": access.code_id,
            "address": address,
        },
    )
    return complaint


def applicant_complaints(session: Session, access: ApplicantAccess) -> list[Complaint]:
    """The complaints the applicant filed on their application, newest first."""
    return list(
        session.scalars(
            sa.select(Complaint)
            .where(
                Complaint.application_id == access.application_id,
                Complaint.source == "applicant",
            )
            .order_by(Complaint.complaint_id.desc())
        )
    )


def complaint_steps(session: Session, complaint_ids: list[int]) -> dict[int, list[ComplaintStep]]:
    """The follow-up steps of each complaint, oldest first."""
    out: dict[int, list[ComplaintStep]] = {i: [] for i in complaint_ids}
    if not complaint_ids:
        return out
    rows = session.scalars(
        sa.select(ComplaintStep)
        .where(ComplaintStep.complaint_id.in_(complaint_ids))
        .order_by(ComplaintStep.at, ComplaintStep.step_id)
    )
    for step in rows:
        out[step.complaint_id].append(step)
    return out


def add_complaint_step(
    session: Session, principal: Principal, complaint_id: int, text: str, *, clock: Clock
) -> ComplaintStep:
    """Record a follow-up step on an open complaint (its handler or a supervisor).

    The complainant sees every step on their status page, so the text is written to
    them.  The independence rule applies: whoever decided the case may not record one
    unless a supervisor assigned them with a recorded reason.
    """
    require(principal, "complaints.handle")
    written = require_text(
        text, "text", empty="a follow-up step needs a description", max_length=MAX_PUBLIC_TEXT
    )
    complaint = get_complaint(session, complaint_id, lock=True)
    if complaint.status == "answered":
        raise refuse(ConflictError, "complaint_answered", complaint=complaint_id)
    if complaint.handler_id != principal.user_id and principal.role != "supervisor":
        raise refuse(PermissionDeniedError, "complaint_step_handler", complaint=complaint_id)
    _check_independent(session, complaint, principal.user_id, principal.username)
    step = ComplaintStep(
        complaint_id=complaint_id, text=written, user_id=principal.user_id, at=clock.now()
    )
    session.add(step)
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="complaint.step",
        entity_type="complaint",
        entity_id=str(complaint_id),
        details={"step_id": step.step_id},
    )
    return step
