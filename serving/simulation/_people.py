"""The simulated people: what officers find, when overstays show, who complains, who rates.

Every draw for an application comes from its own random stream (the seed and the
application id), so two arms of one simulation that review the same case find the same
thing, and a difference between the arms is the model's, not the dice's.

The rates are assumptions, stated here once.  Officers confirm a true violation at the
world's own detection rates (those of its historical investigations): missed violations
exist.  A review can establish document fraud and misrepresentation; an overstay can only
show once the authorised stay has ended without an exit, weeks to months later (the
world's own rule), and then amends the decision.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from risk.synth import DETECTION

__all__ = ["Finding", "FollowUp", "PeopleRates", "draw_finding", "draw_follow_up"]


@dataclass(frozen=True)
class PeopleRates:
    """The simulated people's rates (assumptions, reported with the figures).

    Attributes
    ----------
    detection
        Share of true violations a review confirms, by type (the world's rates).
    false_finding
        Share of non-violators wrongly found to misrepresent (the world's false alarms).
    unsure
        Share of reviews that find nothing and close as insufficient evidence.
    complaint_after_violation, complaint_otherwise
        Share of decided cases whose applicant complains.
    rating
        Share of decided cases whose applicant rates the service.
    answer_days
        Range of days a handler takes to answer a complaint (the service level is 14).
    """

    detection: tuple[tuple[str, float], ...] = tuple(sorted(DETECTION.items()))
    false_finding: float = 0.003
    unsure: float = 0.1
    complaint_after_violation: float = 0.10
    complaint_otherwise: float = 0.02
    rating: float = 0.25
    answer_days: tuple[float, float] = (1.0, 17.0)


#: Rating probabilities (1 to 5) after a confirmed violation and after anything else.
_RATINGS = {
    True: (0.35, 0.25, 0.2, 0.12, 0.08),
    False: (0.04, 0.06, 0.15, 0.35, 0.40),
}
_OTHER_CATEGORIES = ("conduct", "data_accuracy", "other")


@dataclass(frozen=True)
class Finding:
    """What a review establishes at decision time, and what shows later."""

    outcome: str
    types: tuple[str, ...]
    overstay_known_at: dt.datetime | None


@dataclass(frozen=True)
class FollowUp:
    """An applicant's reaction to a decision: a complaint and/or a rating."""

    complaint_at: dt.datetime | None
    category: str
    answer_after: dt.timedelta
    rating_at: dt.datetime | None
    rating: int


def _stream(seed: int, application_id: str, purpose: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(application_id.encode()), purpose])


def draw_finding(
    seed: int, application: dict, truth: dict, rates: PeopleRates = PeopleRates()
) -> Finding:
    """The review's finding for one application, from the world's truth.

    Parameters
    ----------
    application
        The contract row (``application_id``, ``submitted_at``, ``intended_stay_days``).
    truth
        ``overstay``, ``document_fraud``, ``misrepresentation`` (booleans).
    """
    rng = _stream(seed, application["application_id"], 1)
    u = dict(
        zip(("overstay", "document_fraud", "misrepresentation", "x"), rng.random(4), strict=True)
    )
    detection = dict(rates.detection)
    found = [t for t in ("document_fraud", "misrepresentation") if truth[t] and u[t] < detection[t]]
    violator = truth["overstay"] or truth["document_fraud"] or truth["misrepresentation"]
    if not violator and u["x"] < rates.false_finding:
        found = ["misrepresentation"]
    known = None
    if truth["overstay"] and u["overstay"] < detection["overstay"]:
        stay = dt.timedelta(days=int(application["intended_stay_days"] or 0))
        known = application["submitted_at"] + stay + dt.timedelta(days=14 + 76 * rng.random())
    if found:
        outcome = "violation_confirmed"
    elif rng.random() < rates.unsure:
        outcome = "insufficient_evidence"
    else:
        outcome = "no_violation"
    return Finding(outcome, tuple(sorted(found)), known)


def draw_follow_up(
    seed: int,
    application_id: str,
    decided_at: dt.datetime,
    confirmed: bool,
    waited: dt.timedelta,
    sla: dt.timedelta,
    rates: PeopleRates = PeopleRates(),
) -> FollowUp:
    """Whether and when the applicant complains about, and rates, a decision."""
    rng = _stream(seed, application_id, 2)
    u = rng.random(6)
    p = rates.complaint_after_violation if confirmed else rates.complaint_otherwise
    complaint_at = decided_at + dt.timedelta(days=1 + 20 * u[1]) if u[0] < p else None
    if confirmed:
        category = "decision"
    elif waited > sla:
        category = "delay"
    else:
        category = _OTHER_CATEGORIES[int(u[2] * len(_OTHER_CATEGORIES))]
    lo, hi = rates.answer_days
    rating_at = decided_at + dt.timedelta(days=10 * u[4]) if u[3] < rates.rating else None
    rating = int(np.searchsorted(np.cumsum(_RATINGS[confirmed]), u[5], side="right")) + 1
    return FollowUp(
        complaint_at,
        category,
        dt.timedelta(days=lo + (hi - lo) * rng.random()),
        rating_at,
        min(rating, 5),
    )
