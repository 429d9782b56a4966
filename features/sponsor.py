"""Sponsor signals: the sponsor register and the sponsor's recent applications.

The register is a snapshot (``as_of``); its counts are the register's own
record, not recomputed from our outcomes, so they read the same at training
and at request time.
"""

from __future__ import annotations

import polars as pl

from risk.contract import COMPLIANCE_RECORDS, SPONSOR_TYPES

from ._derive import Derivation, col, days_between, lit, when
from ._family import Family
from ._sources import DAY

__all__ = [
    "FAMILY",
    "sponsor_age_days",
    "sponsor_compliance",
    "sponsor_overstay_rate",
    "sponsor_recent_applications",
    "sponsor_type",
]

#: The sponsor family: the register row and the sponsor's recent volume.
FAMILY = Family("sponsor", owner="sponsor-analytics")
_declare = FAMILY.feature
_NO_SPONSOR = {"missing_en": "No sponsor named", "missing_id": "Tidak ada sponsor"}


@_declare(
    kind="categorical",
    categories=SPONSOR_TYPES,
    description="Kind of sponsor (employer, university, family member...)",
    purpose="Obligations and oversight differ between kinds of sponsor",
    reason_en="Sponsor type: {value}",
    reason_id="Jenis sponsor: {value}",
    **_NO_SPONSOR,
    inputs=("sponsor_id", "sponsor_type"),
)
def sponsor_type() -> Derivation:
    return col("sponsor_type")


@_declare(
    kind="numeric",
    dtype=pl.Int32,
    unit="days",
    description="Days between the sponsor's registration and the application"
    " (negative: registered after it)",
    purpose="Sponsors registered just before inviting are a known pattern of sham sponsors",
    reason_en="Sponsor registered {value:.0f} days before the application",
    reason_id="Sponsor terdaftar {value:.0f} hari sebelum permohonan",
    **_NO_SPONSOR,
    inputs=("sponsor_id", "registered_at", "submitted_at"),
)
def sponsor_age_days() -> Derivation:
    return days_between(col(DAY), col("registered_at"))


@_declare(
    kind="numeric",
    unit="share",
    description="Overstays by the sponsor's earlier visitors per invitation issued"
    " (from the sponsor register)",
    purpose="Sponsors whose visitors overstayed before are more likely to see it again",
    reason_en="Sponsor's past visitors overstayed at a rate of {value:.1%}",
    reason_id="Tingkat pelanggaran izin tinggal tamu sponsor sebelumnya {value:.1%}",
    missing_en="No sponsor, or a sponsor with no invitations on record",
    missing_id="Tidak ada sponsor, atau sponsor tanpa catatan undangan",
    inputs=("sponsor_id", "past_sponsored_overstays", "invitations_issued"),
)
def sponsor_overstay_rate() -> Derivation:
    invitations = col("invitations_issued")
    rate = col("past_sponsored_overstays") / invitations
    return when(invitations > 0).then(rate).otherwise(lit(None))


@_declare(
    kind="categorical",
    categories=COMPLIANCE_RECORDS,
    description="Sponsor's compliance standing in the register",
    purpose="Sponsors under warning or sanction have breached their duties before",
    reason_en="Sponsor compliance record: {value}",
    reason_id="Catatan kepatuhan sponsor: {value}",
    **_NO_SPONSOR,
    inputs=("sponsor_id", "compliance_record"),
)
def sponsor_compliance() -> Derivation:
    return col("compliance_record")


@_declare(
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    description="Earlier applications naming the same sponsor within the network window",
    purpose="A sudden volume of invitations can mean a sponsor sells invitations",
    reason_en="{value:.0f} other recent applications name the same sponsor",
    reason_id="{value:.0f} permohonan lain baru-baru ini menyebut sponsor yang sama",
    **_NO_SPONSOR,
    inputs=("sponsor_id", "submitted_at"),
)
def sponsor_recent_applications() -> Derivation:
    return col("sponsor_applications")
