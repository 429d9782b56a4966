"""Applicant signals: what the application itself declares.

Nationality, sex, birth date and marital status are protected and never read
here; residence country and place of application are left out too, because
they stand in for nationality.
"""

from __future__ import annotations

import polars as pl

from risk.contract import PURPOSES, VISA_TYPES

from ._derive import Derivation, col
from ._family import Family

__all__ = [
    "FAMILY",
    "STAY_NORMS",
    "employment_tenure_months",
    "has_agent",
    "has_sponsor",
    "intended_stay_days",
    "purpose",
    "stay_vs_norm_ratio",
    "visa_type",
]

#: The applicant family: what the application itself declares.
FAMILY = Family("applicant", owner="applicant-analytics")
_declare = FAMILY.feature

#: Usual length of stay in days per visa type: a fixed, declared policy table (not learnt
#: from data), so a single application and a batch get the same ratio.
STAY_NORMS: dict[str, int] = {
    "visit": 30,
    "business": 30,
    "work": 365,
    "study": 365,
    "family": 180,
    "retirement": 365,
    "second_home": 1825,
}


@_declare(
    kind="categorical",
    categories=VISA_TYPES,
    description="Visa or permit applied for",
    purpose="Violation patterns differ between visit, work, study and other visas",
    reason_en="Visa type applied for: {value}",
    reason_id="Jenis visa yang dimohon: {value}",
    inputs=("visa_type",),
)
def visa_type() -> Derivation:
    return col("visa_type")


@_declare(
    kind="categorical",
    categories=PURPOSES,
    description="Declared purpose of the stay",
    purpose="Some purposes are more often used to cover unauthorised work",
    reason_en="Declared purpose of stay: {value}",
    reason_id="Tujuan tinggal yang dinyatakan: {value}",
    inputs=("purpose",),
)
def purpose() -> Derivation:
    return col("purpose")


@_declare(
    kind="numeric",
    dtype=pl.Int32,
    unit="days",
    description="Declared length of stay",
    purpose="Long declared stays carry more room for overstay",
    reason_en="Intended stay of {value:.0f} {unit}",
    reason_id="Rencana tinggal {value:.0f} hari",
    inputs=("intended_stay_days",),
)
def intended_stay_days() -> Derivation:
    return col("intended_stay_days")


@_declare(
    kind="numeric",
    unit="ratio",
    description="Declared stay divided by the usual stay for the visa type (fixed table)",
    purpose="A stay far longer than usual for the visa type can signal a different intent",
    reason_en="Intended stay is {value:.1f} times the usual stay for this visa type",
    reason_id="Rencana tinggal {value:.1f} kali lama tinggal biasa untuk jenis visa ini",
    inputs=("intended_stay_days", "visa_type"),
)
def stay_vs_norm_ratio() -> Derivation:
    norm = col("visa_type").lookup({visa: float(days) for visa, days in STAY_NORMS.items()})
    return col("intended_stay_days") / norm


@_declare(
    kind="numeric",
    dtype=pl.Int32,
    unit="months",
    description="Months with the current employer",
    purpose="Stable employment at home is a reason to return on time",
    reason_en="Employment tenure of {value:.0f} {unit}",
    reason_id="Masa kerja {value:.0f} bulan",
    missing_en="No employment tenure declared",
    missing_id="Masa kerja tidak dinyatakan",
    inputs=("employment_tenure_months",),
)
def employment_tenure_months() -> Derivation:
    return col("employment_tenure_months")


@_declare(
    kind="boolean",
    description="Whether an agent or representative lodged the application",
    purpose="Some agents front organised misrepresentation; see also the network signals",
    reason_en={True: "Lodged through an agent", False: "Lodged without an agent"},
    reason_id={True: "Diajukan melalui agen", False: "Diajukan tanpa agen"},
    inputs=("agent_id",),
)
def has_agent() -> Derivation:
    return col("agent_id").is_not_null()


@_declare(
    kind="boolean",
    description="Whether a sponsor or employer backs the application",
    purpose="A registered sponsor shares responsibility for the stay",
    reason_en={True: "Backed by a sponsor", False: "No sponsor named"},
    reason_id={True: "Didukung oleh sponsor", False: "Tidak ada sponsor"},
    inputs=("sponsor_id",),
)
def has_sponsor() -> Derivation:
    return col("sponsor_id").is_not_null()
