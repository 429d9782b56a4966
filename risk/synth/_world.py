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
from ._drift import DriftScenario, apply_drift
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
    n: int,
    seed: int,
    *,
    start: dt.date,
    years: int,
    progress: Callable[[str], None] | None = None,
    drift: DriftScenario | None = None,
) -> World:
    """Generate a world of ``n`` applications in memory.

    Stages run in causal order (people, applications, sponsors, history, networks,
    violations, documents, outcomes, decisions); each draws from its own random stream, so
    a change in one stage does not shift the others.

    Parameters
    ----------
    n, seed
        Number of applications and random seed.
    start, years
        First day of the window and its length; the snapshot is the window's end.
    progress
        Called with each step's name as it starts (:data:`STEPS`).
    drift
        A drift scenario applied from its start day (see :mod:`risk.synth._drift`);
        without one the world is exactly what the generator always made.

    Returns
    -------
    World
        The contract tables and ``truth``, the forgery kind of each primary document, and
        the snapshot time.  :func:`risk.synth.synthesize` writes the same tables to disk.
    """
    step = progress or (lambda name: None)
    days = (_years_later(start, years) - start).days
    w = {
        "n": n,
        "seed": seed,
        "rng": streams(seed),
        "start": start,
        "days": days,
        "t0": np.datetime64(start, "D"),
    }
    for name, stage in zip(STEPS[:-1], _STAGES, strict=True):
        step(name)
        stage(w)
    step("tables")
    from ._tables import assemble

    tables, app_id = assemble(
        w["t0"],
        days,
        w["a"],
        w["reg"],
        w["hist"],
        w["contacts"],
        w["docs"],
        w["inv"],
        w["known"],
        w["decision"],
        w["trip"],
        w["truth"],
    )
    kinds = np.array(_documents.FRAUD_KINDS)[w["kinds"]]
    fraud_kinds = pl.DataFrame({"application_id": app_id, "fraud_kind": kinds})
    if drift is not None:
        tables = apply_drift(tables, fraud_kinds, drift, seed)
    return World(
        tables=tables,
        fraud_kinds=fraud_kinds,
        snapshot=dt.datetime.combine(start, dt.time()) + dt.timedelta(days=days),
    )


_PERSON_KEYS = (
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
)


def _stage_people(w: dict) -> None:
    rng = w["rng"]["people"]
    w["counts"] = _people.applicant_counts(rng, w["n"])
    p = _people.people(rng, len(w["counts"]), w["t0"])
    p["surname"], p["given"], p["given2"] = names(rng, p["nat"], p["sex"])
    w["p"] = p


def _stage_applications(w: dict) -> None:
    rng, p, counts, t0 = w["rng"]["applications"], w["p"], w["counts"], w["t0"]
    person, seconds, seq = schedule(rng, p, counts, w["start"], w["days"])
    a = details(rng, p, person, seq)
    day = t0 + seconds // _DAY
    w["first_day"] = day[np.concatenate([[0], np.cumsum(counts)[:-1]])]
    a |= {
        "person": person,
        "seconds": seconds,
        "seq": seq,
        "day": day,
        "app": np.arange(w["n"]),
        "first_day": w["first_day"][person],
    }
    a |= {key: p[key][person] for key in _PERSON_KEYS}
    months = (day - a["first_day"]).astype(np.int64) // 30
    a["tenure"] = np.minimum(p["tenure"][person] + months, 720)
    w["a"] = a


def _stage_sponsors(w: dict) -> None:
    a, t0 = w["a"], w["t0"]
    a["sponsor"], w["reg"] = _sponsors.assign(
        w["rng"]["sponsors"], a["visa"], a["day"], t0, t0 + w["days"]
    )


def _stage_history(w: dict) -> None:
    a = w["a"]
    hist = _history.before_window(w["rng"]["history"], w["p"], w["first_day"])
    a["prior_overstays"] = hist["prior_overstays"][a["person"]]
    trips = np.bincount(hist["trips"]["owner"], minlength=len(w["counts"]))
    a["prior_trips"] = trips[a["person"]]
    w["hist"] = hist


