"""Key performance indicators: the aggregates supervisors and oversight read.

Aggregates only, never personal data: counts, rates and time percentiles, each under the
disclosure rule of :func:`serving.services.safe_rate`: a rate whose numerator or
denominator is below the threshold, and a percentile or mean of fewer values, is not
given (``None``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from serving.store import Case, Complaint, Feedback, Score

from ._aggregates import decided_cases
from ._disclosure import safe_rate

__all__ = ["compute_kpis"]


def _percentiles(days: list[float], k: int) -> dict[str, float | None]:
    if not days or len(days) < k:
        return {"p50": None, "p90": None, "max": None}
    arr = np.asarray(days, dtype=float)
    return {
        "p50": float(np.percentile(arr, 50)),
        "p90": float(np.percentile(arr, 90)),
        "max": float(arr.max()),
    }


def _rate(num: int, den: int, k: int) -> float | None:
    return safe_rate(num, den, k) if k > 0 else (None if den == 0 else num / den)


def _review_kpis(session: Session, now: dt.datetime, k: int) -> dict[str, Any]:
    # Both times are the service's own: an application's ``submitted_at`` comes from
    # whoever sent it (a loaded world keeps its own dates) and is never subtracted
    # from a time the service stamped.
    decided = [(c.route, c.outcome, c.opened_at, c.decided_at) for c in decided_cases(session)]
    processing = [(d - s).total_seconds() / 86400 for _, _, s, d in decided if d and s]
    out: dict[str, Any] = {
        "decided_cases": len(decided),
        "processing_days": _percentiles(processing, k),
    }
    for route in ("model_flag", "blind_sample"):
        rows = [o for r, o, _, _ in decided if r == route]
        hits = sum(o == "violation_confirmed" for o in rows)
        out[f"hit_rate_{route}"] = _rate(hits, len(rows), k)
        out[f"decided_{route}"] = len(rows)
    flagged = [o for r, o, _, _ in decided if r == "model_flag"]
    out["override_rate"] = _rate(sum(o == "no_violation" for o in flagged), len(flagged), k)
    waiting = (
        session.execute(sa.select(Case.created_at).where(Case.status != "decided")).scalars().all()
    )
    out["backlog"] = len(waiting)
    out["backlog_age_days"] = _percentiles([(now - c).total_seconds() / 86400 for c in waiting], k)
    return out


def _scoring_kpis(session: Session, k: int) -> dict[str, Any]:
    total, flagged, review = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Score.model_flag.is_(True)),
            sa.func.count().filter(Score.outcome == "review"),
        )
    ).one()
    return {
        "scored": total,
        "flag_rate": _rate(flagged, total, k),
        "review_rate": _rate(review, total, k),
    }


def _complaint_kpis(session: Session, now: dt.datetime, k: int) -> dict[str, Any]:
    rows = session.execute(
        sa.select(Complaint.opened_at, Complaint.due_at, Complaint.answered_at)
    ).all()
    answered = [(d, a) for _, d, a in rows if a is not None]
    within = sum(a <= d for d, a in answered)
    overdue = sum(1 for _, d, a in rows if a is None and d < now)
    ratings = session.execute(sa.select(Feedback.rating)).scalars().all()
    return {
        "complaints_opened": len(rows),
        "complaints_answered": len(answered),
        "complaints_answered_within_sla": within,
        "complaints_within_sla_rate": _rate(within, len(answered), k),
        "complaints_overdue": overdue,
        "satisfaction_responses": len(ratings),
        "satisfaction_mean": float(np.mean(ratings)) if ratings and len(ratings) >= k else None,
    }


def compute_kpis(session: Session, *, clock: Clock, min_count: int) -> dict[str, Any]:
    """All KPIs as one flat-ish dictionary (see :class:`serving.schemas.KpisPublic`).

    ``min_count`` is the disclosure threshold (``settings.fairness.min_group_size``;
    0 gives every figure, for the simulation's own bookkeeping).

    Every duration is measured on the service's ``clock``: backlog ages and
    complaint deadlines against its ``now``, processing time from the case's
    opening (the score) to its first decision, both stamped by the same clock.
    """
    now = clock.now()
    return {
        **_scoring_kpis(session, min_count),
        **_review_kpis(session, now, min_count),
        **_complaint_kpis(session, now, min_count),
        "as_of": now,
    }
