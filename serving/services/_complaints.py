"""Complaints with service-level deadlines, and satisfaction feedback after a decision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from risk.settings import Settings
from serving.store import Case, Complaint, Decision, Feedback, raw_table

from ._audit import append_audit
from ._auth import Principal, require
from ._rules import refuse
from ._text import require_text
from ._workflow import get_case, staff_user

__all__ = [
    "COMPLAINT_CATEGORIES",
    "add_feedback",
    "assign_complaint",
    "complaint_deciders",
    "get_complaint",
    "list_complaints",
    "open_complaint",
    "respond_complaint",
    "take_complaint",
    "view_complaint",
]

COMPLAINT_CATEGORIES = (
    "decision",
    "delay",
    "conduct",
    "data_accuracy",
    "discrimination",
    "explanation_request",
    "other",
)


def _require_text(text: str, field: str, message: str) -> None:
    if not text or not text.strip():
        raise RequestValidationError(
            f"{message}; {field} is empty",
            detail=[{"loc": ["body", field], "msg": "must not be empty"}],
        )
    require_text(text, field, empty=message)  # length and characters


def open_complaint(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    clock: Clock,
    category: str,
    description: str,
    application_id: str | None = None,
    case_id: int | None = None,
) -> Complaint:
    """Record a complaint linked to an application or a case, due within the service level."""
    require(principal, "complaints.create")
    if category not in COMPLAINT_CATEGORIES:
        raise RequestValidationError(
            f"complaint category {category!r} is not one of {', '.join(COMPLAINT_CATEGORIES)}",
            detail=[{"loc": ["body", "category"], "msg": f"one of {list(COMPLAINT_CATEGORIES)}"}],
        )
    _require_text(description, "description", "a complaint needs a description")
    if application_id is None and case_id is None:
        raise RequestValidationError(
            "a complaint must name an application_id or a case_id",
            detail=[{"loc": ["body", "application_id"], "msg": "application_id or case_id"}],
        )
    if case_id is not None:
        case = get_case(session, case_id)
        if application_id is not None and application_id != case.application_id:
            raise RequestValidationError(
                f"case {case_id} belongs to another application than {application_id!r}",
                detail=[{"loc": ["body", "application_id"], "msg": "does not match the case"}],
            )
        application_id = case.application_id
    apps = raw_table("applications")
    exists = session.scalar(
        sa.select(apps.c.application_id).where(apps.c.application_id == application_id)
    )
    if exists is None:
        raise NotFoundError(f"application {application_id!r} does not exist")
    now = clock.now()
    complaint = Complaint(
        application_id=application_id,
        case_id=case_id,
        category=category,
        description=description.strip(),
        status="open",
        opened_at=now,
        due_at=now + dt.timedelta(days=settings.review.complaint_sla_days),
    )
    session.add(complaint)
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="complaint.create",
        entity_type="complaint",
        entity_id=str(complaint.complaint_id),
        details={"category": category, "application_id": application_id, "case_id": case_id},
    )
    return complaint


def get_complaint(session: Session, complaint_id: int, *, lock: bool = False) -> Complaint:
    """The complaint ``complaint_id`` or :class:`NotFoundError`."""
    query = sa.select(Complaint).where(Complaint.complaint_id == complaint_id)
    complaint = session.scalar(query.with_for_update() if lock else query)
    if complaint is None:
        raise NotFoundError(f"complaint {complaint_id} does not exist")
    return complaint


def view_complaint(
    session: Session, principal: Principal, complaint_id: int, *, clock: Clock
) -> Complaint:
    """Open a complaint for reading (officers and supervisors); the read is audited."""
    require(principal, "complaints.read")
    complaint = get_complaint(session, complaint_id)
    # a complaint is personal: who read it is recorded, as for a case
    append_audit(
        session,
        actor=principal.username,
        action="complaint.view",
        entity_type="complaint",
        entity_id=str(complaint_id),
        clock=clock,
    )
    return complaint


def list_complaints(
    session: Session,
    *,
    status: str | None = None,
    handler_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Complaint], int]:
    """Complaints (of ``status``, handled by ``handler_id``), most urgent deadline first."""
    query = sa.select(Complaint)
    if status:
        query = query.where(Complaint.status == status)
    if handler_id is not None:
        query = query.where(Complaint.handler_id == handler_id)
    count = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Complaint.due_at, Complaint.complaint_id).limit(limit).offset(offset)
    ).all()
    return list(rows), int(count or 0)


def complaint_deciders(session: Session, complaint: Complaint) -> dict[int, int]:
    """Who decided or amended the case(s) the complaint is about: user id -> case id.

    A complaint names a case, or only an application: then every case of that
    application counts.
    """
    cases = (
        [complaint.case_id]
        if complaint.case_id is not None
        else sa.select(Case.case_id).where(Case.application_id == complaint.application_id)
    )
    rows = session.execute(
        sa.select(Decision.officer_id, Decision.case_id)
        .where(Decision.case_id.in_(cases))
        .order_by(Decision.decision_id)
    )
    return {officer: case for officer, case in rows}


def _check_independent(session: Session, complaint: Complaint, user_id: int, name: str) -> None:
    """Refuse (403) a handler who decided the complaint's case, unless a supervisor overrode."""
    deciders = complaint_deciders(session, complaint)
    overridden = complaint.override_reason and complaint.handler_id == user_id
    if user_id in deciders and not overridden:
        raise refuse(
            PermissionDeniedError,
            "complaint_independent",
            complaint=complaint.complaint_id,
            case=deciders[user_id],
            username=name,
        )


