"""Network signals: contact details and agents shared across recent applications.

Each count covers the other applications submitted strictly before this one
within ``Settings.features.network_window_days``; the application itself and
anything later are never counted.  A missing contact detail gives a missing
count, not zero.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ._derive import Derivation, col
from ._family import Declare, Family

__all__ = [
    "FAMILY",
    "address_shared_count",
    "agent_application_count",
    "agent_issuing_states",
    "bank_account_shared_count",
    "email_shared_count",
    "phone_shared_count",
]

#: The network family: trailing-window counts of applications sharing a key.
FAMILY = Family("network", owner="network-analytics")
_PURPOSE_SHARED = "Fraud rings reuse the same contact details across many applicants"


def _network(**fields: Any) -> Declare:
    """``FAMILY.feature`` with what every network count has in common."""
    return FAMILY.feature(kind="numeric", dtype=pl.Int32, **fields)


def _shared(key: str, detail_en: str, detail_id: str, purpose: str = _PURPOSE_SHARED):
    """The declaration of a count of earlier applications sharing ``key``."""
    return _network(
        unit="applications",
        description=f"Earlier applications in the network window with the same {detail_en}",
        purpose=purpose,
        reason_en="{value:.0f} other recent applications share this " + detail_en,
        reason_id="{value:.0f} permohonan lain baru-baru ini memakai " + detail_id + " yang sama",
        missing_en=f"No {detail_en} declared",
        missing_id=f"{detail_id.capitalize()} tidak dinyatakan",
        inputs=(key, "submitted_at"),
    )


@_shared("phone_hash", "phone number", "nomor telepon")
def phone_shared_count() -> Derivation:
    return col("phone_shared_count")


@_shared("email_hash", "e-mail address", "alamat e-mail")
def email_shared_count() -> Derivation:
    return col("email_shared_count")


@_shared("address_hash", "postal address", "alamat pos")
def address_shared_count() -> Derivation:
    return col("address_shared_count")


@_shared(
    "bank_account_hash",
    "bank account",
    "rekening bank",
    purpose="One bank account shown as the means of many applicants is a sign of a"
    " funds-lending scheme",
)
def bank_account_shared_count() -> Derivation:
    return col("bank_account_shared_count")


_NO_AGENT = {"missing_en": "Lodged without an agent", "missing_id": "Diajukan tanpa agen"}


@_network(
    unit="applications",
    description="Earlier applications lodged by the same agent in the network window",
    purpose="A burst of applications through one agent can be an organised scheme",
    reason_en="The agent lodged {value:.0f} other applications recently",
    reason_id="Agen ini mengajukan {value:.0f} permohonan lain baru-baru ini",
    inputs=("agent_id", "submitted_at"),
    **_NO_AGENT,
)
def agent_application_count() -> Derivation:
    return col("agent_application_count")


@_network(
    unit="states",
    description="Distinct passport issuing states behind the same agent's earlier"
    " applications in the network window. Nationality is protected, so this"
    " reads the issuing state printed on each passport, never the"
    " applicant's nationality.",
    purpose="An agent suddenly serving many countries can be a document-supply network",
    reason_en="The agent's recent applicants hold passports from {value:.0f} issuing states",
    reason_id="Pemohon agen ini baru-baru ini memegang paspor dari {value:.0f} negara penerbit",
    inputs=("agent_id", "issuing_state", "submitted_at"),
    **_NO_AGENT,
)
def agent_issuing_states() -> Derivation:
    return col("agent_issuing_states")
