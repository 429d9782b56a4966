"""The review workflow: queue, view, claim, release, reassign, decide, amend.

A decision is never overwritten: an amendment is a new decision linked to the one
it amends.  Every step is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.contract import VIOLATION_TYPES
from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from serving.store import Case, Decision, Score, User

from ._aggregates import standing_decision
from ._audit import append_audit
from ._auth import Principal, require
from ._rules import refuse
from ._text import require_text

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
    "scores_of",
    "view_case",
]

DECISION_OUTCOMES = ("violation_confirmed", "no_violation", "insufficient_evidence")


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


def scores_of(session: Session, cases: list[Case]) -> dict[str, Score]:
    """The score that opened each case, by score id, in one query (not one per case)."""
    ids = [c.score_id for c in cases]
    if not ids:
        return {}
    return {s.score_id: s for s in session.scalars(sa.select(Score).where(Score.score_id.in_(ids)))}


def get_case(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """The case ``case_id`` or :class:`NotFoundError`."""
    query = sa.select(Case).where(Case.case_id == case_id)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFoundError(f"case {case_id} does not exist")
    return case


def view_case(session: Session, principal: Principal, case_id: int, *, clock: Clock) -> Case:
    """Open a case for reading (officers and supervisors); the view is audited."""
    require(principal, "cases.read")
    case = get_case(session, case_id)
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="case.view",
        entity_type="case",
        entity_id=str(case_id),
        details={"application_id": case.application_id},
    )
    return case


def claim_case(session: Session, principal: Principal, case_id: int, *, clock: Clock) -> Case:
    """Take an open case; a case claimed by someone else is a conflict."""
    require(principal, "cases.work")
    case = get_case(session, case_id, lock=True)
    if case.status == "decided":
        raise refuse(ConflictError, "case_decided", case=case_id)
    if case.status == "claimed" and case.assigned_to != principal.user_id:
        raise refuse(ConflictError, "case_claimed_by_other", case=case_id)
    case.status, case.assigned_to, case.claimed_at = "claimed", principal.user_id, clock.now()
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="case.claim",
        entity_type="case",
        entity_id=str(case_id),
    )
    return case


def release_case(session: Session, principal: Principal, case_id: int, *, clock: Clock) -> Case:
    """Give a claimed case back to the queue (its holder or a supervisor)."""
    require(principal, "cases.work")
    case = get_case(session, case_id, lock=True)
    if case.status != "claimed":
        raise refuse(ConflictError, "case_not_claimed", case=case_id, status=case.status)
    if not _holds_or_supervises(principal, case):
        raise refuse(PermissionDeniedError, "case_release_holder", case=case_id)
    case.status, case.assigned_to, case.claimed_at = "open", None, None
    append_audit(
        session,
        clock=clock,
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


def reassign_case(
    session: Session, principal: Principal, case_id: int, username: str, *, clock: Clock
) -> Case:
    """Give a case to another officer (supervisors only)."""
    require(principal, "cases.reassign")
    case = get_case(session, case_id, lock=True)
    if case.status == "decided":
        raise refuse(ConflictError, "case_decided", case=case_id)
    user = staff_user(
        session, username, "user {username!r} is a {role}, not an officer or supervisor"
    )
    previous = case.assigned_to
    case.status, case.assigned_to, case.claimed_at = "claimed", user.user_id, clock.now()
    append_audit(
        session,
        clock=clock,
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
    try:
        require_text(reason, "reason", empty="a written reason is required")
    except RequestValidationError as exc:
        problems.extend(exc.detail)
    if problems:
        raise RequestValidationError("the decision is invalid", detail=problems)


def decide_case(
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    clock: Clock,
    outcome: str,
    violation_types: list[str],
    reason: str,
    amends: int | None = None,
) -> Decision:
    """Record a finding on a case, or amend an earlier one with a new linked decision.

    Only the officer who holds the claim, or a supervisor, may record or amend a
    decision (always with a written reason); an amendment leaves the case decided.

    Raises
    ------
    PermissionDeniedError
        If the caller is neither the claim holder nor a supervisor (403).
    ConflictError
        If the case is unclaimed, already decided without ``amends``, or ``amends``
        is not its current decision (409).
    """
    require(principal, "cases.work")
    _check_decision(outcome, violation_types, reason)
    case = get_case(session, case_id, lock=True)
    latest = _latest_decision(session, case_id)
    allowed = _holds_or_supervises(principal, case)
    if amends is not None:
        if not allowed:
            raise refuse(PermissionDeniedError, "case_amend_holder", case=case_id)
        if latest is None or latest.decision_id != amends:
            raise refuse(ConflictError, "case_amend_current", amends=amends, case=case_id)
    elif latest is not None:
        raise refuse(
            ConflictError, "case_already_decided_amend", case=case_id, decision=latest.decision_id
        )
    elif not allowed:
        kind, rule = (
            (PermissionDeniedError, "case_decide_holder")
            if case.status == "claimed"
            else (ConflictError, "case_claim_first")
        )
        raise refuse(kind, rule, case=case_id)
    decision = Decision(
        case_id=case_id,
        outcome=outcome,
        violation_types=sorted(violation_types),
        reason=reason.strip(),
        officer_id=principal.user_id,
        amends_id=amends,
        created_at=clock.now(),
    )
    session.add(decision)
    if case.status != "decided":
        case.status, case.decided_at = "decided", clock.now()
    session.flush()
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="decision.amend" if amends else "decision",
        entity_type="case",
        entity_id=str(case_id),
        details={
            "decision_id": decision.decision_id,
            "outcome": outcome,
            "violation_types": sorted(violation_types),
            "amends": amends,
            "role": principal.role,
        },
    )
    return decision


def _holds_or_supervises(principal: Principal, case: Case) -> bool:
    """Whether the caller holds the case's claim or is a supervisor."""
    return case.assigned_to == principal.user_id or principal.role == "supervisor"


def _latest_decision(session: Session, case_id: int) -> Decision | None:
    return session.scalar(
        sa.select(Decision).where(Decision.case_id == case_id, standing_decision())
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
