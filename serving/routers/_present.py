"""Turning store rows into answer models, leaving out protected and document identity fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from risk.contract import protected_columns
from risk.settings import Settings
from serving.schemas import (
    CasePublic,
    CaseSummaryPublic,
    ComplaintPublic,
    DecisionPublic,
    ScorePublic,
)
from serving.services import ScoreOutcome, list_decisions, shows_model_output, usernames
from serving.store import Case, Complaint, Decision, Score, raw_table

__all__ = [
    "case_public",
    "case_summary",
    "complaint_public",
    "decision_public",
    "json_answer",
    "score_public",
]

#: Document fields that restate the holder's identity and protected attributes
#: (nationality, sex, birth date are encoded in the MRZ and printed page).
_DOCUMENT_HIDDEN = frozenset(
    {
        "mrz_line1",
        "mrz_line2",
        "mrz_line3",
        "printed_nationality",
        "printed_sex",
        "printed_birth_date",
        "issuing_state",
    }
)


#: The model holder's name look-up: stored model version -> "v2 (2579f6f8)".
NameOf = Callable[[str | None], str | None]


def json_answer(model: BaseModel) -> Response:
    """``model`` as a JSON response, serialised once by pydantic.

    A route that declares ``response_model`` and returns a model has FastAPI
    validate the model again (in the thread pool, for a plain ``def`` route);
    returning a ready response skips both, and the OpenAPI schema still comes
    from ``response_model``.  Use it where the answer is already a validated model.
    """
    return Response(content=model.model_dump_json(), media_type="application/json")


def score_public(outcome: ScoreOutcome, name_of: NameOf | None = None) -> ScorePublic:
    """The answer to a score request (``name_of``: the holder's model names)."""
    s = outcome.score
    return ScorePublic(
        score_id=s.score_id,
        application_id=s.application_id,
        score=s.score,
        band=s.band,
        outcome=s.outcome,
        route=s.route,
        case_id=outcome.case_id,
        threshold=s.threshold,
        raised=s.reasons["raised"],
        lowered=s.reasons["lowered"],
        model_version=s.model_version,
        model_name=None if name_of is None else name_of(s.model_version),
        lang=s.lang,
        scored_at=s.created_at,
        review_propensity=s.review_propensity,
        reference=outcome.access.reference if outcome.access else None,
        access_code=outcome.access.code if outcome.access else None,
    )


def stored_score_public(
    session: Session, score: Score, name_of: NameOf | None = None
) -> ScorePublic:
    """A logged score, with the case it opened (if any)."""
    case_id = session.scalar(sa.select(Case.case_id).where(Case.score_id == score.score_id))
    return score_public(ScoreOutcome(score=score, case_id=case_id), name_of)


def case_summary(
    case: Case, score: Score, names: dict[int, str], now: dt.datetime
) -> CaseSummaryPublic:
    """A queue row; blind cases hide score and band; an open case has waited until ``now``."""
    shown = shows_model_output(case)
    return CaseSummaryPublic(
        case_id=case.case_id,
        application_id=case.application_id,
        status=case.status,
        blind=case.blind,
        score=score.score if shown else None,
        band=score.band if shown else None,
        assigned_to=names.get(case.assigned_to) if case.assigned_to else None,
        created_at=case.created_at,
        waiting_days=((case.decided_at or now) - case.created_at).total_seconds() / 86400,
    )


def decision_public(d: Decision, names: dict[int, str]) -> DecisionPublic:
    """A decision as answered."""
    return DecisionPublic(
        decision_id=d.decision_id,
        case_id=d.case_id,
        outcome=d.outcome,
        violation_types=d.violation_types,
        reason=d.reason,
        officer=names.get(d.officer_id),
        amends=d.amends_id,
        created_at=d.created_at,
    )


def _rows(session: Session, table: str, application_id: str) -> list[dict[str, Any]]:
    t = raw_table(table)
    result = session.execute(sa.select(t).where(t.c.application_id == application_id))
    return [dict(r) for r in result.mappings()]


def case_public(
    session: Session,
    case: Case,
    settings: Settings,
    now: dt.datetime,
    name_of: NameOf | None = None,
) -> CasePublic:
    """Everything a case screen shows, without protected attributes."""
    score = session.get(Score, case.score_id)
    decisions = list_decisions(session, case.case_id)
    names = usernames(session, {case.assigned_to, *(d.officer_id for d in decisions)})
    hidden = protected_columns(settings.protected.columns)
    app = _rows(session, "applications", case.application_id)[0]
    docs = _rows(session, "documents", case.application_id)
    summary = case_summary(case, score, names, now)
    shown = shows_model_output(case)
    return CasePublic(
        **summary.model_dump(),
        application={k: v for k, v in app.items() if k not in hidden},
        documents=[
            {k: v for k, v in d.items() if k not in _DOCUMENT_HIDDEN | hidden} for d in docs
        ],
        raised=score.reasons["raised"] if shown else None,
        lowered=score.reasons["lowered"] if shown else None,
        model_version=score.model_version if shown else None,
        model_name=name_of(score.model_version) if shown and name_of is not None else None,
        decisions=[decision_public(d, names) for d in decisions],
    )


def complaint_public(c: Complaint, names: dict[int, str]) -> ComplaintPublic:
    """A complaint as answered."""
    return ComplaintPublic(
        complaint_id=c.complaint_id,
        application_id=c.application_id,
        case_id=c.case_id,
        category=c.category,
        description=c.description,
        status=c.status,
        handler=names.get(c.handler_id) if c.handler_id else None,
        response=c.response,
        opened_at=c.opened_at,
        due_at=c.due_at,
        answered_at=c.answered_at,
        within_sla=None if c.answered_at is None else c.answered_at <= c.due_at,
        override_reason=c.override_reason,
        override_by=names.get(c.override_by) if c.override_by else None,
        source=c.source or "staff",
        contact_preference=c.contact_preference,
    )
