"""View models of the queue and the case screen, built from the serving services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.settings import Settings
from serving.store import Case, Complaint, Feedback, Score, raw_table

from ._checks import Check, document_checks

__all__ = [
    "CaseView",
    "ReasonBar",
    "build_case_view",
    "localized_reasons",
    "sla_state",
    "timeline",
]


@dataclass(frozen=True)
class ReasonBar:
    """One reason with the width of its bar (share of the largest push, in %)."""

    text: str
    contribution: float
    width: float


@dataclass(frozen=True)
class CaseView:
    """Everything the case screen shows."""

    case: Any
    score: Score | None
    application: list[tuple[str, Any]]
    documents: list[dict[str, Any]]
    raised: list[ReasonBar]
    lowered: list[ReasonBar]
    events: list[tuple[dt.date, str, dict[str, Any]]]
    complaints: list[Complaint]
    feedback: list[Feedback]
    sla: str


def sla_state(
    created_at: dt.datetime, decided_at: dt.datetime | None, sla_days: int, now: dt.datetime
) -> str:
    """``sla_ok``, ``sla_due_soon`` (the last fifth of the time) or ``sla_breached``."""
    waited = ((decided_at or now) - created_at).total_seconds() / 86400
    if waited > sla_days:
        return "sla_breached"
    return "sla_due_soon" if waited > 0.8 * sla_days else "sla_ok"


def _reason_text(reason: dict[str, Any], lang: str) -> str:
    from features import catalogue

    cat = catalogue()
    if reason["feature"] in cat:
        return cat.get(reason["feature"]).reason(reason["value"], lang=lang)
    return reason["text"]  # a dataset-spec model: its stored wording is all there is


def localized_reasons(reasons: list[dict[str, Any]], lang: str, scale: float) -> list[ReasonBar]:
    """Reasons worded in ``lang`` from the feature catalogue's templates, with bar widths."""
    return [
        ReasonBar(
            text=_reason_text(r, lang),
            contribution=float(r["contribution"]),
            width=round(100 * abs(float(r["contribution"])) / scale, 1) if scale else 0.0,
        )
        for r in reasons
    ]


def _rows(session: Session, table: str, column: str, value: Any) -> list[dict[str, Any]]:
    t = raw_table(table)
    return [dict(r) for r in session.execute(sa.select(t).where(t.c[column] == value)).mappings()]


def timeline(session: Session, application: dict[str, Any]) -> list[tuple[dt.date, str, dict]]:
    """The applicant's history, oldest first: applications, earlier decisions, trips."""
    applicant = application["applicant_id"]
    events: list[tuple[dt.date, str, dict]] = []
    for app in _rows(session, "applications", "applicant_id", applicant):
        key = (
            "ev_this_application"
            if app["application_id"] == application["application_id"]
            else "ev_application"
        )
        events.append(
            (app["submitted_at"], key, {"id": app["application_id"], "visa": app["visa_type"]})
        )
    for d in _rows(session, "prior_decisions", "applicant_id", applicant):
        reason = f": {d['reason']}" if d.get("reason") else ""
        events.append(
            (
                d["decided_at"] or d["applied_at"],
                "ev_prior",
                {"outcome": d["outcome"], "visa": d["visa_type"], "reason": reason},
            )
        )
    for trip in _rows(session, "travel_history", "applicant_id", applicant):
        events.append(
            (
                trip["entry_date"],
                "ev_entry",
                {"visa": trip["visa_type"], "until": trip["authorised_until"]},
            )
        )
        if trip["exit_date"] is not None:
            late = (trip["exit_date"] - trip["authorised_until"]).days
            key = "ev_exit" if late > 0 else "ev_exit_ok"
            events.append((trip["exit_date"], key, {"days": late}))

    def _key(e: tuple) -> tuple:
        d = e[0]
        return (d.date() if isinstance(d, dt.datetime) else d, e[1])

    return sorted(events, key=_key)


def _complaints_and_feedback(session: Session, case: Case) -> tuple[list, list]:
    """The application's complaints (oldest first) and the case's satisfaction ratings."""
    complaints = session.scalars(
        sa.select(Complaint)
        .where(Complaint.application_id == case.application_id)
        .order_by(Complaint.opened_at, Complaint.complaint_id)
    )
    feedback = session.scalars(
        sa.select(Feedback)
        .where(Feedback.case_id == case.case_id)
        .order_by(Feedback.created_at, Feedback.feedback_id)
    )
    return list(complaints), list(feedback)


def build_case_view(
    session: Session, case: Case, public: Any, lang: str, settings: Settings, now: dt.datetime
) -> CaseView:
    """The case screen's model; blind cases carry no score and no reasons until decided.

    ``now`` is the service clock's instant the service level is measured at.
    """
    score = session.get(Score, case.score_id)
    reveal = not case.blind or case.status == "decided"
    raw_app = _rows(session, "applications", "application_id", case.application_id)[0]
    raw_docs = {
        d["document_id"]: d
        for d in _rows(session, "documents", "application_id", case.application_id)
    }
    documents = [
        {"fields": doc, "checks": document_checks(raw_docs[doc["document_id"]], raw_app)}
        for doc in public.documents
    ]
    raised, lowered = (score.reasons["raised"], score.reasons["lowered"]) if reveal else ([], [])
    scale = max((abs(r["contribution"]) for r in [*raised, *lowered]), default=0.0)
    complaints, feedback = _complaints_and_feedback(session, case)
    return CaseView(
        case=public,
        score=score if reveal else None,
        application=list(public.application.items()),
        documents=documents,
        raised=localized_reasons(raised, lang, scale),
        lowered=localized_reasons(lowered, lang, scale),
        events=timeline(session, raw_app),
        complaints=complaints,
        feedback=feedback,
        sla=sla_state(case.created_at, case.decided_at, settings.review.case_sla_days, now),
    )


def checks_summary(checks: list[Check]) -> tuple[int, int]:
    """(passed, failed) counts of a document's checks."""
    return sum(c.ok is True for c in checks), sum(c.ok is False for c in checks)