def assign_complaint(
    session: Session,
    principal: Principal,
    complaint_id: int,
    username: str,
    override_reason: str = "",
    *,
    clock: Clock,
) -> Complaint:
    """Give a complaint a handler (supervisors).

    The officer who decided or amended the complaint's case is refused unless
    ``override_reason`` says why they should handle it anyway; the reason and the
    supervisor who gave it are recorded on the complaint and in the audit log.
    """
    require(principal, "complaints.assign")
    complaint = _unanswered(session, complaint_id)
    user = staff_user(
        session, username, "user {username!r} is a {role}; complaints go to officers or supervisors"
    )
    reason = (
        require_text(override_reason, "override_reason", empty="", max_length=2000)
        if override_reason.strip()
        else ""
    )
    complaint.override_reason, complaint.override_by = None, None
    if reason and user.user_id in complaint_deciders(session, complaint):
        complaint.override_reason, complaint.override_by = reason, principal.user_id
    complaint.handler_id = user.user_id  # a refusal below rolls this back
    _check_independent(session, complaint, user.user_id, user.username)
    return _hand_over(
        session,
        principal,
        complaint,
        user.user_id,
        "complaint.assign",
        clock,
        override=reason or None,
    )


def take_complaint(
    session: Session, principal: Principal, complaint_id: int, *, clock: Clock
) -> Complaint:
    """The caller (an officer or supervisor) becomes the handler of an unassigned complaint.

    Taking one's own complaint again changes nothing; one handled by someone else
    is refused (a supervisor reassigns it with :func:`assign_complaint`), and so is
    a complaint about a case the caller decided or amended.
    """
    require(principal, "complaints.handle")
    complaint = _unanswered(session, complaint_id)
    if complaint.handler_id == principal.user_id:
        return complaint
    if complaint.handler_id is not None:
        raise refuse(ConflictError, "complaint_taken", complaint=complaint_id)
    _check_independent(session, complaint, principal.user_id, principal.username)
    return _hand_over(session, principal, complaint, principal.user_id, "complaint.take", clock)


def _unanswered(session: Session, complaint_id: int) -> Complaint:
    """The complaint, locked, or :class:`ConflictError` if it is already answered."""
    complaint = get_complaint(session, complaint_id, lock=True)
    if complaint.status == "answered":
        raise refuse(ConflictError, "complaint_answered", complaint=complaint_id)
    return complaint


def _hand_over(
    session: Session,
    principal: Principal,
    complaint: Complaint,
    handler_id: int,
    action: str,
    clock: Clock,
    override: str | None = None,
) -> Complaint:
    complaint.handler_id, complaint.status = handler_id, "in_progress"
    details: dict = {"handler_id": handler_id}
    if complaint.override_reason:
        details["override_reason"] = override
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action=action,
        entity_type="complaint",
        entity_id=str(complaint.complaint_id),
        details=details,
    )
    return complaint


def respond_complaint(
    session: Session, principal: Principal, complaint_id: int, response: str, *, clock: Clock
) -> Complaint:
    """Answer a complaint (its handler, or a supervisor), never as the case's decider.

    Whoever decided or amended the complaint's case may answer only when a
    supervisor assigned it to them with a recorded override.
    """
    require(principal, "complaints.handle")
    _require_text(response, "response", "a complaint's answer needs a written response")
    complaint = _unanswered(session, complaint_id)
    if complaint.handler_id != principal.user_id and principal.role != "supervisor":
        raise refuse(PermissionDeniedError, "complaint_handler_only", complaint=complaint_id)
    _check_independent(session, complaint, principal.user_id, principal.username)
    complaint.response, complaint.status, complaint.answered_at = (
        response.strip(),
        "answered",
        clock.now(),
    )
    if complaint.handler_id is None:
        complaint.handler_id = principal.user_id
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="complaint.respond",
        entity_type="complaint",
        entity_id=str(complaint_id),
        details={"within_sla": complaint.answered_at <= complaint.due_at},
    )
    return complaint


def add_feedback(
    session: Session,
    principal: Principal,
    case_id: int,
    rating: int,
    comment: str = "",
    *,
    clock: Clock,
) -> Feedback:
    """Record the 1-5 satisfaction rating of a decided case: once per case.

    The store's unique constraint backs the check, so two requests at once cannot
    both record a rating.
    """
    require(principal, "feedback.create")
    case: Case = get_case(session, case_id)
    if case.status != "decided":
        raise refuse(ConflictError, "rating_after_decision", case=case_id)
    if not 1 <= rating <= 5:
        raise RequestValidationError(
            f"rating {rating} is not between 1 and 5",
            detail=[{"loc": ["body", "rating"], "msg": "must be 1 to 5"}],
        )
    if comment.strip():
        require_text(comment, "comment", empty="", max_length=2000)
    if session.scalar(sa.select(Feedback.feedback_id).where(Feedback.case_id == case_id)):
        raise refuse(ConflictError, "rating_once", case=case_id)
    feedback = Feedback(
        case_id=case_id, rating=rating, comment=comment.strip(), created_at=clock.now()
    )
    session.add(feedback)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:  # a rating recorded at the same moment
        raise refuse(ConflictError, "rating_once", case=case_id) from exc
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="feedback",
        entity_type="case",
        entity_id=str(case_id),
        details={"rating": rating},
    )
    return feedback
