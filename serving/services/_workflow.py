"""The review workflow: queue, view, claim, release, reassign, decide, amend.

A decision is never overwritten: an amendment is a new decision linked to the one
it amends.  Every step is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.contract import VIOLATION_TYPES
from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from serving.store import Case, Decision, User

from ._audit import append_audit
from ._auth import Principal

__all__ = [
    "DECISION_OUTCOMES",
    "QueueFilter",
    "claim_case",
    "decide_case",
    "get_case",
    "list_decisions",
    "list_queue",
    "reassign_case",
    "release_case",
    "view_case",
]

DECISION_OUTCOMES = ("violation_confirmed", "no_violation", "insufficient_evidence")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class QueueFilter:
    """Queue filters; ``None`` means any."""

    status: str | None = None
    band: str | None = None
    assigned_to: str | None = None
    limit: int = 50
    offset: int = 0


def list_queue(session: Session, flt: QueueFilter) -> tuple[list[Case], int]:
    """Cases ordered by risk (highest first), then waiting time (oldest first)."""
    from serving.store import Score

    query = sa.select(Case)
    if flt.status:
        query = query.where(Case.status == flt.status)
    else:
        query = query.where(Case.status != "decided")
    if flt.band:
        query = query.join(Score, Score.score_id == Case.score_id).where(
            Score.band == flt.band, Case.blind.is_(False)
        )
    if flt.assigned_to:
        query = query.join(User, User.user_id == Case.assigned_to).where(
            User.username == flt.assigned_to
        )
    count = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Case.priority.desc(), Case.created_at, Case.case_id)
        .limit(flt.limit)
        .offset(flt.offset)
    ).all()
    return list(rows), int(count or 0)


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """The case ``case_id`` or :class:`NotFoundError`."""
    query = sa.select(Case).where(Case.case_id == case_id)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist")
    return case


def view_case(session: Session, principal: Principal, case_id: int) -> Case:
    """Open a case for reading; the view is audited."""
    case = get_case(session, case_id)
    append_audit(
        session,
        actor=principal.username,
        action="case.view",
        entity_type="case",
        entity_id=str(case_id),
        details={"application_id": case.application_id},
    )
    return case


def claim_case(session: Session, principal: Principal, case_id: int) -> Case:
    """Take an open case; a case claimed by someone else is a conflict."""
    case = get_case(session, case_id, lock=True)
    if case.status == "decided":
        raise ConflictError(f"case {case_id} is already decided")
    if case.status == "claimed" and case.assigned_to != principal.user_id:
        raise ConflictError(f"case {case_id} is claimed by someone else")
    case.status, case.assigned_to, case.claimed_at = "claimed", principal.user_id, _now()
    append_audit(
        session,
        actor=principal.username,
        action="case.claim",
        entity_type="case",
        entity_id=str(case_id),
    )
    return case


def release_case(session: Session, principal: Principal, case_id: int) -> Case:
    """Give a claimed case back to the queue (its holder or a supervisor)."""
    case = get_case(session, case_id, lock=True)
    if case.status != "claimed":
        raise ConflictError(f"case {case_id} is not claimed (status {case.status!r})")
    if case.assigned_to != principal.user_id and principal.role != "supervisor":
        raise PermissionDeniedError(f"case {case_id} is claimed by someone else")
    case.status, case.assigned_to, case.claimed_at = "open", None, None
    append_audit(
        session,
        actor=principal.username,
        action="case.release",
        entity_type="case",
        entity_id=str(case_id),
    )
    return case


def staff_user(session: Session, username: str, refusal: str) -> User:
    """The officer or supervisor ``username``, to be handed a case or a complaint.

    ``refusal`` is the message for a user of another role, a template over
    ``username`` and ``role``.

    Raises
    ------
    NotFoundError
        If no user has that name.
    RequestValidationError
        If the user is neither an officer nor a supervisor (field ``body.username``).
    """
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    if user.role not in ("officer", "supervisor"):
        raise RequestValidationError(
            refusal.format(username=username, role=user.role),
            detail=[{"loc": ["body", "username"], "msg": "must be an officer or supervisor"}],
        )
    return user


def reassign_case(session: Session, principal: Principal, case_id: int, username: str) -> Case:
    """Give a case to another officer (supervisors only)."""
    case = get_case(session, case_id, lock=True)
    if case.status == "decided":
        raise ConflictError(f"case {case_id} is already decided")
    user = staff_user(
        session, username, "user {username!r} is a {role}, not an officer or supervisor"
    )
    previous = case.assigned_to
    case.status, case.assigned_to, case.claimed_at = "claimed", user.user_id, _now()
    append_audit(
        session,
        actor=principal.username,
        action="case.reassign",
        entity_type="case",
        entity_id=str(case_id),
        details={"from": previous, "to": user.user_id},
    )
    return case


def _check_decision(outcome: str, violation_types: list[str], reason: str) -> None:
    problems = []
    if outcome not in DECISION_OUTCOMES:
        problems.append(
            {"loc": ["body", "outcome"], "msg": f"must be one of {list(DECISION_OUTCOMES)}"}
        )
    unknown = sorted(set(violation_types) - set(VIOLATION_TYPES))
    if unknown:
        problems.append({"loc": ["body", "violation_types"], "msg": f"unknown types {unknown}"})
    if outcome == "violation_confirmed" and not violation_types:
        problems.append(
            {
                "loc": ["body", "violation_types"],
                "msg": "a confirmed violation needs at least one type",
            }
        )
    if outcome != "violation_confirmed" and violation_types:
        problems.append(
            {
                "loc": ["body", "violation_types"],
                "msg": f"types are only allowed with violation_confirmed, not {outcome}",
            }
        )
    if not reason.strip():
        problems.append({"loc": ["body", "reason"], "msg": "a written reason is required"})
    if problems:
        raise RequestValidationError("the decision is invalid", detail=problems)


def decide_case(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    outcome: str,
    violation_types: list[str],
    reason: str,
    amends: int | None = None,
) -> Decision:
    """Record a finding on a case, or amend an earlier one with a new linked decision."""
    _check_decision(outcome, violation_types, reason)
    case = get_case(session, case_id, lock=True)
    latest = _latest_decision(session, case_id)
    if amends is None and latest is not None:
        raise ConflictError(
            f"case {case_id} is already decided (decision {latest.decision_id}); amend it by"
            " sending 'amends' with that decision's id"
        )
    if amends is not None and (latest is None or latest.decision_id != amends):
        raise ConflictError(f"decision {amends} is not the current decision of case {case_id}")
    if case.status != "decided" and case.assigned_to != principal.user_id:
        raise ConflictError(f"claim case {case_id} before deciding it")
    decision = Decision(
        case_id=case_id,
        outcome=outcome,
        violation_types=sorted(violation_types),
        reason=reason.strip(),
        officer_id=principal.user_id,
        amends_id=amends,
    )
    session.add(decision)
    if case.status != "decided":
        case.status, case.decided_at = "decided", _now()
    session.flush()
    append_audit(
        session,
        actor=principal.username,
        action="decision.amend" if amends else "decision",
        entity_type="case",
        entity_id=str(case_id),
        details={
            "decision_id": decision.decision_id,
            "outcome": outcome,
            "violation_types": sorted(violation_types),
            "amends": amends,
        },
    )
    return decision


def _latest_decision(session: Session, case_id: int) -> Decision | None:
    amended = sa.select(Decision.amends_id).where(Decision.amends_id.is_not(None))
    return session.scalar(
        sa.select(Decision).where(Decision.case_id == case_id, Decision.decision_id.not_in(amended))
    )


def list_decisions(session: Session, case_id: int) -> list[Decision]:
    """All decisions of a case, oldest first (amendments included)."""
    get_case(session, case_id)
    return list(
        session.scalars(
            sa.select(Decision).where(Decision.case_id == case_id).order_by(Decision.decision_id)
        )
    )


def usernames(session: Session, ids: set[Any]) -> dict[int, str]:
    """Map user ids to usernames."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(sa.select(User.user_id, User.username).where(User.user_id.in_(ids)))
    return {user_id: name for user_id, name in rows}
