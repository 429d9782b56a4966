"""View models of the queue and the case screen, built from the serving services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.settings import Settings
from serving.services import shows_model_output
from serving.store import Case, Complaint, Feedback, Score, raw_table

from ._checks import Check, document_checks
from ._glossary import label, shown_field
from ._reasons_view import ReasonBar, reason_bars, typical_values

__all__ = [
    "HASHED_FIELDS",
    "CaseView",
    "build_case_view",
    "sla_state",
    "timeline",
]

#: Contact fields the contract holds hashed: shown as "on file" with a match count, never hex.
HASHED_FIELDS = ("phone_hash", "email_hash", "address_hash", "bank_account_hash")


@dataclass(frozen=True)
class CaseView:
    """Everything the case screen shows."""

    case: Any
    score: Score | None
    application: list[tuple[str, Any]]
    documents: list[dict[str, Any]]
    raised: list[ReasonBar]
    lowered: list[ReasonBar]
    #: the applicant's history up to this application, and what happened since
    events: list[tuple[dt.date, str, dict[str, Any]]]
    since: list[tuple[dt.date, str, dict[str, Any]]]
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


def _rows(session: Session, table: str, column: str, value: Any) -> list[dict[str, Any]]:
    t = raw_table(table)
    return [dict(r) for r in session.execute(sa.select(t).where(t.c[column] == value)).mappings()]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _events(session: Session, application: dict[str, Any], lang: str) -> list[tuple]:
    applicant = application["applicant_id"]
    visa = lambda code: label("visa_type", code, lang)  # noqa: E731
    events: list[tuple[dt.date, str, dict]] = []
    for app in _rows(session, "applications", "applicant_id", applicant):
        this = app["application_id"] == application["application_id"]
        key = "ev_this_application" if this else "ev_application"
        events.append(
            (
                app["submitted_at"],
                key,
                {"id": app["application_id"], "visa": visa(app["visa_type"])},
            )
        )
    for d in _rows(session, "prior_decisions", "applicant_id", applicant):
        reason = f": {label('refusal_reason', d['reason'], lang)}" if d.get("reason") else ""
        outcome = label("decision_outcome", d["outcome"], lang)
        values = {"outcome": outcome, "visa": visa(d["visa_type"]), "reason": reason}
        events.append((d["decided_at"] or d["applied_at"], "ev_prior", values))
    for trip in _rows(session, "travel_history", "applicant_id", applicant):
        until = trip["authorised_until"]
        events.append(
            (trip["entry_date"], "ev_entry", {"visa": visa(trip["visa_type"]), "until": until})
        )
        if trip["exit_date"] is not None:
            late = (trip["exit_date"] - until).days
            events.append(
                (trip["exit_date"], "ev_exit" if late > 0 else "ev_exit_ok", {"days": late})
            )
    return events


def timeline(
    session: Session, application: dict[str, Any], lang: str = "en"
) -> tuple[list[tuple[dt.date, str, dict]], list[tuple[dt.date, str, dict]]]:
    """The applicant's history, oldest first, split at this application's submission.

    The first list is what was on file when the application arrived (the model saw no
    more: its features are point-in-time) and ends with the application itself; the
    second is what happened since (later trips, later applications, and this
    application's own outcome in the prior-decisions table), which an officer must not
    read as history.  Events dated on the submission day count as "since".
    """
    submitted = _day(application["submitted_at"])
    events = sorted(
        _events(session, application, lang),
        key=lambda e: (_day(e[0]), e[1] != "ev_this_application", e[1]),
    )
    before = [e for e in events if _day(e[0]) < submitted or e[1] == "ev_this_application"]
    since = [e for e in events if _day(e[0]) >= submitted and e[1] != "ev_this_application"]
    return before, since


def _hash_matches(session: Session, application: dict[str, Any]) -> dict[str, int]:
    """Per hashed contact field on file: how many other applications carry the same value."""
    t = raw_table("applications")
    matches = {}
    for field in HASHED_FIELDS:
        value = application.get(field)
        if value is None:
            continue
        matches[field] = session.scalar(
            sa.select(sa.func.count())
            .select_from(t)
            .where(t.c[field] == value, t.c.application_id != application["application_id"])
        )
    return matches


def _shown_application(
    session: Session, public_app: dict[str, Any], raw_app: dict[str, Any], lang: str
) -> list[tuple[str, Any]]:
    """The application's fields with codes labelled and hashes replaced by match counts."""
    matches = _hash_matches(session, raw_app)
    rows = []
    for key, value in public_app.items():
        if key in HASHED_FIELDS:
            value = None if value is None else {"matches": matches.get(key, 0)}
        else:
            value = shown_field(key, value, lang)
        rows.append((key, value))
    return rows


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
    session: Session,
    case: Case,
    public: Any,
    lang: str,
    settings: Settings,
    now: dt.datetime,
    reference: dict[str, Any] | None = None,
) -> CaseView:
    """The case screen's model; a blind case carries no score and no reasons, ever.

    ``now`` is the service clock's instant the service level is measured at;
    ``reference`` is the loaded model's reference profile (typical values for reasons).
    """
    score = session.get(Score, case.score_id)
    reveal = shows_model_output(case)  # the same rule as the API's case answer
    raw_app = _rows(session, "applications", "application_id", case.application_id)[0]
    raw_docs = {
        d["document_id"]: d
        for d in _rows(session, "documents", "application_id", case.application_id)
    }
    documents = [
        {
            "fields": {k: shown_field(k, v, lang) for k, v in doc.items()},
            "checks": _labelled(document_checks(raw_docs[doc["document_id"]], raw_app), lang),
        }
        for doc in public.documents
    ]
    raised, lowered = (score.reasons["raised"], score.reasons["lowered"]) if reveal else ([], [])
    if reference and score is not None and reference.get("model") != score.model_version:
        reference = None  # another model version scored this case: its typical values differ
    typical = typical_values(reference)
    complaints, feedback = _complaints_and_feedback(session, case)
    before, since = timeline(session, raw_app, lang)
    return CaseView(
        case=public,
        score=score if reveal else None,
        application=_shown_application(session, public.application, raw_app, lang),
        documents=documents,
        raised=reason_bars(raised, lang, typical),
        lowered=reason_bars(lowered, lang, typical),
        events=before,
        since=since,
        complaints=complaints,
        feedback=feedback,
        sla=sla_state(case.created_at, case.decided_at, settings.review.case_sla_days, now),
    )


def _labelled(checks: list[Check], lang: str) -> list[Check]:
    """The chip check names its result in the page language (``Lulus``), not its code."""
    return [
        Check(c.key, c.ok, {"value": label("chip_result", c.values["value"], lang)})
        if c.key == "check_chip" and c.values.get("value") != "-"
        else c
        for c in checks
    ]


def checks_summary(checks: list[Check]) -> tuple[int, int]:
    """(passed, failed) counts of a document's checks."""
    return sum(c.ok is True for c in checks), sum(c.ok is False for c in checks)
