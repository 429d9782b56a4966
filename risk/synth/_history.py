"""Travel history and prior decisions: before the window, and as the window unfolds."""

from __future__ import annotations

import numpy as np

from ._common import pick, sigmoid
from ._reference import CODES, PORTS

_TRIPS_PER_PROFILE = np.array([0.9, 2.5, 1.0, 0.3, 1.2, 1.5, 2.0])
_FREQUENT = ("MYS", "SGP", "TLS", "AUS")
# Refusal reasons: shares for refusals before the window.
_REASON_P = np.array([0.3, 0.1, 0.1, 0.2, 0.2, 0.05, 0.05])


def ports(rng: np.random.Generator, nat: np.ndarray) -> np.ndarray:
    """Port of entry (code into ``PORTS``): Batam for SGP and MYS, the land border for TLS."""
    w = np.tile(np.array([p[1] for p in PORTS]), (len(nat), 1))
    code = CODES[nat]
    w[np.isin(code, ("SGP", "MYS")), 2] *= 6
    w[code == "TLS", 6] *= 40
    w[code != "TLS", 6] = 0.0
    w[code == "AUS", 0] *= 2
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    idx = np.minimum((rng.random(len(nat))[:, None] > cum).sum(axis=1), len(PORTS) - 1)
    return idx


def before_window(rng: np.random.Generator, p: dict, first_day: np.ndarray) -> dict:
    """Trips and decisions of each applicant before their first application in the window.

    ``first_day`` is the date of each applicant's first application.  Returns trip and
    decision columns plus, per applicant, the number of earlier overstays and refusals.
    """
    k = len(first_day)
    trips, over = _trips(rng, p, first_day)
    m = len(trips["owner"])
    applied = trips["entry"] - rng.integers(3, 40, m)
    granted = {
        "owner": trips["owner"],
        "applied": applied,
        "decided": np.minimum(applied + rng.integers(0, 10, m), trips["entry"]),
        "visa": trips["visa"],
        "outcome": np.zeros(m, dtype=np.int64),
        "reason": np.full(m, -1),
    }
    refused = _refusals(rng, p, first_day)
    return {
        "trips": trips,
        "decisions": {key: np.concatenate([granted[key], refused[key]]) for key in granted},
        "prior_overstays": np.bincount(trips["owner"][over], minlength=k),
        "prior_refusals": np.bincount(refused["owner"], minlength=k),
    }


def _trips(rng: np.random.Generator, p: dict, first_day: np.ndarray):
    """Earlier trips, one after another (never overlapping), ending before the first application."""
    k = len(first_day)
    lam = _TRIPS_PER_PROFILE[p["profile"]] * np.where(np.isin(CODES[p["nat"]], _FREQUENT), 1.6, 1)
    n_trips = np.minimum(rng.poisson(lam), 10)
    owner = np.repeat(np.arange(k), n_trips)
    m = len(owner)
    weak = (p["occ_kind"][owner] == 2).astype(float)
    long_stay = np.isin(p["profile"][owner], (2, 3, 4, 5, 6)) & (rng.random(m) < 0.3)
    authorised = np.where(long_stay, 365, np.where(rng.random(m) < 0.6, 30, 60))
    stay = np.minimum(np.round(rng.lognormal(np.log(10), 0.6, m)), authorised - 1)
    stay = np.where(long_stay, authorised - rng.integers(1, 60, m), stay).astype(np.int64)
    over = rng.random(m) < sigmoid(-4.2 + 1.2 * p["z"][owner] + 0.8 * weak)
    over_days = np.clip(rng.lognormal(np.log(20), 1.0, m), 1, 500).astype(np.int64)
    # Going back in time from the first application: each trip starts a gap before the next.
    gap = authorised + np.where(over, over_days, 0) + 30 + rng.integers(0, 500, m)
    total = np.cumsum(gap)
    starts = (np.cumsum(n_trips) - n_trips)[n_trips > 0]
    before_block = np.repeat(total[starts] - gap[starts], n_trips[n_trips > 0])
    entry = first_day[owner] - 45 - (total - before_block)
    until = entry + authorised - 1
    visa = np.where(long_stay, p["profile"][owner], np.where(rng.random(m) < 0.15, 1, 0))
    trips = {
        "owner": owner,
        "entry": entry,
        "until": until,
        "exit": np.where(over, until + over_days, entry + stay),
        "visa": visa,
        "port": ports(rng, p["nat"][owner]),
    }
    # Nobody travelled alone before 16, and records go back twenty years at most.
    keep = entry >= _earliest(p, first_day)[owner]
    return {key: value[keep] for key, value in trips.items()}, over[keep]


def _earliest(p: dict, first_day: np.ndarray) -> np.ndarray:
    """The first day a person's own travel record can start."""
    sixteen = p["birth"].astype("datetime64[D]") + int(16 * 365.25)
    return np.maximum(sixteen, first_day - int(20 * 365.25))


def _refusals(rng, p, first_day):
    k = len(first_day)
    weak = (p["occ_kind"] == 2).astype(float)
    count = rng.poisson(0.05 + 0.25 * weak + 0.3 * (p["z"] > 1.5))
    withdrawn = rng.poisson(0.03, k)
    total = count + withdrawn
    owner = np.repeat(np.arange(k), total)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(total) - total, total)
    is_refusal = position < np.repeat(count, total)
    m = len(owner)
    applied = first_day[owner] - rng.integers(20, 1825, m)
    decided = applied + rng.integers(2, 30, m)
    out = {
        "owner": owner,
        "applied": applied,
        "decided": np.minimum(decided, first_day[owner] - 1),
        "visa": p["profile"][owner],
        "outcome": np.where(is_refusal, 1, 2),
        "reason": np.where(is_refusal, pick(rng, m, _REASON_P), -1),
    }
    keep = applied >= _earliest(p, first_day)[owner]
    return {key: value[keep] for key, value in out.items()}
