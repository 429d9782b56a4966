"""Answers and requests of the public channel's staff side: complaint follow-up, surveys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ._limits import check_text

__all__ = [
    "ComplaintStepPublic",
    "ComplaintStepRequest",
    "SurveyModerationRequest",
    "SurveyPage",
    "SurveyPublic",
]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


class ComplaintStepRequest(BaseModel):
    """A follow-up step, written to the complainant (they read it on /status)."""

    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(check_text)]


class ComplaintStepPublic(BaseModel):
    """A recorded follow-up step."""

    step_id: int
    complaint_id: int
    text: str
    by: str | None
    at: Timestamp


class SurveyPublic(BaseModel):
    """An applicant's survey answer as moderators see it (no application, no person)."""

    survey_id: int
    rating: int
    comment: str
    comment_status: str
    created_at: Timestamp


class SurveyPage(BaseModel):
    """Survey comments waiting for moderation."""

    data: list[SurveyPublic]
    count: int


class SurveyModerationRequest(BaseModel):
    """Approve (shown in the transparency report) or reject (never shown) a comment."""

    model_config = ConfigDict(extra="forbid")
    approve: bool
