"""Complaints with service-level deadlines, and satisfaction feedback after a decision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from risk.settings import Settings
from serving.store import Case, Complaint, Feedback, raw_table

from ._audit import append_audit
from ._auth import Principal
from ._workflow import get_case, staff_user

__all__ = [
    "COMPLAINT_CATEGORIES",
    "add_feedback",
    "assign_complaint",
    "get_complaint",
    "list_complaints",
    "open_complaint",
    "respond_complaint",
    "take_complaint",
]

COMPLAINT_CATEGORIES = ("decision", "delay", "conduct", "data_accuracy", "discrimination", "other")


def _require_text(text: str, field: str, message: str) -> None:
    if not text or not text.strip():
        raise RequestValidationError(
            f"{message}; {field} is empty",
            detail=[{"loc": ["body", field], "msg": "must not be empty"}],
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def open_complaint(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    category: str,
    description: str,
    application_id: str | None = None,
    case_id: int | None = None,
) -> Complaint:
    """Record a complaint linked to an application or a case, due within the service level."""
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
    now = _now()
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


def assign_complaint(
    session: Session, principal: Principal, complaint_id: int, username: str
) -> Complaint:
    """Give a complaint a handler (supervisors)."""
    complaint = _unanswered(session, complaint_id)
    user = staff_user(
        session, username, "user {username!r} is a {role}; complaints go to officers or supervisors"
    )
    return _hand_over(session, principal, complaint, user.user_id, "complaint.assign")


def take_complaint(session: Session, principal: Principal, complaint_id: int) -> Complaint:
    """The caller (an officer or supervisor) becomes the handler of an unassigned complaint.

    Taking one's own complaint again changes nothing; one handled by someone else
    is refused (a supervisor reassigns it with :func:`assign_complaint`).
    """
    complaint = _unanswered(session, complaint_id)
    if complaint.handler_id == principal.user_id:
        return complaint
    if complaint.handler_id is not None:
        raise ConflictError(
            f"complaint {complaint_id} is already handled by someone else;"
            " a supervisor can reassign it"
        )
    return _hand_over(session, principal, complaint, principal.user_id, "complaint.take")


def _unanswered(session: Session, complaint_id: int) -> Complaint:
    """The complaint, locked, or :class:`ConflictError` if it is already answered."""
    complaint = get_complaint(session, complaint_id, lock=True)
    if complaint.status == "answered":
        raise ConflictError(f"complaint {complaint_id} is already answered")
    return complaint


def _hand_over(
    session: Session, principal: Principal, complaint: Complaint, handler_id: int, action: str
) -> Complaint:
    complaint.handler_id, complaint.status = handler_id, "in_progress"
    append_audit(
        session,
        actor=principal.username,
        action=action,
        entity_type="complaint",
        entity_id=str(complaint.complaint_id),
        details={"handler_id": handler_id},
    )
    return complaint


def respond_complaint(
    session: Session, principal: Principal, complaint_id: int, response: str
) -> Complaint:
    """Answer a complaint (its handler, or a supervisor)."""
    _require_text(response, "response", "a complaint's answer needs a written response")
    complaint = _unanswered(session, complaint_id)
    if complaint.handler_id != principal.user_id and principal.role != "supervisor":
        raise PermissionDeniedError(f"complaint {complaint_id} is handled by someone else")
    complaint.response, complaint.status, complaint.answered_at = (
        response.strip(),
        "answered",
        _now(),
    )
    if complaint.handler_id is None:
        complaint.handler_id = principal.user_id
    append_audit(
        session,
        actor=principal.username,
        action="complaint.respond",
        entity_type="complaint",
        entity_id=str(complaint_id),
        details={"within_sla": complaint.answered_at <= complaint.due_at},
    )
    return complaint


def add_feedback(
    session: Session, principal: Principal, case_id: int, rating: int, comment: str = ""
) -> Feedback:
    """Record a 1-5 satisfaction rating for a decided case."""
    case: Case = get_case(session, case_id)
    if case.status != "decided":
        raise ConflictError(f"case {case_id} has no decision yet; feedback comes after one")
    if not 1 <= rating <= 5:
        raise RequestValidationError(
            f"rating {rating} is not between 1 and 5",
            detail=[{"loc": ["body", "rating"], "msg": "must be 1 to 5"}],
        )
    feedback = Feedback(case_id=case_id, rating=rating, comment=comment.strip())
    session.add(feedback)
    session.flush()
    append_audit(
        session,
        actor=principal.username,
        action="feedback",
        entity_type="case",
        entity_id=str(case_id),
        details={"rating": rating},
    )
    return feedback
