"""Applicants' satisfaction surveys: once per decided application, comments moderated.

The published figures (:func:`public_channel_figures`) count one response per
application, say how many applications could respond and how many did, and keep the
ratings officers recorded on an applicant's behalf apart.  Every rate and mean obeys
:func:`serving.services.safe_rate`'s threshold; only approved comments are ever shown.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import ConflictError, NotFoundError, RequestValidationError
from serving.store import Case, Complaint, Feedback, Survey

from ._access import APPLICANT_ACTOR, ApplicantAccess
from ._audit import append_audit
from ._auth import Principal, require
from ._disclosure import safe_rate
from ._rules import refuse
from ._text import require_text

__all__ = [
    "MAX_SURVEY_COMMENT",
    "applicant_survey",
    "approved_comments",
    "moderate_survey",
    "pending_surveys",
    "public_channel_figures",
    "submit_survey",
]

MAX_SURVEY_COMMENT = 1000


def _decided(session: Session, application_id: str) -> bool:
    return (
        session.scalar(
            sa.select(Case.case_id).where(
                Case.application_id == application_id, Case.status == "decided"
            )
        )
        is not None
    )


def applicant_survey(session: Session, access: ApplicantAccess) -> Survey | None:
    """The applicant's survey answer, if they gave one."""
    return session.scalar(sa.select(Survey).where(Survey.application_id == access.application_id))


def submit_survey(
    session: Session,
    access: ApplicantAccess,
    rating: int,
    comment: str = "",
    *,
    clock: Clock,
) -> Survey:
    """Record the applicant's 1-5 rating (and comment, held for moderation): once.

    The store's unique constraint backs the check, so two submissions at once cannot
    both count.
    """
    if not _decided(session, access.application_id):
        raise refuse(ConflictError, "survey_after_decision")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RequestValidationError(
            f"rating {rating!r} is not between 1 and 5",
            detail=[{"loc": ["body", "rating"], "msg": "must be 1 to 5"}],
        )
    text = ""
    if comment.strip():
        text = require_text(comment, "comment", empty="", max_length=MAX_SURVEY_COMMENT)
    if applicant_survey(session, access) is not None:
        raise refuse(ConflictError, "survey_once")
    survey = Survey(
        application_id=access.application_id,
        rating=rating,
        comment=text,
        comment_status="pending" if text else "none",
        created_at=clock.now(),
    )
    session.add(survey)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:  # answered at the same moment
        raise refuse(ConflictError, "survey_once") from exc
    append_audit(
        session,
        clock=clock,
        actor=APPLICANT_ACTOR,
        action="survey.submit",
        entity_type="survey",
        entity_id=str(survey.survey_id),
        details={"rating": rating, "comment": bool(text), "code_id": access.code_id},
    )
    return survey


def pending_surveys(session: Session, principal: Principal, limit: int = 50) -> list[Survey]:
    """Survey comments waiting for moderation, oldest first (supervisors)."""
    require(principal, "surveys.moderate")
    return list(
        session.scalars(
            sa.select(Survey)
            .where(Survey.comment_status == "pending")
            .order_by(Survey.created_at, Survey.survey_id)
            .limit(limit)
        )
    )


def moderate_survey(
    session: Session, principal: Principal, survey_id: int, approve: bool, *, clock: Clock
) -> Survey:
    """Approve or reject a survey's comment (supervisors; audited).  The rating counts
    either way; a rejected comment is never shown."""
    require(principal, "surveys.moderate")
    survey = session.scalar(
        sa.select(Survey).where(Survey.survey_id == survey_id).with_for_update()
    )
    if survey is None:
        raise NotFoundError(f"survey {survey_id} does not exist")
    if survey.comment_status == "none":
        raise refuse(ConflictError, "survey_no_comment", survey=survey_id)
    if survey.comment_status != "pending":
        raise refuse(ConflictError, "survey_moderated", survey=survey_id)
    survey.comment_status = "approved" if approve else "rejected"
    survey.moderated_by, survey.moderated_at = principal.user_id, clock.now()
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="survey.moderate",
        entity_type="survey",
        entity_id=str(survey_id),
        details={"decision": survey.comment_status},
    )
    return survey


def approved_comments(session: Session, limit: int = 5) -> list[str]:
    """The latest approved comments (text only: no date, rating or application)."""
    return list(
        session.scalars(
            sa.select(Survey.comment)
            .where(Survey.comment_status == "approved")
            .order_by(Survey.moderated_at.desc(), Survey.survey_id.desc())
            .limit(limit)
        )
    )


def _mean(values: list[int], k: int) -> float | None:
    if not values or len(values) < k:
        return None
    return sum(values) / len(values)


def public_channel_figures(session: Session, k: int) -> dict[str, Any]:
    """Satisfaction and applicants' complaint figures for the transparency report.

    Counts are given as they are; a rate needs ``k`` in numerator and denominator and a
    mean ``k`` values (``None`` otherwise).  ``explanation_requests`` is given only at
    ``k`` or more (or zero), so a single request cannot be pointed at.
    """
    decided = session.scalar(
        sa.select(sa.func.count(sa.distinct(Case.application_id))).where(Case.status == "decided")
    )
    ratings = list(session.scalars(sa.select(Survey.rating)))
    officer = list(session.scalars(sa.select(Feedback.rating)))
    rows = session.execute(
        sa.select(Complaint.category, Complaint.due_at, Complaint.answered_at).where(
            Complaint.source == "applicant"
        )
    ).all()
    answered = [(d, a) for _, d, a in rows if a is not None]
    within = sum(a <= d for d, a in answered)
    explanations = sum(c == "explanation_request" for c, _, _ in rows)
    return {
        "survey_eligible": int(decided or 0),
        "survey_responses": len(ratings),
        "survey_response_rate": safe_rate(len(ratings), int(decided or 0), k),
        "survey_mean": _mean(ratings, k),
        "officer_ratings": len(officer),
        "officer_mean": _mean(officer, k),
        "applicant_complaints": len(rows),
        "applicant_complaints_answered": len(answered),
        "applicant_complaints_within_sla_rate": safe_rate(within, len(answered), k),
        "explanation_requests": explanations if explanations == 0 or explanations >= k else None,
    }
