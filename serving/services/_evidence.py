"""What a risk band means, in observed terms: how often its cases were confirmed.

A calibrated probability such as 43.8% reads like a coin flip; what an officer can
use is the band's record: of the cases the model placed in this band, how many were
confirmed violations, with a 95% interval, and how that compares with the average.
The record pools the model's validation split (kept in its bundle) with the cases
decided here under the same model version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from scipy.stats import binomtest
from sqlalchemy.orm import Session

from models import Bundle
from serving.store import Case, Decision, Score

from ._aggregates import standing_decision

__all__ = ["BandRecord", "band_record", "live_band_counts", "score_band_record"]


@dataclass(frozen=True)
class BandRecord:
    """A band's confirmation record.

    Attributes
    ----------
    band
        ``low``, ``medium`` or ``high``.
    cases, confirmed
        Pooled counts: validation rows plus decided cases in the band.
    validation_cases, live_cases
        Where ``cases`` came from.
    rate, low, high
        ``confirmed / cases`` and its 95% Wilson interval (``None`` without cases).
    average
        The confirmation rate over every band (validation split when the bundle has
        one, since it covers all applications; else the decided cases).
    relative
        ``rate / average`` (``None`` when either is missing or the average is 0).
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


def live_band_counts(session: Session, model_version: str) -> dict[str, tuple[int, int]]:
    """Per band, (decided cases, confirmed violations) under ``model_version``.

    Only each case's current decision counts (an amendment replaces what it amends).
    """
    confirmed = sa.func.sum(sa.case((Decision.outcome == "violation_confirmed", 1), else_=0))
    rows = session.execute(
        sa.select(Score.band, sa.func.count(), confirmed)
        .join(Case, Case.score_id == Score.score_id)
        .join(Decision, Decision.case_id == Case.case_id)
        .where(Score.model_version == model_version, standing_decision())
        .group_by(Score.band)
    )
    return {band: (int(n), int(k or 0)) for band, n, k in rows}


def _wilson(k: int, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def band_record(
    session: Session, band: str, model_version: str, validation: dict[str, Any] | None
) -> BandRecord:
    """The record of ``band`` for scores of ``model_version``.

    Parameters
    ----------
    validation
        The bundle's ``band_evidence`` (band -> ``{"cases", "confirmed"}``) when the
        loaded bundle is the one that scored the case; ``None`` otherwise.
    """
    live = live_band_counts(session, model_version)
    val = validation or {}
    v_n, v_k = (int(val.get(band, {}).get(key, 0)) for key in ("cases", "confirmed"))
    l_n, l_k = live.get(band, (0, 0))
    n, k = v_n + l_n, v_k + l_k
    source = (
        [(int(c["cases"]), int(c["confirmed"])) for c in val.values()] if val else live.values()
    )
    total_n, total_k = sum(c[0] for c in source), sum(c[1] for c in source)
    rate = k / n if n else None
    average = total_k / total_n if total_n else None
    low, high = _wilson(k, n)
    relative = rate / average if rate is not None and average else None
    return BandRecord(band, n, k, v_n, l_n, rate, low, high, average, relative)


def score_band_record(session: Session, score: Score, bundle: Bundle | None) -> BandRecord:
    """The record of the band ``score`` fell in.

    The validation part comes from ``bundle`` only when it is the model that made the
    score (bands differ between models); otherwise only decided cases count.
    """
    same = bundle is not None and bundle.version == score.model_version
    validation = bundle.meta.get("band_evidence") if same else None
    return band_record(session, score.band, score.model_version, validation)