def _stage_networks(w: dict) -> None:
    a, rng = w["a"], w["rng"]["rings"]
    agent, shady, n_agents = _network.agents(rng, a["res"], a["channel"], a["visa"])
    eligible = ~a["child"] & np.isin(a["visa"], (0, 1, 2, 4))
    a["ring"], ring_agent = _network.rings(rng, eligible, RING_SHARE, n_agents)
    use_ring_agent = (a["ring"] >= 0) & (rng.random(w["n"]) < 0.85)
    agent_or_ring = np.where(use_ring_agent, ring_agent[np.maximum(a["ring"], 0)], agent)
    # Shuffle agent numbers so an id says nothing about country or ring.
    shuffle = rng.permutation(n_agents + len(ring_agent))
    a["agent"] = np.where(agent_or_ring >= 0, shuffle[np.maximum(agent_or_ring, 0)], -1)
    a["shady_agent"] = np.where(agent >= 0, shady[np.maximum(agent, 0)], False).astype(float)
    w["contacts"] = _network.contacts(rng, w["p"], a["person"], a["seq"], a["ring"], w["seed"])


def _stage_violations(w: dict) -> None:
    w["signals"] = signals(w["a"], w["reg"])
    w["truth"] = truth(w["rng"]["violations"], w["a"], w["signals"])
    w["a"]["document_fraud"] = w["truth"]["document_fraud"]


def _stage_documents(w: dict) -> None:
    w["docs"], w["kinds"] = _documents_table(w["rng"]["documents"], w["a"], w["seed"])


def _stage_outcomes(w: dict) -> None:
    a, docs = w["a"], w["docs"]
    primary_tamper = docs.filter(pl.col("_order") == 0).sort("_app")["tamper_score"].to_numpy()
    x = {
        "nat": a["nat"],
        "prior_overstay": a["prior_overstays"],
        "mrz_fail": w["kinds"] == 1,
        "tamper": primary_tamper,
        "thin_funds": w["signals"]["thin_funds"],
        "ring": a["ring"],
        **w["truth"],
    }
    w["inv"] = _labels.investigate(w["rng"]["labels"], x)


def _stage_decisions(w: dict) -> None:
    """Decisions wait for document and misrepresentation findings; overstays come later."""
    a, t0, det, rng = w["a"], w["t0"], w["inv"]["detected"], w["rng"]["decisions"]
    label_seed = np.random.SeedSequence([w["seed"], 0x1ABE1])  # same lags in both calls
    no_overstay = {**det, "overstay": np.zeros(w["n"], dtype=bool)}
    early = _labels.known_at(_gen(label_seed), a["seconds"], a["seconds"], no_overstay)
    dx = {
        "person": a["person"],
        "day": a["day"],
        "voa": a["channel"] == 0,
        "visa": a["visa"],
        "stay": a["stay"],
        "thin_funds": w["signals"]["thin_funds"],
        "prior_overstay": w["signals"]["prior_overstay"],
        "caught_day": t0 + early // _DAY,
    }
    w["decision"] = _decisions.decide(rng, dx, det)
    w["trip"] = trip = _decisions.trips(rng, dx, w["decision"], w["truth"]["overstay"])
    # Visa-on-arrival travellers enter where they got the visa.
    a["port"] = np.where(a["channel"] == 0, a["post"] - 1, _history.ports(rng, a["nat"]))
    det["overstay"] = det["overstay"] & trip["travel"] & (trip["entry"] < t0 + w["days"])
    # An overstay shows once the authorised stay has passed without an exit record.
    until_seconds = (trip["until"] - t0).astype(np.int64) * _DAY
    w["known"] = _labels.known_at(_gen(label_seed), a["seconds"], until_seconds, det)


_STAGES = (
    _stage_people,
    _stage_applications,
    _stage_sponsors,
    _stage_history,
    _stage_networks,
    _stage_violations,
    _stage_documents,
    _stage_outcomes,
    _stage_decisions,
)


def _years_later(start: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (28 February for a 29 February start)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


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
