"""Decisions on the window's applications, and the trips that follow a grant.

Decisions come after submission (point-in-time logic matters): a feature computed for an
application may only use decisions taken before it arrived.
"""

from __future__ import annotations

import numpy as np

from ._common import pick
from ._reference import REFUSAL_REASONS

_R = {name: i for i, name in enumerate(REFUSAL_REASONS)}


def decide(rng: np.random.Generator, x: dict, detected: dict) -> dict:
    """Outcome (0 granted, 1 refused, 2 withdrawn), reason code and decision day."""
    n = len(x["day"])
    processing = np.where(x["voa"], 0, rng.integers(2, 22, n))
    decided = x["day"] + processing
    caught = detected["document_fraud"] | detected["misrepresentation"]
    base = rng.random(n) < 0.02 + 0.05 * x["thin_funds"] + 0.04 * x["prior_overstay"]
    withdrawn = ~caught & ~base & (rng.random(n) < 0.01)
    outcome = np.where(caught | base, 1, np.where(withdrawn, 2, 0))
    reason = np.where(
        x["thin_funds"] > 0,
        _R["insufficient_funds"],
        np.array([_R["purpose_not_credible"], _R["incomplete_application"]])[
            pick(rng, n, np.array([0.5, 0.5]))
        ],
    )
    reason = np.where(x["prior_overstay"] > 0, _R["prior_overstay"], reason)
    reason = np.where(detected["misrepresentation"], _R["misrepresentation"], reason)
    reason = np.where(detected["document_fraud"], _R["document_irregularity"], reason)
    reason = np.where(outcome == 1, reason, -1)
    decided = np.where(caught, np.maximum(decided, x["caught_day"]), decided)
    return {"outcome": outcome, "reason": reason, "decided": decided}


def trips(rng: np.random.Generator, x: dict, decision: dict, overstay: np.ndarray) -> dict:
    """Trips after granted applications; overstayers leave after their authorised stay."""
    n = len(x["day"])
    travel = (decision["outcome"] == 0) & (rng.random(n) < 0.95)
    entry = np.where(x["voa"], x["day"], decision["decided"] + rng.integers(1, 30, n))
    short = np.where(x["voa"], 30, 60)
    authorised = np.where(np.isin(x["visa"], (0, 1)), short, x["stay"])
    until = entry + authorised - 1
    stay = np.clip(np.minimum(x["stay"], authorised) - rng.integers(0, 4, n), 1, None)
    over_days = np.clip(rng.lognormal(np.log(25), 1.0, n), 1, 700).astype(np.int64)
    exit_ = np.where(overstay, until + over_days, entry + stay)
    # Someone still in the country does not enter again (the new grant extends the stay).
    travel &= entry > _previous_exit(x["person"], travel, exit_)
    return {"travel": travel, "entry": entry, "until": until, "exit": exit_}


def _previous_exit(person: np.ndarray, travel: np.ndarray, exit_: np.ndarray) -> np.ndarray:
    """Latest exit among the same person's earlier trips (applications sorted by person)."""
    big = np.int64(1_000_000)  # larger than any range of day numbers
    days = exit_.astype("datetime64[D]").astype(np.int64)
    key = person.astype(np.int64) * big + np.where(travel, days, -500_000)
    running = np.maximum.accumulate(key) - person.astype(np.int64) * big
    previous = np.concatenate([[-500_000], running[:-1]])
    same = np.concatenate([[False], person[1:] == person[:-1]])
    return (np.where(same, previous, -500_000)).astype("datetime64[D]")
