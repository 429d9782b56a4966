"""The aggregate queries oversight, the public pages, the API and the KPIs share.

One place for what "the standing decision" of a case is (the one no later decision
amends), the decided cases with their times, monthly KPIs and live fairness by group.
Only counts and rates leave this module, never a row about a person, and only in the
form :func:`serving.services.protect` allows: small groups pooled into one "other"
line, rates over fewer than ``settings.fairness.min_group_size`` cases suppressed, and
complementary suppression so no hidden figure can be worked out from the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from serving.store import Case, Complaint, Decision, Feedback, Score, raw_table

from ._disclosure import Counts, PublishedTable, protect, safe_rate

__all__ = [
    "FAIRNESS_GROUPS",
    "DecidedCase",
    "MonthRow",
    "age_band",
    "decided_cases",
    "fairness_tables",
    "group_counts",
    "monthly",
    "standing_decision",
]

#: Attributes live fairness is reported by (``age_band`` is derived from the birth date).
FAIRNESS_GROUPS = ("nationality", "sex", "age_band", "marital_status")
_AGE_EDGES = ((25, "18-24"), (40, "25-39"), (60, "40-59"))


def age_band(birth: dt.date | None, at: dt.datetime) -> str:
    """The age band at ``at`` (``"under 18"``, ``"18-24"`` ... ``"60+"``, ``"unknown"``)."""
    if birth is None:
        return "unknown"
    age = at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))
    if age < 18:
        return "under 18"
    for edge, label in _AGE_EDGES:
        if age < edge:
            return label
    return "60+"


def standing_decision() -> sa.ColumnElement[bool]:
    """The condition on :class:`Decision` that it is its case's standing decision.

    A decision stands until a later one amends it; every figure counts only these.
    """
    amended = sa.select(Decision.amends_id).where(Decision.amends_id.is_not(None))
    return Decision.decision_id.not_in(amended)


@dataclass(frozen=True)
class DecidedCase:
    """A decided case as the aggregates count it (both times on the service's clock)."""

    application_id: str
    route: str
    outcome: str
    opened_at: dt.datetime
    decided_at: dt.datetime | None


def decided_cases(session: Session) -> list[DecidedCase]:
    """Every decided case with its standing outcome, opening and first decision time."""
    rows = session.execute(
        sa.select(
            Case.application_id, Case.route, Decision.outcome, Case.created_at, Case.decided_at
        )
        .join(Decision, Decision.case_id == Case.case_id)
        .where(standing_decision())
    )
    return [DecidedCase(*r) for r in rows.all()]


def _current_outcomes(session: Session) -> dict[str, str]:
    """application_id -> standing decision outcome of its flagged case."""
    return {c.application_id: c.outcome for c in decided_cases(session) if c.route == "model_flag"}


def _scored_rows(session: Session) -> list[dict[str, Any]]:
    apps = raw_table("applications")
    query = sa.select(
        Score.application_id,
        Score.model_flag,
        Score.created_at,
        apps.c.submitted_at,
        apps.c.nationality,
        apps.c.sex,
        apps.c.birth_date,
        apps.c.marital_status,
    ).join(apps, apps.c.application_id == Score.application_id)
    rows = [dict(r) for r in session.execute(query).mappings()]
    for r in rows:
        r["age_band"] = age_band(r["birth_date"], r["submitted_at"])
    return rows


def group_counts(
    session: Session, attribute: str, *, by_month: bool = False
) -> dict[str | None, dict[str, Counts]]:
    """Counts per group of ``attribute``, per month of scoring (or ``None``: overall).

    ``decided`` and ``confirmed`` count flagged cases only (the hit rate's terms).
    """
    if attribute not in FAIRNESS_GROUPS:
        raise ValueError(f"attribute must be one of {FAIRNESS_GROUPS}, got {attribute!r}")
    outcomes = _current_outcomes(session)
    cells: dict[str | None, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    for r in _scored_rows(session):
        month = r["created_at"].strftime("%Y-%m") if by_month else None
        cell = cells[month][str(r[attribute] or "unknown")]
        cell[0] += 1
        cell[1] += bool(r["model_flag"])
        outcome = outcomes.get(r["application_id"])
        if outcome is not None and r["model_flag"]:
            cell[2] += 1
            cell[3] += outcome == "violation_confirmed"
    return {month: {g: Counts(*c) for g, c in groups.items()} for month, groups in cells.items()}


def fairness_tables(
    session: Session, attribute: str, min_size: int, *, by_month: bool = False
) -> dict[str | None, PublishedTable]:
    """Live flag and hit rates by group of ``attribute``, as they may be published.

    Parameters
    ----------
    attribute
        One of :data:`FAIRNESS_GROUPS`.
    min_size
        The disclosure threshold: see :func:`serving.services.protect` (small groups
        pooled into one "other" line, rates over small counts suppressed, and
        complementary suppression so that no hidden figure follows from the others).
    by_month
        One table per month of scoring (sorted) instead of one overall (key ``None``).
    """
    counts = group_counts(session, attribute, by_month=by_month)
    if not by_month and not counts:
        counts = {None: {}}
    return {m: protect(counts[m], min_size) for m in sorted(counts, key=lambda m: m or "")}


@dataclass(frozen=True)
class MonthRow:
    """One month of the service's KPIs."""

    month: str
    scored: int
    flagged: int
    decided: int
    confirmed: int
    processing_p50: float | None
    complaints: int
    complaints_within_sla: int
    satisfaction: float | None
    #: The threshold below which a rate, median or mean is not shown (``None``).
    min_count: int = 1

    @property
    def flag_rate(self) -> float | None:
        """Share of scored applications flagged (suppressed over small counts)."""
        return safe_rate(self.flagged, self.scored, self.min_count)

    @property
    def hit_rate(self) -> float | None:
        """Share of decided cases with a confirmed violation (suppressed over small counts)."""
        return safe_rate(self.confirmed, self.decided, self.min_count)


def _by_month(values: list[tuple[dt.datetime, Any]]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for at, v in values:
        if at is not None:
            out[at.strftime("%Y-%m")].append(v)
    return out


def _enough(values: list[Any], k: int) -> bool:
    return len(values) >= max(k, 1)


def monthly(session: Session, min_count: int) -> list[MonthRow]:
    """KPIs per calendar month: scoring, decisions, processing time, complaints, satisfaction.

    A rate over fewer than ``min_count`` cases (either count), and a median or mean of
    fewer than ``min_count`` values, is not given (``None``): it would describe a few
    people (see :func:`serving.services.safe_rate`).
    """
    scores = _by_month(session.execute(sa.select(Score.created_at, Score.model_flag)).all())
    # processing time as compute_kpis counts it: from the case's opening to its first
    # decision, both on the service's clock
    decided = _by_month(
        [
            (c.decided_at, (c.outcome, (c.decided_at - c.opened_at).total_seconds() / 86400))
            for c in decided_cases(session)
            if c.decided_at is not None
        ]
    )
    complaints = _by_month(
        [
            (o, a is not None and a <= d)
            for o, d, a in session.execute(
                sa.select(Complaint.opened_at, Complaint.due_at, Complaint.answered_at)
            )
        ]
    )
    ratings = _by_month(session.execute(sa.select(Feedback.created_at, Feedback.rating)).all())
    months = sorted(set(scores) | set(decided) | set(complaints) | set(ratings))
    return [
        MonthRow(
            month=m,
            scored=len(scores.get(m, [])),
            flagged=sum(bool(f) for f in scores.get(m, [])),
            decided=len(decided.get(m, [])),
            confirmed=sum(o == "violation_confirmed" for o, _ in decided.get(m, [])),
            processing_p50=float(np.median([d for _, d in decided[m]]))
            if _enough(decided.get(m, []), min_count)
            else None,
            complaints=len(complaints.get(m, [])),
            complaints_within_sla=sum(complaints.get(m, [])),
            satisfaction=float(np.mean(ratings[m]))
            if _enough(ratings.get(m, []), min_count)
            else None,
            min_count=min_count,
        )
        for m in months
    ]
