"""The true (latent) violations, driven by observable signals, never by nationality.

- overstay: earlier overstays, weak ties (no job, short tenure), thin funds for the stay,
  a sponsor whose visitors overstayed before, plus unobserved personal propensity;
- document fraud: shady agents, thin funds, no job, no travel record, ring membership;
- misrepresentation: fraud-ring membership (rings share contact details and agents).
"""

from __future__ import annotations

import numpy as np

from ._common import calibrate_intercept, sigmoid

OVERSTAY_RATE = 0.015
DOCUMENT_FRAUD_RATE = 0.008
RING_SHARE = 0.008
# Overstay tendency by visa type: long-stay residents with ties rarely overstay.
_VISA_EFFECT = np.array([0.0, -0.5, 0.2, 0.3, 0.0, -1.0, -1.2])


def signals(a: dict, s: dict) -> dict:
    """Observable risk signals of each application (the mechanisms' inputs)."""
    sponsor = a["sponsor"]
    has = sponsor >= 0
    rate = np.where(has, s["observed_rate"][np.maximum(sponsor, 0)], 0.0)
    sanctioned = has & (s["compliance"][np.maximum(sponsor, 0)] == 2)
    tenure = a["tenure"]
    return {
        "prior_overstay": (a["prior_overstays"] > 0).astype(float),
        "no_employment": np.isin(a["occ_kind"], (2,)).astype(float),
        "short_tenure": (np.nan_to_num(tenure, nan=99) < 6).astype(float),
        "thin_funds": (a["funds"] < 40 * a["stay"]).astype(float),
        "risky_sponsor": (rate > 0.04).astype(float),
        "sanctioned_sponsor": sanctioned.astype(float),
        "no_travel_record": (a["prior_trips"] == 0).astype(float),
    }


def truth(rng: np.random.Generator, a: dict, sig: dict) -> dict:
    """Boolean arrays ``overstay``, ``document_fraud``, ``misrepresentation``, ``any``."""
    adult = ~a["child"]
    over_logit = (
        1.6 * sig["prior_overstay"]
        + 0.9 * sig["no_employment"]
        + 0.6 * sig["short_tenure"]
        + 1.0 * sig["thin_funds"]
        + 1.3 * sig["risky_sponsor"]
        + 0.6 * sig["sanctioned_sponsor"]
        + 0.6 * a["z"]
        + _VISA_EFFECT[a["visa"]]
    )
    over_logit = np.where(adult, over_logit, -50.0)
    ring = a["ring"] >= 0
    doc_logit = (
        1.6 * a["shady_agent"]
        + 0.8 * sig["thin_funds"]
        + 0.6 * sig["no_employment"]
        + 0.5 * sig["no_travel_record"]
        + 2.0 * ring
        + 0.5 * a["z_doc"]
    )
    doc_logit = np.where(adult, doc_logit, -50.0)
    over = rng.random(len(over_logit)) < sigmoid(
        calibrate_intercept(over_logit, OVERSTAY_RATE) + over_logit
    )
    doc = rng.random(len(doc_logit)) < sigmoid(
        calibrate_intercept(doc_logit, DOCUMENT_FRAUD_RATE) + doc_logit
    )
    misrep = ring & (rng.random(len(ring)) < 0.95)
    return {
        "overstay": over,
        "document_fraud": doc,
        "misrepresentation": misrep,
        "any": over | doc | misrep,
    }
