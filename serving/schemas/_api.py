"""Request and answer models of the API (``XRequest`` / ``XPublic`` / ``XPage``).

Answers never carry protected attributes (nationality, sex, birth date, marital
status) nor internal fields such as token hashes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ._contract import ApplicationIn, DocumentIn
from ._limits import Id, Line, Text, check_text

__all__ = [
    "ERROR_RESPONSES",
    "BandRecordPublic",
    "CasePage",
    "CasePublic",
    "CaseSummaryPublic",
    "ComplaintAssignRequest",
    "ComplaintPage",
    "ComplaintPublic",
    "ComplaintRequest",
    "ComplaintResponseRequest",
    "DecisionPublic",
    "DecisionRequest",
    "ErrorPublic",
    "FeedbackPublic",
    "FeedbackRequest",
    "ReasonPublic",
    "ReassignRequest",
    "ScoreBatchPublic",
    "ScoreBatchRequest",
    "ScorePublic",
    "ScoreRequest",
]


def _utc(value: dt.datetime) -> dt.datetime:
    # The store keeps naive UTC; answers say so (RFC 3339 needs the offset).
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


#: A UTC timestamp in answers.
Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]
Lang = Literal["en", "id"]
DecisionOutcome = Literal["violation_confirmed", "no_violation", "insufficient_evidence"]
ViolationType = Literal["overstay", "document_fraud", "misrepresentation"]
ComplaintCategory = Literal[
    "decision",
    "delay",
    "conduct",
    "data_accuracy",
    "discrimination",
    "explanation_request",
    "other",
]


class ErrorPublic(BaseModel):
    """Every error answer: a machine code and a human or structured detail."""

    error: str
    detail: Any = None


#: Error answers documented on every route (one body shape for all of them).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic, "description": text}
    for code, text in [
        (401, "Missing or invalid API token"),
        (403, "The caller's role may not do this"),
        (404, "Unknown id"),
        (409, "Conflicts with the current state"),
        (422, "Invalid input: the field path and the reason"),
        (503, "No model is loaded"),
    ]
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreRequest(_Strict):
    """One application with its documents, as in the data contract."""

    application: ApplicationIn  # type: ignore[valid-type]
    documents: list[DocumentIn] = Field(default_factory=list)  # type: ignore[valid-type]
    lang: Lang = "en"

    @model_validator(mode="after")
    def _documents_belong(self) -> ScoreRequest:
        app_id = self.application.application_id
        for i, doc in enumerate(self.documents):
            if doc.application_id != app_id:
                raise ValueError(
                    f"documents[{i}].application_id {doc.application_id!r} is not the"
                    f" application's id {app_id!r}"
                )
        ids = [d.document_id for d in self.documents]
        if len(set(ids)) != len(ids):
            raise ValueError("documents repeat a document_id")
        return self


class ScoreBatchRequest(_Strict):
    """Up to 500 applications scored in one call, stored together or not at all."""

    items: list[ScoreRequest] = Field(min_length=1, max_length=500)


class ReasonPublic(BaseModel):
    """One reason: a feature, its value, its contribution (log-odds) and the text."""

    feature: str
    value: Any = None
    contribution: float
    text: str


class ScorePublic(BaseModel):
    """The answer to a score: never a refusal, only ``review`` or ``no_flag``."""

    score_id: str
    application_id: str
    score: float
    band: str
    outcome: Literal["review", "no_flag"]
    route: Literal["model_flag", "kill_switch", "blind_sample", "none"]
    case_id: int | None
    threshold: float
    raised: list[ReasonPublic]
    lowered: list[ReasonPublic]
    #: The bundle's 12-digit version, as stored with the score (replay checks it).
    model_version: str
    #: The model's one name everywhere: registry version and short fingerprint, "v2 (2579f6f8)".
    model_name: str | None = None
    lang: Lang
    scored_at: Timestamp
    review_propensity: float | None = Field(
        description="Probability that this application is reviewed under the routing policy"
        " in force when it was scored: 1 for a model flag or under the kill switch, the"
        " blind-sample rate otherwise (null: logged before propensities were recorded)."
    )
    reference: str | None = Field(
        None,
        description="The application's public reference, in the answer that issued it (the"
        " application's first score; null on later scores and on reads of a logged score).",
    )
    access_code: str | None = Field(
        None,
        description="The applicant's access code for /status, shown once: hand it to the"
        " applicant with the reference. Only its hash is kept; `risk applicants"
        " reissue-code REFERENCE` issues a new one and revokes the old.",
    )


class ScoreBatchPublic(BaseModel):
    """Batch answer: one result per item, in order."""

    data: list[ScorePublic]
    count: int


class DecisionRequest(_Strict):
    """A finding with a mandatory written reason; ``amends`` links an amendment."""

    outcome: DecisionOutcome
    violation_types: list[ViolationType] = Field(default_factory=list)
    reason: Text
    amends: Id | None = None


class DecisionPublic(BaseModel):
    """A recorded decision."""

    decision_id: int
    case_id: int
    outcome: str
    violation_types: list[str]
    reason: str
    officer: str | None
    amends: int | None
    created_at: Timestamp


class CaseSummaryPublic(BaseModel):
    """A queue row; blind-sample cases show no score or band."""

    case_id: int
    application_id: str
    status: str
    blind: bool
    score: float | None
    band: str | None
    assigned_to: str | None
    created_at: Timestamp
    waiting_days: float


class CasePage(BaseModel):
    """A page of the review queue."""

    data: list[CaseSummaryPublic]
    count: int


class BandRecordPublic(BaseModel):
    """What the case's band means: how many of its cases were confirmed violations.

    ``rate`` is ``confirmed / cases`` with its 95% Wilson interval (``low``, ``high``);
    ``relative`` is ``rate / average``, the average being the rate over every band.
    Counts pool the model's validation split with cases decided under the same model.
    """

    band: str
    cases: int
    confirmed: int
    validation_cases: int
    live_cases: int
    rate: float | None
    low: float | None
    high: float | None
    average: float | None
    relative: float | None


class CasePublic(CaseSummaryPublic):
    """A case screen's data: the application (no protected attributes), documents, reasons."""

    application: dict[str, Any]
    documents: list[dict[str, Any]]
    raised: list[ReasonPublic] | None
    lowered: list[ReasonPublic] | None
    model_version: str | None
    model_name: str | None = None
    decisions: list[DecisionPublic]
    band_record: BandRecordPublic | None = None


