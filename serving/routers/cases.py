"""The review queue and the case workflow: view, claim, release, reassign, decide, feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from serving.deps import ClockDep, HolderDep, IdPath, Offset, SettingsDep, StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    BandRecordPublic,
    CasePage,
    CasePublic,
    CaseSummaryPublic,
    DecisionPublic,
    DecisionRequest,
    FeedbackPublic,
    FeedbackRequest,
    ReassignRequest,
)
from serving.services import (
    Principal,
    QueueFilter,
    add_feedback,
    claim_case,
    decide_case,
    list_queue,
    reassign_case,
    release_case,
    score_band_record,
    scores_of,
    usernames,
    view_case,
)
from serving.store import Score

from ._present import case_public, case_summary, decision_public

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, Depends(allow("cases.read"))]
Worker = Annotated[Principal, Depends(allow("cases.work"))]
Supervisor = Annotated[Principal, Depends(allow("cases.reassign"))]
FeedbackTaker = Annotated[Principal, Depends(allow("feedback.create"))]
CaseStatus = Annotated[str | None, Query(pattern="^(open|claimed|decided)$")]


@router.get("", response_model=CasePage)
def queue(
    store: StoreDep,
    clock: ClockDep,
    user: Reader,
    status: CaseStatus = None,
    band: Annotated[str | None, Query(max_length=20)] = None,
    assigned_to: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> CasePage:
    """Cases to review, highest risk then longest waiting first (undecided by default)."""
    flt = QueueFilter(status=status, band=band, assigned_to=assigned_to, limit=limit, offset=offset)
    with store.transaction() as session:
        cases, count = list_queue(session, flt)
        names = usernames(session, {c.assigned_to for c in cases})
        now = clock.now()
        scores = scores_of(session, cases)
        data = [case_summary(c, scores[c.score_id], names, now) for c in cases]
    return CasePage(data=data, count=count)


@router.get("/{case_id}", response_model=CasePublic)
def get_case(
    case_id: IdPath,
    store: StoreDep,
    holder: HolderDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Reader,
) -> CasePublic:
    """A case with its application, documents, reasons and decisions (the view is audited).

    ``band_record`` says what the band means (confirmed cases per 100, with an interval);
    ``score`` stays the calibrated probability.  Blind cases carry neither.
    """
    with store.transaction() as session:
        case = view_case(session, user, case_id, clock=clock)
        public = case_public(session, case, settings, clock.now(), holder.name_of)
        if public.model_version is not None:
            score = session.get(Score, case.score_id)
            bundle = holder.bundle if holder.loaded else None
            record = score_band_record(session, score, bundle)
            public.band_record = BandRecordPublic(**vars(record))
        return public


def _summary(session, case, clock) -> CaseSummaryPublic:
    names = usernames(session, {case.assigned_to})
    return case_summary(case, session.get(Score, case.score_id), names, clock.now())


@router.post("/{case_id}/claim", response_model=CaseSummaryPublic)
def claim(case_id: IdPath, store: StoreDep, clock: ClockDep, user: Worker) -> CaseSummaryPublic:
    """Take a case (409 if someone else holds it)."""
    with store.transaction() as session:
        return _summary(session, claim_case(session, user, case_id, clock=clock), clock)


@router.post("/{case_id}/release", response_model=CaseSummaryPublic)
def release(case_id: IdPath, store: StoreDep, clock: ClockDep, user: Worker) -> CaseSummaryPublic:
    """Give a claimed case back to the queue."""
    with store.transaction() as session:
        return _summary(session, release_case(session, user, case_id, clock=clock), clock)


@router.post("/{case_id}/reassign", response_model=CaseSummaryPublic)
def reassign(
    case_id: IdPath, body: ReassignRequest, store: StoreDep, clock: ClockDep, user: Supervisor
) -> CaseSummaryPublic:
    """Give a case to another officer (supervisors)."""
    with store.transaction() as session:
        case = reassign_case(session, user, case_id, body.username, clock=clock)
        return _summary(session, case, clock)


@router.post("/{case_id}/decisions", response_model=DecisionPublic, status_code=201)
def decide(
    case_id: IdPath, body: DecisionRequest, store: StoreDep, clock: ClockDep, user: Worker
) -> DecisionPublic:
    """Record a finding; to amend one, send ``amends`` with the current decision's id."""
    with store.transaction() as session:
        decision = decide_case(
            session,
            user,
            case_id,
            clock=clock,
            outcome=body.outcome,
            violation_types=list(body.violation_types),
            reason=body.reason,
            amends=body.amends,
        )
        return decision_public(decision, {user.user_id: user.username})


@router.post("/{case_id}/feedback", response_model=FeedbackPublic, status_code=201)
def feedback(
    case_id: IdPath, body: FeedbackRequest, store: StoreDep, clock: ClockDep, user: FeedbackTaker
) -> FeedbackPublic:
    """Record the applicant's satisfaction (1-5) after a decision."""
    with store.transaction() as session:
        row = add_feedback(session, user, case_id, body.rating, body.comment, clock=clock)
        return FeedbackPublic(
            feedback_id=row.feedback_id,
            case_id=row.case_id,
            rating=row.rating,
            created_at=row.created_at,
        )
