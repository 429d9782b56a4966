"""Every fact the features derive from, listed once (see :mod:`features._fact`).

The application itself, the history records, the primary document with its
zone, the sponsor's register row and the trailing-window counts.  A column
belongs to exactly one fact; a feature's facts are those owning the columns its
derivation reads.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import polars as pl

from risk.contract import APPLICATIONS
from risk.errors import FeatureRegistryError
from risk.settings import Settings

from ._fact import Fact, Request, reads_alike
from ._facts_document import DOCUMENT
from ._facts_history import DECISION_RECORD, TRIP_RECORD
from ._sources import DAY, Sources, primary_documents, recent_count
from ._windows import window_distinct

__all__ = ["APPLICATION", "COUNTED_ON", "FACTS", "WINDOW_COUNTS", "fact_of"]

#: Application columns a feature may read: the contract's, less those marked protected.
_OWN = tuple(c.name for c in APPLICATIONS.columns if not c.protected)


def _application_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    return src.targets.select(*_OWN, DAY)


_OWN_VALUES = itemgetter(*_OWN)


def _application_request(request: Request) -> dict[str, Any]:
    values = dict(zip(_OWN, _OWN_VALUES(request.application), strict=True))
    values[DAY] = request.day
    return values


#: The application as submitted, and its submission day.
APPLICATION = Fact(
    name="application",
    description="The application's own columns (protected ones excluded) and its"
    f" submission day (``{DAY}``)",
    reads={**{c: (c,) for c in _OWN}, DAY: ("submitted_at",)},
    batch=_application_batch,
    request=_application_request,
)

_REGISTER = (
    "sponsor_type", "registered_at", "invitations_issued", "past_sponsored_overstays",
    "compliance_record",
)  # fmt: skip


def _sponsor_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    register = src.history.sponsors.select("sponsor_id", *_REGISTER)
    targets = src.targets.select("sponsor_id")
    joined = targets.join(register, on="sponsor_id", how="left", maintain_order="left")
    return joined.select(_REGISTER)


def _sponsor_request(request: Request) -> dict[str, Any]:
    sponsor_id, register = request.application["sponsor_id"], request.lookups.sponsor
    if sponsor_id is None or register is None or register["sponsor_id"] != sponsor_id:
        return dict.fromkeys(_REGISTER)  # no register row: as the batch join leaves it
    return {c: register[c] for c in _REGISTER}


#: The sponsor's row in the register (a snapshot; null without a sponsor or row).
SPONSOR_ROW = Fact(
    name="sponsor_row",
    description="The sponsor's register row: type, registration date, invitations issued,"
    " past sponsored overstays and compliance record (null without a sponsor or a row)",
    reads={c: ("sponsor_id", c) for c in _REGISTER},
    batch=_sponsor_batch,
    request=_sponsor_request,
)

#: Row-count windows of the network: count -> the application column it counts on.
_SHARED = {
    "phone_shared_count": "phone_hash",
    "email_shared_count": "email_hash",
    "address_shared_count": "address_hash",
    "bank_account_shared_count": "bank_account_hash",
    "agent_application_count": "agent_id",
}
_STATES = "agent_issuing_states"
_STATE_READS = ("agent_id", "submitted_at", "application_id", "document_id", "document_type",
                "issuing_state")  # fmt: skip


def _network_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    days = settings.features.network_window_days
    counts = [recent_count(src, by=key, days=days, name=n) for n, key in _SHARED.items()]
    states = primary_documents(src.documents).select("application_id", "issuing_state")
    agents = src.targets.select("application_id", "agent_id", "submitted_at").join(
        states, on="application_id", how="left"
    )
    distinct = window_distinct(
        src.targets.select("agent_id", "submitted_at"), agents, by="agent_id",
        value="issuing_state", at="submitted_at", days=days, name=_STATES,
    ).select(_STATES)  # fmt: skip
    return pl.concat([*counts, distinct], how="horizontal")


def _counts_request(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    counts = request.lookups.counts
    return {name: counts[name] for name in names}


#: Counts of earlier applications sharing a contact detail or the agent.
NETWORK_WINDOW = Fact(
    name="network_window",
    description="Applications submitted in the network window before this one (the moment"
    " itself excluded) sharing its phone, e-mail, address, bank account or agent, and the"
    " distinct issuing states of the agent's applicants' primary documents; null when the"
    " key is missing",
    reads={**{n: (key, "submitted_at") for n, key in _SHARED.items()}, _STATES: _STATE_READS},
    batch=_network_batch,
    request=lambda request: _counts_request(request, (*_SHARED, _STATES)),
)


def _sponsor_window_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    days = settings.features.network_window_days
    return recent_count(src, by="sponsor_id", days=days, name="sponsor_applications")


#: Count of earlier applications naming the same sponsor.
SPONSOR_WINDOW = Fact(
    name="sponsor_window",
    description="Applications submitted in the network window before this one naming the"
    " same sponsor (null without a sponsor)",
    reads=reads_alike(("sponsor_applications",), ("sponsor_id", "submitted_at")),
    batch=_sponsor_window_batch,
    request=lambda request: _counts_request(request, ("sponsor_applications",)),
)

#: Every fact, in the order the request path computes them.
FACTS: tuple[Fact, ...] = (
    APPLICATION, TRIP_RECORD, DECISION_RECORD, DOCUMENT, SPONSOR_ROW, NETWORK_WINDOW,
    SPONSOR_WINDOW,
)  # fmt: skip
#: Row-count windows: count name -> the application column it counts on (a store's
#: look-ups count the same columns).
COUNTED_ON: dict[str, str] = {**_SHARED, "sponsor_applications": "sponsor_id"}
#: Every window count a store supplies in :class:`features.Lookups` ``counts``.
WINDOW_COUNTS: tuple[str, ...] = (*_SHARED, _STATES, "sponsor_applications")

_OWNER = {column: fact for fact in FACTS for column in fact.columns}
if len(_OWNER) != sum(len(f.columns) for f in FACTS):  # a column must mean one thing
    raise FeatureRegistryError("a fact column is provided by two facts")


def fact_of(column: str) -> Fact | None:
    """The fact providing ``column``, or None if no fact does."""
    return _OWNER.get(column)