class ReassignRequest(_Strict):
    """Who takes the case."""

    username: Annotated[Line, Field(min_length=1, max_length=80)]


class ComplaintRequest(_Strict):
    """A complaint about an application or a case."""

    application_id: Line | None = None
    case_id: Id | None = None
    category: ComplaintCategory
    description: Text


class ComplaintAssignRequest(_Strict):
    """The complaint's handler; ``override_reason`` lets the case's decider handle it."""

    username: Annotated[Line, Field(min_length=1, max_length=80)]
    override_reason: Annotated[str, Field(max_length=2000), AfterValidator(check_text)] = ""


class ComplaintResponseRequest(_Strict):
    """The answer given to the complainant."""

    response: Text


class ComplaintPublic(BaseModel):
    """A complaint with its deadline and status."""

    complaint_id: int
    application_id: str | None
    case_id: int | None
    category: str
    description: str
    status: str
    handler: str | None
    response: str | None
    opened_at: Timestamp
    due_at: Timestamp
    answered_at: Timestamp | None
    within_sla: bool | None
    override_reason: str | None = None
    override_by: str | None = None
    #: ``staff`` (recorded by an officer) or ``applicant`` (sent from /status).
    source: str = "staff"
    #: How the applicant asked to be contacted (applicants' complaints only).
    contact_preference: str | None = None


class ComplaintPage(BaseModel):
    """A page of complaints."""

    data: list[ComplaintPublic]
    count: int


class FeedbackRequest(_Strict):
    """A satisfaction rating after a decision."""

    rating: int = Field(ge=1, le=5)
    comment: Annotated[str, Field(max_length=2000), AfterValidator(check_text)] = ""


class FeedbackPublic(BaseModel):
    """A recorded rating."""

    feedback_id: int
    case_id: int
    rating: int
    created_at: Timestamp
