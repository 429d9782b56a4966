"""Network signals: contact details and agents shared across recent applications.

Each count covers the other applications submitted strictly before this one
within ``Settings.features.network_window_days``; the application itself and
anything later are never counted.  A missing contact detail gives a missing
count, not zero.
"""

from __future__ import annotations

import polars as pl

from risk.settings import Settings

from ._direct import direct_counts
from ._registry import feature
from ._sources import Sources, primary_documents, recent_count
from ._windows import window_distinct

__all__ = [
    "address_shared_count",
    "agent_application_count",
    "agent_issuing_states",
    "bank_account_shared_count",
    "context",
    "email_shared_count",
    "phone_shared_count",
]

_OWNER = "network-analytics"
#: Count column name -> the key it counts on.
_SHARED = {
    "phone_shared_count": "phone_hash",
    "email_shared_count": "email_hash",
    "address_shared_count": "address_hash",
    "bank_account_shared_count": "bank_account_hash",
    "agent_application_count": "agent_id",
}
_PURPOSE_SHARED = "Fraud rings reuse the same contact details across many applicants"


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    owner=_OWNER,
    description="Earlier applications in the network window with the same phone number",
    purpose=_PURPOSE_SHARED,
    reason_en="{value:.0f} other recent applications share this phone number",
    reason_id="{value:.0f} permohonan lain baru-baru ini memakai nomor telepon yang sama",
    missing_en="No phone number declared",
    missing_id="Nomor telepon tidak dinyatakan",
    inputs=("phone_hash", "submitted_at"),
)
def phone_shared_count() -> pl.Expr:
    return pl.col("phone_shared_count")


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    owner=_OWNER,
    description="Earlier applications in the network window with the same e-mail address",
    purpose=_PURPOSE_SHARED,
    reason_en="{value:.0f} other recent applications share this e-mail address",
    reason_id="{value:.0f} permohonan lain baru-baru ini memakai alamat e-mail yang sama",
    missing_en="No e-mail address declared",
    missing_id="Alamat e-mail tidak dinyatakan",
    inputs=("email_hash", "submitted_at"),
)
def email_shared_count() -> pl.Expr:
    return pl.col("email_shared_count")


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    owner=_OWNER,
    description="Earlier applications in the network window with the same postal address",
    purpose=_PURPOSE_SHARED,
    reason_en="{value:.0f} other recent applications share this postal address",
    reason_id="{value:.0f} permohonan lain baru-baru ini memakai alamat pos yang sama",
    missing_en="No postal address declared",
    missing_id="Alamat pos tidak dinyatakan",
    inputs=("address_hash", "submitted_at"),
)
def address_shared_count() -> pl.Expr:
    return pl.col("address_shared_count")


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    owner=_OWNER,
    description="Earlier applications in the network window with the same bank account",
    purpose="One bank account shown as the means of many applicants is a sign of a"
    " funds-lending scheme",
    reason_en="{value:.0f} other recent applications share this bank account",
    reason_id="{value:.0f} permohonan lain baru-baru ini memakai rekening bank yang sama",
    missing_en="No bank account declared",
    missing_id="Rekening bank tidak dinyatakan",
    inputs=("bank_account_hash", "submitted_at"),
)
def bank_account_shared_count() -> pl.Expr:
    return pl.col("bank_account_shared_count")


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="applications",
    owner=_OWNER,
    description="Earlier applications lodged by the same agent in the network window",
    purpose="A burst of applications through one agent can be an organised scheme",
    reason_en="The agent lodged {value:.0f} other applications recently",
    reason_id="Agen ini mengajukan {value:.0f} permohonan lain baru-baru ini",
    missing_en="Lodged without an agent",
    missing_id="Diajukan tanpa agen",
    inputs=("agent_id", "submitted_at"),
)
def agent_application_count() -> pl.Expr:
    return pl.col("agent_application_count")


@feature(
    group="network",
    kind="numeric",
    dtype=pl.Int32,
    unit="states",
    owner=_OWNER,
    description="Distinct passport issuing states behind the same agent's earlier"
    " applications in the network window. Nationality is audit-only, so this"
    " reads the issuing state printed on each passport, never the"
    " applicant's nationality.",
    purpose="An agent suddenly serving many countries can be a document-supply network",
    reason_en="The agent's recent applicants hold passports from {value:.0f} issuing states",
    reason_id="Pemohon agen ini baru-baru ini memegang paspor dari {value:.0f} negara penerbit",
    missing_en="Lodged without an agent",
    missing_id="Diajukan tanpa agen",
    inputs=("agent_id", "issuing_state", "submitted_at"),
)
def agent_issuing_states() -> pl.Expr:
    return pl.col("agent_issuing_states")


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The network family's columns: trailing-window counts over the application pool."""
    days = settings.features.network_window_days
    targets = src.targets.select("application_id", "submitted_at", *_SHARED.values())
    if src.request_time:
        # A few targets: one pass over the collected pool for every key.
        counted = direct_counts(src.targets, src.pool, keys=_SHARED, at="submitted_at", days=days)
        counts = [counted.lazy()]
    else:
        counts = [recent_count(src, by=k, days=days, name=name) for name, k in _SHARED.items()]
    states = primary_documents(src.pool_documents, request_time=src.request_time).select(
        "application_id", "issuing_state"
    )
    agents = src.pool.select("application_id", "agent_id", "submitted_at").join(
        states, on="application_id", how="left"
    )
    distinct = window_distinct(
        targets.select("agent_id", "submitted_at"),
        agents,
        by="agent_id",
        value="issuing_state",
        at="submitted_at",
        days=days,
        name="agent_issuing_states",
        direct=src.request_time,
    ).select("agent_issuing_states")
    return pl.concat([targets.select("application_id"), *counts, distinct], how="horizontal")
