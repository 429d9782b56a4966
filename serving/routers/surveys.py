"""Applicants' survey comments: the supervisors' moderation queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from serving.deps import ClockDep, IdPath, StoreDep, allow
from serving.schemas import ERROR_RESPONSES, SurveyModerationRequest, SurveyPage, SurveyPublic
from serving.services import Principal, moderate_survey, pending_surveys
from serving.store import Survey

router = APIRouter(prefix="/v1/surveys", tags=["surveys"], responses=ERROR_RESPONSES)

Moderator = Annotated[Principal, Depends(allow("surveys.moderate"))]


def _public(s: Survey) -> SurveyPublic:
    return SurveyPublic(
        survey_id=s.survey_id,
        rating=s.rating,
        comment=s.comment,
        comment_status=s.comment_status,
        created_at=s.created_at,
    )


@router.get("/pending", response_model=SurveyPage)
def pending(store: StoreDep, user: Moderator) -> SurveyPage:
    """Comments waiting for moderation, oldest first (at most 50)."""
    with store.transaction() as session:
        rows = pending_surveys(session, user)
        return SurveyPage(data=[_public(s) for s in rows], count=len(rows))


@router.post("/{survey_id}/moderation", response_model=SurveyPublic)
def moderate(
    survey_id: IdPath,
    body: SurveyModerationRequest,
    store: StoreDep,
    clock: ClockDep,
    user: Moderator,
) -> SurveyPublic:
    """Approve or reject a survey's comment (audited); only approved ones are shown."""
    with store.transaction() as session:
        return _public(moderate_survey(session, user, survey_id, body.approve, clock=clock))
