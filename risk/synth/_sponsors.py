"""The sponsor register and which application each sponsor backs."""

from __future__ import annotations

import numpy as np

from ._common import pick_rows

# Sponsor type shares per visa type; columns follow contract.SPONSOR_TYPES
# (employer, university, family_member, tour_operator, retirement_agency, individual, none).
_TYPE_P = np.array(
    [
        [0.0, 0.0, 0.0, 0.15, 0.0, 0.05, 0.80],  # visit
        [0.65, 0.0, 0.0, 0.0, 0.0, 0.0, 0.35],  # business
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # work
        [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # study
        [0.0, 0.0, 0.7, 0.0, 0.0, 0.3, 0.0],  # family
        [0.0, 0.0, 0.0, 0.0, 0.9, 0.0, 0.1],  # retirement
        [0.0, 0.0, 0.0, 0.0, 0.3, 0.2, 0.5],  # second_home
    ]
)
# Typical applications per sponsor of each type (register size follows).
_PER_SPONSOR = np.array([12, 60, 1.5, 40, 25, 1.5])


def assign(
    rng: np.random.Generator,
    visa: np.ndarray,
    first_day: np.ndarray,
    start: np.datetime64,
    snapshot: np.datetime64,
):
    """Sponsor number of each application (-1: none) and the register as columns.

    ``first_day`` is each application's submission date; a sponsor is always registered
    before the first application it backs.
    """
    n = len(visa)
    kind = pick_rows(rng, _TYPE_P[visa])
    sponsor = np.full(n, -1, dtype=np.int64)
    kinds, offsets = [], 0
    for t in range(6):
        hit = np.flatnonzero(kind == t)
        count = max(1, round(len(hit) / _PER_SPONSOR[t])) if len(hit) else 0
        if count:
            rank = np.minimum((count * rng.random(len(hit)) ** 1.6).astype(np.int64), count - 1)
            sponsor[hit] = offsets + rank
        kinds.append(np.full(count, t))
        offsets += count
    sponsor_type = np.concatenate(kinds)
    return sponsor, _register(rng, sponsor, sponsor_type, first_day, start, snapshot)


def _register(rng, sponsor, sponsor_type, first_day, start, snapshot):
    m = len(sponsor_type)
    quality = rng.standard_normal(m)  # latent: high means sloppy or complicit
    backed = sponsor >= 0
    first_use = np.full(m, snapshot, dtype="datetime64[D]")
    np.minimum.at(first_use, sponsor[backed], first_day[backed])
    age_days = np.minimum(rng.lognormal(np.log(6 * 365), 0.8, m), 40 * 365).astype(np.int64)
    new = rng.random(m) < 0.08
    registered = np.where(new, start + rng.integers(0, 700, m), start - age_days)
    registered = np.minimum(registered, first_use - 1)
    as_of = np.maximum(registered, start)
    years = np.clip((as_of - registered).astype(np.int64) / 365.25, 0, None)
    invitations = rng.poisson(years * np.array([8, 120, 0.6, 90, 30, 0.4])[sponsor_type])
    rate = 0.01 * np.exp(0.9 * quality)
    overstays = rng.binomial(invitations, np.clip(rate, 0, 0.5))
    observed = overstays / np.maximum(invitations, 1)
    compliance = np.where(
        (observed > 0.06) | (quality > 2.2), 2, np.where((observed > 0.025) | (quality > 1.6), 1, 0)
    )
    return {
        "type": sponsor_type,
        "registered": registered,
        "as_of": as_of,
        "invitations": invitations,
        "overstays": overstays,
        "compliance": compliance,
        "observed_rate": observed,
    }
