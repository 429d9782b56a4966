"""Sponsor signals: the sponsor register and the sponsor's recent applications.

The register is a snapshot (``as_of``); its counts are the register's own
record, not recomputed from our outcomes, so they read the same at training
and at request time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from risk.contract import COMPLIANCE_RECORDS, SPONSOR_TYPES
from risk.settings import Settings

from ._registry import feature
from ._scalar import category, days_between
from ._sources import DAY, Sources, recent_count

if TYPE_CHECKING:
    from ._row import Lookups

__all__ = [
    "context",
    "row",
    "sponsor_age_days",
    "sponsor_compliance",
    "sponsor_overstay_rate",
    "sponsor_recent_applications",
    "sponsor_type",
]

_OWNER = "sponsor-analytics"
_NO_SPONSOR = {"missing_en": "No sponsor named", "missing_id": "Tidak ada sponsor"}

#: :func:`feature` with what every sponsor feature declares alike.
_declare = partial(feature, group="sponsor", owner=_OWNER)


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
def sponsor_type() -> pl.Expr:
    return pl.col("sponsor_type")


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
def sponsor_age_days() -> pl.Expr:
    return (pl.col(DAY) - pl.col("registered_at")).dt.total_days()


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
def sponsor_overstay_rate() -> pl.Expr:
    invitations = pl.col("invitations_issued")
    rate = pl.col("past_sponsored_overstays") / invitations
    return pl.when(invitations > 0).then(rate).otherwise(None)


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
def sponsor_compliance() -> pl.Expr:
    return pl.col("compliance_record")


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
def sponsor_recent_applications() -> pl.Expr:
    return pl.col("sponsor_applications")


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The sponsor family's columns: the register row and the sponsor's recent volume."""
    register = src.history.sponsors.select(
        "sponsor_id",
        "sponsor_type",
        "registered_at",
        "invitations_issued",
        "past_sponsored_overstays",
        "compliance_record",
    )
    targets = src.targets.select("application_id", "sponsor_id", "submitted_at", DAY)
    joined = targets.join(register, on="sponsor_id", how="left", maintain_order="left")
    counted = recent_count(
        src, by="sponsor_id", days=settings.features.network_window_days,
        name="sponsor_applications",
    )  # fmt: skip
    return pl.concat([joined, counted], how="horizontal")


_SPONSOR_TYPES, _COMPLIANCE = frozenset(SPONSOR_TYPES), frozenset(COMPLIANCE_RECORDS)


def row(
    application: Mapping[str, Any],
    primary_document: Mapping[str, Any] | None,
    lookups: Lookups,
    settings: Settings,
) -> dict[str, Any]:
    """The sponsor family's features for one application (the scalar twin of the batch).

    Reads the register row ``lookups.sponsor`` (used only when its ``sponsor_id``
    is the application's, as the batch join would) and the count
    ``lookups.counts["sponsor_applications"]``.
    """
    sponsor_id = application["sponsor_id"]
    register = lookups.sponsor
    if sponsor_id is None or register is None or register["sponsor_id"] != sponsor_id:
        register = _NO_REGISTER_ROW
    invitations, overstays = register["invitations_issued"], register["past_sponsored_overstays"]
    rate = None
    if invitations is not None and overstays is not None and invitations > 0:
        rate = overstays / invitations
    return {
        "sponsor_type": category("sponsor_type", register["sponsor_type"], _SPONSOR_TYPES),
        "sponsor_age_days": days_between(
            application["submitted_at"].date(), register["registered_at"]
        ),
        "sponsor_overstay_rate": rate,
        "sponsor_compliance": category(
            "sponsor_compliance", register["compliance_record"], _COMPLIANCE
        ),
        "sponsor_recent_applications": lookups.counts["sponsor_applications"],
    }


_NO_REGISTER_ROW: dict[str, Any] = dict.fromkeys((
    "sponsor_type", "registered_at", "invitations_issued", "past_sponsored_overstays",
    "compliance_record",
))  # fmt: skip
