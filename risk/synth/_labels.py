"""Outcomes: who was investigated, what was confirmed, and when it became known.

The past investigated unevenly: the old checklist (earlier overstay, a failed MRZ check
digit, a high tamper score), intelligence that favoured some nationalities, referrals and
a small random sample.  Violations are confirmed only among investigated cases, with a
detection rate below one, and labels arrive weeks to months after submission.
"""

from __future__ import annotations

import numpy as np

from ._reference import CODES

#: Relative intelligence attention by nationality (historical bias; 1.0 elsewhere).
INTELLIGENCE_BIAS = {
    "NGA": 6.0,
    "PAK": 4.0,
    "BGD": 4.0,
    "IRN": 3.0,
    "EGY": 2.5,
    "IND": 2.5,
    "CHN": 2.0,
    "VNM": 2.0,
    "RUS": 2.0,
    "MMR": 2.0,
    "PHL": 1.8,
    "KHM": 1.5,
    "LAO": 1.5,
    "TUR": 1.5,
    "UKR": 1.5,
    "AUS": 0.4,
    "NZL": 0.4,
    "SGP": 0.4,
    "JPN": 0.4,
    "KOR": 0.5,
    "GBR": 0.5,
    "USA": 0.5,
    "DEU": 0.5,
    "FRA": 0.5,
    "NLD": 0.5,
    "CHE": 0.4,
    "SWE": 0.4,
    "CAN": 0.5,
}
#: Share of true violations an investigation confirms, by type (the rest are missed).
DETECTION = {"overstay": 0.7, "document_fraud": 0.8, "misrepresentation": 0.6}
TYPES = ("overstay", "document_fraud", "misrepresentation")
TRIGGERS = ("checklist", "intelligence", "random", "referral")
_DAY = 86400


def investigate(rng: np.random.Generator, x: dict) -> dict:
    """Who was investigated, why, and which true violations the investigation found.

    ``x`` holds per-application arrays: ``nat``, ``prior_overstay``, ``mrz_fail``,
    ``tamper``, ``thin_funds``, ``ring`` and the truth (``overstay``, ``document_fraud``,
    ``misrepresentation``, ``any``).
    """
    n = len(x["nat"])
    bias = np.array([INTELLIGENCE_BIAS.get(c, 1.0) for c in CODES])[x["nat"]]
    checklist = (x["prior_overstay"] > 0) | x["mrz_fail"] | (np.nan_to_num(x["tamper"]) > 0.7)
    hits = np.column_stack(
        [
            checklist & (rng.random(n) < 0.75),
            rng.random(n) < 0.02 * bias + 0.25 * (x["ring"] >= 0),
            rng.random(n) < 0.01,
            rng.random(n) < 0.008 + 0.08 * x["any"] + 0.02 * x["thin_funds"],
        ]
    )
    investigated = hits.any(axis=1)
    trigger = np.where(investigated, np.argmax(hits, axis=1), -1)
    detected = {t: investigated & x[t] & (rng.random(n) < DETECTION[t]) for t in TYPES}
    false_alarm = investigated & ~x["any"] & (rng.random(n) < 0.003)
    detected["misrepresentation"] = detected["misrepresentation"] | false_alarm
    return {"investigated": investigated, "trigger": trigger, "detected": detected}


def known_at(
    rng: np.random.Generator, submitted: np.ndarray, end: np.ndarray, detected: dict
) -> np.ndarray:
    """Seconds at which each outcome became known: overstays only once the stay is over.

    ``end`` is when the authorised stay ended (seconds): an overstay is known some weeks
    after it, once no exit has been recorded.
    """
    n = len(submitted)
    negative = rng.uniform(20, 120, n) * _DAY
    doc = rng.uniform(10, 60, n) * _DAY
    misrep = rng.uniform(30, 180, n) * _DAY
    overstay = np.maximum(end - submitted, 0) + rng.uniform(14, 90, n) * _DAY
    lag = np.where(detected["document_fraud"], doc, 0.0)
    lag = np.maximum(lag, np.where(detected["misrepresentation"], misrep, 0.0))
    lag = np.maximum(lag, np.where(detected["overstay"], overstay, 0.0))
    return submitted + np.where(lag > 0, lag, negative).astype(np.int64)
