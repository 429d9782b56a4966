"""Applicant signals: what the application itself declares.

Nationality, sex, birth date and marital status are audit-only and never read
here; residence country and place of application are left out too, because
they stand in for nationality.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from risk.contract import PURPOSES, VISA_TYPES
from risk.settings import Settings

from ._registry import feature
from ._scalar import category, divide
from ._sources import Sources

if TYPE_CHECKING:
    from ._row import Lookups

__all__ = [
    "STAY_NORMS",
    "context",
    "employment_tenure_months",
    "has_agent",
    "has_sponsor",
    "intended_stay_days",
    "purpose",
    "row",
    "stay_vs_norm_ratio",
    "visa_type",
]

_OWNER = "applicant-analytics"

#: :func:`feature` with what every applicant feature declares alike.
_declare = partial(feature, group="applicant", owner=_OWNER)

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
def visa_type() -> pl.Expr:
    return pl.col("visa_type")


@_declare(
    kind="categorical",
    categories=PURPOSES,
    description="Declared purpose of the stay",
    purpose="Some purposes are more often used to cover unauthorised work",
    reason_en="Declared purpose of stay: {value}",
    reason_id="Tujuan tinggal yang dinyatakan: {value}",
    inputs=("purpose",),
)
def purpose() -> pl.Expr:
    return pl.col("purpose")


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
def intended_stay_days() -> pl.Expr:
    return pl.col("intended_stay_days")


@_declare(
    kind="numeric",
    unit="ratio",
    description="Declared stay divided by the usual stay for the visa type (fixed table)",
    purpose="A stay far longer than usual for the visa type can signal a different intent",
    reason_en="Intended stay is {value:.1f} times the usual stay for this visa type",
    reason_id="Rencana tinggal {value:.1f} kali lama tinggal biasa untuk jenis visa ini",
    inputs=("intended_stay_days", "visa_type"),
)
def stay_vs_norm_ratio() -> pl.Expr:
    norm = pl.col("visa_type").replace_strict(STAY_NORMS, default=None, return_dtype=pl.Float64)
    return pl.col("intended_stay_days") / norm


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
def employment_tenure_months() -> pl.Expr:
    return pl.col("employment_tenure_months")


@_declare(
    kind="boolean",
    description="Whether an agent or representative lodged the application",
    purpose="Some agents front organised misrepresentation; see also the network signals",
    reason_en={True: "Lodged through an agent", False: "Lodged without an agent"},
    reason_id={True: "Diajukan melalui agen", False: "Diajukan tanpa agen"},
    inputs=("agent_id",),
)
def has_agent() -> pl.Expr:
    return pl.col("agent_id").is_not_null()


@_declare(
    kind="boolean",
    description="Whether a sponsor or employer backs the application",
    purpose="A registered sponsor shares responsibility for the stay",
    reason_en={True: "Backed by a sponsor", False: "No sponsor named"},
    reason_id={True: "Didukung oleh sponsor", False: "Tidak ada sponsor"},
    inputs=("sponsor_id",),
)
def has_sponsor() -> pl.Expr:
    return pl.col("sponsor_id").is_not_null()


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The applicant family's columns: the application itself."""
    return src.targets


_VISA_TYPES, _PURPOSES = frozenset(VISA_TYPES), frozenset(PURPOSES)
_NORMS = {visa: float(days) for visa, days in STAY_NORMS.items()}


def row(
    application: Mapping[str, Any],
    primary_document: Mapping[str, Any] | None,
    lookups: Lookups,
    settings: Settings,
) -> dict[str, Any]:
    """The applicant family's features for one application (the scalar twin of the batch)."""
    visa, stay = application["visa_type"], application["intended_stay_days"]
    return {
        "visa_type": category("visa_type", visa, _VISA_TYPES),
        "purpose": category("purpose", application["purpose"], _PURPOSES),
        "intended_stay_days": stay,
        # replace_strict(default=None): a null or unlisted visa type has no norm.
        "stay_vs_norm_ratio": divide(stay, _NORMS.get(visa) if visa is not None else None),
        "employment_tenure_months": application["employment_tenure_months"],
        "has_agent": application["agent_id"] is not None,
        "has_sponsor": application["sponsor_id"] is not None,
    }
