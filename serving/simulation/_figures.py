"""Per-month figures of one arm: the truth's (evaluation only) and the service's estimates.

``true_*`` figures join the inference log with the world's truth; nothing the service
or training sees.  ``estimated_*`` figures use only what the service recorded (scores,
review propensities, officers' findings) through the blind-sample estimator.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa

from ._world import SimWorld

__all__ = ["ESTIMATE_KEYS", "estimated_months", "month_row", "true_months"]

#: The estimated figures of a month, in the order ``simulation.json`` gives them.
ESTIMATE_KEYS = (
    "estimated_recall",
    "estimated_recall_ci",
    "estimated_prevalence",
    "estimated_prevalence_ci",
)
_ORDER = (
    "month",
    "model_version",
    "flag_rate",
    "true_recall_at_capacity",
    "true_precision_at_capacity",
    *ESTIMATE_KEYS,
    "true_prevalence",
    "flag_share_by_nationality",
)


def month_row(truths: dict[str, Any], estimates: dict[str, Any] | None) -> dict[str, Any]:
    """One month of ``simulation.json``: the truth's figures and the estimates (or ``None``)."""
    both = {**truths, **{k: (estimates or {}).get(k) for k in ESTIMATE_KEYS}}
    return {k: both[k] for k in _ORDER}


def _scores(session: Any) -> pl.DataFrame:
    from serving.store import Score

    rows = session.execute(
        sa.select(Score.application_id, Score.model_version, Score.model_flag, Score.created_at)
    ).all()
    return pl.DataFrame(
        rows,
        schema={
            "application_id": pl.String,
            "model_version": pl.String,
            "model_flag": pl.Boolean,
            "scored_at": pl.Datetime("us"),
        },
        orient="row",
    )


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def true_months(session: Any, world: SimWorld) -> list[dict[str, Any]]:
    """Each simulated month's figures against the truth, from the arm's inference log.

    Returns
    -------
    list of dict
        ``month``, ``model_version`` (the one that scored most of the month),
        ``flag_rate``, ``true_recall_at_capacity``, ``true_precision_at_capacity``,
        ``true_prevalence`` and ``flag_share_by_nationality`` (each nationality's share
        of the month's flags).
    """
    scored = _scores(session).join(
        world.truth.select("application_id", "any_violation", "nationality"),
        on="application_id",
        how="left",
    )
    out = []
    for i in range(len(world.boundaries) - 1):
        lo, hi = world.boundaries[i], world.boundaries[i + 1]
        month = scored.filter(pl.col("scored_at").is_between(lo, hi, "left"))
        out.append({"month": world.month_label(i), **_month_figures(month)})
    return out


def _month_figures(month: pl.DataFrame) -> dict[str, Any]:
    n = month.height
    flag, truth = month["model_flag"], month["any_violation"].fill_null(False)
    flags, violators = int(flag.sum()), int(truth.sum())
    hits = int((flag & truth).sum())
    versions = month.group_by("model_version").len().sort("len", "model_version", descending=True)
    by_nat = month.filter(pl.col("model_flag")).group_by("nationality").len().sort("nationality")
    return {
        "model_version": versions["model_version"][0] if n else None,
        "flag_rate": _ratio(flags, n),
        "true_recall_at_capacity": _ratio(hits, violators),
        "true_precision_at_capacity": _ratio(hits, flags),
        "true_prevalence": _ratio(violators, n),
        "flag_share_by_nationality": {
            r["nationality"]: r["len"] / flags for r in by_nat.iter_rows(named=True)
        },
    }


def _interval(estimate: Any) -> list[float] | None:
    if estimate.low is None or estimate.high is None:
        return None
    return [estimate.low, estimate.high]


def estimated_months(session: Any, world: SimWorld) -> dict[str, dict[str, Any]]:
    """Each month's blind-sample estimates from the arm's records, by ``YYYY-MM``.

    The records are read as an export would give them at the simulation's end (every
    finding known by then, amendments included), through the Horvitz-Thompson estimator
    over each score's review propensity.
    """
    from models import estimate_reviews
    from serving.services import reviews_frame

    reviews = reviews_frame(session, world.boundaries[-1])
    out = {}
    for e in estimate_reviews(reviews)["months"]:
        out[e.period] = {
            "estimated_recall": e.recall_at_capacity.value,
            "estimated_recall_ci": _interval(e.recall_at_capacity),
            "estimated_prevalence": e.prevalence.value,
            "estimated_prevalence_ci": _interval(e.prevalence),
        }
    return out
