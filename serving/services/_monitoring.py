"""Monitoring the served model from the store: scores, outcomes and groups of a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Bundle
from risk.errors import MonitorError
from risk.settings import Settings
from serving.store import Case, Decision, Score, raw_table

from ._aggregates import standing_decision
from ._runtime import read_runtime

__all__ = ["GROUP_COLUMNS", "LABELS", "monitor_store", "scored_frame"]

#: Audit attributes the live fairness reads from the applications table.
GROUP_COLUMNS = ("nationality", "sex")

#: Decision outcome to label: a confirmed violation is 1, none found 0, undecided unknown.
LABELS = {"violation_confirmed": 1.0, "no_violation": 0.0}


def scored_frame(
    session: Session, version: str, start: dt.datetime, end: dt.datetime, settings: Settings
) -> pl.DataFrame:
    """Every score of model ``version`` whose application arrived in ``[start, end)``.

    Columns: the stored features, ``margin``, ``flag`` (the model's), ``submitted_at``,
    the protected attributes, ``label`` (latest decision; null when undecided) and ``weight``
    (the inverse of the chance of review logged with the score; a score logged without
    one, from before propensities were kept, weighs 1 flagged and 1/rate as a blind
    sample at today's rate).
    """
    apps = raw_table("applications")
    latest = _latest_decisions()
    rows = session.execute(
        sa.select(
            Score.features,
            Score.margin,
            Score.model_flag,
            Score.route,
            Score.review_propensity,
            apps.c.submitted_at,
            *(apps.c[g] for g in GROUP_COLUMNS),
            latest.c.outcome,
        )
        .join(apps, apps.c.application_id == Score.application_id)
        .outerjoin(Case, Case.score_id == Score.score_id)
        .outerjoin(latest, latest.c.case_id == Case.case_id)
        .where(Score.model_version == version)
        .where(apps.c.submitted_at >= start, apps.c.submitted_at < end)
        .order_by(apps.c.submitted_at)
    ).all()
    if not rows:
        return pl.DataFrame()
    features = pl.from_dicts([r[0] for r in rows], infer_schema_length=None)
    rate = read_runtime(session, settings).blind_sample_rate
    weight = [_weight(r[4], r[3], rate) for r in rows]
    extra = {
        "margin": [r[1] for r in rows],
        "flag": [bool(r[2]) for r in rows],
        "submitted_at": [r[5] for r in rows],
        **{g: [r[6 + i] for r in rows] for i, g in enumerate(GROUP_COLUMNS)},
        "label": [LABELS.get(r[6 + len(GROUP_COLUMNS)]) for r in rows],
        "weight": weight,
    }
    return features.with_columns(
        pl.Series(k, v, dtype=pl.Float64 if k in ("label", "weight", "margin") else None)
        for k, v in extra.items()
    )


def _weight(propensity: float | None, route: str, rate: float) -> float:
    """1 / the review propensity logged at score time (the rate in force then, not now)."""
    if propensity is not None and propensity > 0:
        return 1.0 / propensity
    return 1.0 / rate if route == "blind_sample" and rate > 0 else 1.0


def _latest_decisions() -> Any:
    """The standing decision of each case: the one no later decision amends."""
    return sa.select(Decision.case_id, Decision.outcome).where(standing_decision()).subquery()


def monitor_store(
    session: Session,
    bundle: Bundle,
    settings: Settings,
    start: dt.date,
    end: dt.date,
    *,
    by: str | None = "month",
    policy: Any = None,
) -> Any:
    """Monitor the scores of ``bundle``'s version for applications from ``start`` to ``end``.

    Raises
    ------
    MonitorError
        If the period is empty or backwards, or holds no scores of this version.
    """
    from models.monitoring import monitor

    if end < start:
        raise MonitorError(f"the period ends ({end}) before it starts ({start})")
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    frame = scored_frame(session, bundle.version, lo, hi, settings)
    if frame.height == 0:
        raise MonitorError(
            f"no applications scored by model {bundle.version} arrived from {start} to {end}"
        )
    groups = [g for g in GROUP_COLUMNS if frame.get_column(g).null_count() < frame.height]
    return monitor(
        bundle,
        frame,
        settings=settings.monitor,
        time="submitted_at",
        by=by,
        label="label",
        weight="weight",
        groups=groups,
        fairness=settings.fairness,
        policy=policy,
    )
