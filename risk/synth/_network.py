"""Agents, contact details and fraud rings.

Legitimate agents serve one country of residence (a deliberate proxy for nationality).
Fraud rings share agents and contact details (phones, e-mails, addresses, bank accounts)
across many unrelated applicants of varied nationalities: the misrepresentation mechanism.
"""

from __future__ import annotations

import numpy as np

from ._common import hex_hash, pick
from ._reference import COUNTRIES

_RING_BASE = 1 << 40
_NEW_CONTACT_BASE = 1 << 36
SALTS = {"phone": 0x1F0E, "email": 0x2E3D, "address": 0x3C4B, "bank": 0x4A59}


def agents(rng: np.random.Generator, res: np.ndarray, channel: np.ndarray, visa: np.ndarray):
    """Agent number of each application (-1: none) and a flag of shady agents.

    Returns
    -------
    (agent, shady, n_agents)
    """
    n = len(res)
    k = len(COUNTRIES)
    per_country = np.maximum(1, np.round(np.bincount(res, minlength=k) / 250)).astype(np.int64)
    offset = np.concatenate([[0], np.cumsum(per_country)[:-1]])
    rank = np.minimum(
        (per_country[res] * rng.random(n) ** 2.0).astype(np.int64), per_country[res] - 1
    )
    agent = offset[res] + rank
    p_use = np.where(np.isin(visa, (2, 3, 5, 6)), 0.6, 0.3)
    uses = (channel != 0) & (rng.random(n) < p_use)
    n_agents = int(per_country.sum())
    shady = rng.random(n_agents) < 0.04
    return np.where(uses, agent, -1), shady, n_agents


def rings(rng: np.random.Generator, eligible: np.ndarray, share: float, first_agent: int):
    """Choose fraud-ring members among ``eligible`` applications.

    Returns
    -------
    ring : ndarray
        Ring number of each application (-1: not a member).
    ring_agent : ndarray
        Agent number of each ring.
    """
    n = len(eligible)
    candidates = np.flatnonzero(eligible)
    members = max(2, round(share * n))
    members = min(members, len(candidates))
    chosen = rng.choice(candidates, size=members, replace=False)
    n_rings = max(2, members // 70)
    ring = np.full(n, -1, dtype=np.int64)
    ring[chosen] = pick(rng, members, rng.dirichlet(np.full(n_rings, 2.0)))
    ring_agent = first_agent + np.arange(n_rings)
    return ring, ring_agent


def contacts(
    rng: np.random.Generator,
    p: dict,
    person: np.ndarray,
    seq: np.ndarray,
    ring: np.ndarray,
    seed: int,
) -> dict:
    """The four contact hashes of each application (``None`` where missing)."""
    n = len(person)
    idx = np.arange(n, dtype=np.int64)
    new_phone = (seq > 0) & (rng.random(n) < 0.08)
    new_email = (seq > 0) & (rng.random(n) < 0.05)
    ids = {
        "phone": np.where(new_phone, _NEW_CONTACT_BASE + idx, person),
        "email": np.where(new_email, _NEW_CONTACT_BASE + idx, person),
        "address": p["household"][person].astype(np.int64),
        "bank": person.astype(np.int64),
    }
    missing = {
        "phone": p["phone_missing"][person],
        "email": p["email_missing"][person],
        "address": np.zeros(n, dtype=bool),
        "bank": p["bank_missing"][person],
    }
    # Ring members reuse a small pool of the ring's details.
    member = ring >= 0
    for j, (field, (pool, p_use)) in enumerate(
        {"phone": (3, 0.7), "email": (3, 0.6), "address": (2, 0.5), "bank": (2, 0.55)}.items()
    ):
        use = member & (rng.random(n) < p_use)
        slot = rng.integers(0, pool, n)
        ids[field] = np.where(use, _RING_BASE + ring * 64 + j * 8 + slot, ids[field])
        missing[field] = np.where(use, False, missing[field])
    out = {}
    for field, values in ids.items():
        series = hex_hash(values.astype(np.uint64), SALTS[field] ^ (seed * 0x9E37), field)
        out[field] = (
            series.scatter(np.flatnonzero(missing[field]), None) if missing[field].any() else series
        )
    return out
