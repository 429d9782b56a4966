"""Assemble the synthetic world: every stage in causal order, then the contract tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from . import _decisions, _documents, _history, _labels, _network, _people, _sponsors
from ._applications import details, schedule
from ._common import streams
from ._names import names
from ._violations import RING_SHARE, signals, truth

#: Progress steps reported by :func:`generate_world` (and then by ``synthesize``).
STEPS = (
    "people",
    "applications",
    "sponsors",
    "history",
    "networks",
    "violations",
    "documents",
    "outcomes",
    "decisions",
    "tables",
)
_DAY = 86400


@dataclass(frozen=True)
class World:
    """The generated tables (contract order and types) and generation details.

    ``fraud_kinds`` names the forgery kind of each application's primary document
    (``risk.synth.FRAUD_KINDS``); like ``truth`` it is for evaluation and tests only.
    """

    tables: dict[str, pl.DataFrame]
    fraud_kinds: pl.DataFrame
    snapshot: dt.datetime


def generate_world(
    n: int, seed: int, *, start: dt.date, years: int, progress: Callable[[str], None] | None = None
) -> World:
    """Generate a world of ``n`` applications in memory (see :func:`risk.synth.synthesize`)."""
    step = progress or (lambda name: None)
    rng = streams(seed)
    days = (dt.date(start.year + years, start.month, start.day) - start).days
    t0 = np.datetime64(start, "D")

    step("people")
    counts = _people.applicant_counts(rng["people"], n)
    p = _people.people(rng["people"], len(counts), t0)
    p["surname"], p["given"], p["given2"] = names(rng["people"], p["nat"], p["sex"])

    step("applications")
    person, seconds, seq = schedule(rng["applications"], p, counts, start, days)
    a = details(rng["applications"], p, person, seq)
    day = t0 + seconds // _DAY
    first_day = day[np.concatenate([[0], np.cumsum(counts)[:-1]])]
    a |= {
        "person": person,
        "seconds": seconds,
        "seq": seq,
        "day": day,
        "app": np.arange(n),
        "first_day": first_day[person],
    }
    for key in (
        "nat",
        "res",
        "city",
        "child",
        "occ_kind",
        "z",
        "z_doc",
        "birth",
        "sex",
        "surname",
        "given",
        "given2",
        "marital",
        "occupation",
    ):
        a[key] = p[key][person]
    months = (day - first_day[person]).astype(np.int64) // 30
    a["tenure"] = np.minimum(p["tenure"][person] + months, 720)

    step("sponsors")
    a["sponsor"], reg = _sponsors.assign(rng["sponsors"], a["visa"], day, t0, t0 + days)

    step("history")
    hist = _history.before_window(rng["history"], p, first_day)
    a["prior_overstays"] = hist["prior_overstays"][person]
    a["prior_trips"] = np.bincount(hist["trips"]["owner"], minlength=len(counts))[person]

    step("networks")
    agent, shady, n_agents = _network.agents(rng["rings"], a["res"], a["channel"], a["visa"])
    eligible = ~a["child"] & np.isin(a["visa"], (0, 1, 2, 4))
    a["ring"], ring_agent = _network.rings(rng["rings"], eligible, RING_SHARE, n_agents)
    use_ring_agent = (a["ring"] >= 0) & (rng["rings"].random(n) < 0.85)
    a["agent"] = np.where(use_ring_agent, ring_agent[np.maximum(a["ring"], 0)], agent)
    a["shady_agent"] = np.where(agent >= 0, shady[np.maximum(agent, 0)], False).astype(float)
    contacts = _network.contacts(rng["rings"], p, person, seq, a["ring"], seed)

    step("violations")
    sig = signals(a, reg)
    t = truth(rng["violations"], a, sig)
    a["document_fraud"] = t["document_fraud"]

    step("documents")
    docs, kinds = _documents_table(rng["documents"], a, seed)

    step("outcomes")
    primary_tamper = docs.filter(pl.col("_order") == 0).sort("_app")["tamper_score"].to_numpy()
    x = {
        "nat": a["nat"],
        "prior_overstay": a["prior_overstays"],
        "mrz_fail": kinds == 1,
        "tamper": primary_tamper,
        "thin_funds": sig["thin_funds"],
        "ring": a["ring"],
        **t,
    }
    inv = _labels.investigate(rng["labels"], x)
    det = inv["detected"]

    step("decisions")
    label_seed = np.random.SeedSequence([seed, 0x1ABE1])
    no_overstay = {**det, "overstay": np.zeros(n, dtype=bool)}
    early = _labels.known_at(_gen(label_seed), seconds, seconds, no_overstay)
    dx = {
        "day": day,
        "voa": a["channel"] == 0,
        "thin_funds": sig["thin_funds"],
        "prior_overstay": sig["prior_overstay"],
        "visa": a["visa"],
        "stay": a["stay"],
        "caught_day": t0 + early // _DAY,
    }
    decision = _decisions.decide(rng["decisions"], dx, det)
    trip = _decisions.trips(rng["decisions"], dx, decision, t["overstay"])
    a["port"] = _history.ports(rng["decisions"], a["nat"])
    entered = trip["travel"] & (trip["entry"] < t0 + days)
    det["overstay"] = det["overstay"] & entered
    exit_seconds = (trip["exit"] - t0).astype(np.int64) * _DAY
    known = _labels.known_at(_gen(label_seed), seconds, exit_seconds, det)

    step("tables")
    from ._tables import assemble

    tables, app_id = assemble(t0, days, a, reg, hist, contacts, docs, inv, known, decision, trip, t)
    fraud = pl.DataFrame(
        {
            "application_id": app_id,
            "fraud_kind": np.array(_documents.FRAUD_KINDS)[kinds],
        }
    )
    return World(
        tables=tables,
        fraud_kinds=fraud,
        snapshot=dt.datetime.combine(start, dt.time()) + dt.timedelta(days=days),
    )


def _gen(seq: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seq))


def _documents_table(rng: np.random.Generator, a: dict, seed: int):
    frame, kinds = _documents.primary(rng, a, seed)
    parts = [frame]
    permit = (a["res"] != a["nat"]) & (rng.random(len(a["day"])) < 0.8)
    if permit.any():
        parts.append(_documents.permits(rng, _subset(a, permit), seed))
    long_stay = np.isin(a["visa"], (2, 3, 4, 5, 6))
    u = rng.random(len(a["day"]))
    visa = (a["seq"] > 0) & np.where(long_stay, u < 0.7, u < 0.15)
    if visa.any():
        parts.append(_documents.visas(rng, _subset(a, visa), seed, long_stay[visa]))
    return pl.concat(parts, how="vertical_relaxed"), kinds


def _subset(a: dict, mask: np.ndarray) -> dict:
    return {
        k: (v[mask] if isinstance(v, np.ndarray) and v.shape[:1] == mask.shape else v)
        for k, v in a.items()
    }


__all__ = ["STEPS", "World", "generate_world"]
