"""The Dask form of each fact: which key its inputs are shuffled on, and its polars form.

A fact's batch (polars) form depends on an application's rows only through one key:
the applicant's trips and decisions through ``applicant_id``, its documents through
``application_id``, the sponsor's row and window through ``sponsor_id``, a contact
detail's window through that detail.  So the Dask engine hash-partitions the
applications and the fact's tables on that key into buckets, and runs the *unchanged*
polars batch form inside each bucket: every row a value depends on is in the same
bucket, point in time is kept by the same code, and the values are those of one
machine.  A :class:`Piece` says this per fact; a fact whose columns depend on several
keys (the network window) is several pieces.  No derivation is written again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from risk.contract import APPLICATIONS
from risk.settings import Settings

from ._facts import APPLICATION, SPONSOR_ROW, SPONSOR_WINDOW
from ._facts_document import DOCUMENT
from ._facts_history import DECISION_RECORD, TRIP_RECORD
from ._sources import Sources, primary_documents, recent_count
from ._windows import window_distinct

__all__ = ["LOCAL_FACTS", "PIECES", "Piece"]

Compute = Callable[[Sources, Settings], pl.LazyFrame]


@dataclass(frozen=True)
class Piece:
    """Columns of one fact computed inside buckets of one key.

    Attributes
    ----------
    name
        The piece's name (unique).
    fact
        The fact whose columns it computes.
    key
        The application column the applications are bucketed on.
    tables
        Each history table the piece reads (a :class:`risk.io.RawTables` field,
        ``documents`` included) and its column holding the same key.
    compute
        The polars batch form, run per bucket on :class:`Sources` of that bucket;
        returns ``columns`` in the bucket's row order.
    columns
        The columns it adds.
    after
        A piece whose output columns this piece reads: its buckets are re-shuffled
        on ``key`` with those columns attached.
    reads
        The application columns ``compute`` reads besides ``key``, ``submitted_at`` and
        ``submitted_day`` (only these are shuffled; a column left out fails loudly).
    """

    name: str
    fact: str
    key: str
    compute: Compute
    columns: tuple[str, ...]
    tables: Mapping[str, str] = field(default_factory=dict)
    after: str | None = None
    reads: tuple[str, ...] = ()


def _of(fact, key: str, tables: Mapping[str, str]) -> Piece:
    reads = {column for columns in fact.reads.values() for column in columns}
    return Piece(fact.name, fact.name, key, fact.batch, fact.columns, tables,
                 reads=tuple(sorted(reads & set(APPLICATIONS.names))))  # fmt: skip


def _shared(name: str, key: str) -> Piece:
    def compute(src: Sources, settings: Settings) -> pl.LazyFrame:
        return recent_count(src, by=key, days=settings.features.network_window_days, name=name)

    return Piece(name, "network_window", key, compute, (name,))


_STATE = "__primary_issuing_state"


def _primary_state(src: Sources, settings: Settings) -> pl.LazyFrame:
    states = primary_documents(src.documents).select(
        "application_id", pl.col("issuing_state").alias(_STATE)
    )
    targets = src.targets.select("application_id")
    return targets.join(states, on="application_id", how="left", maintain_order="left").select(
        _STATE
    )


def _agent_states(src: Sources, settings: Settings) -> pl.LazyFrame:
    # the same call as the network fact's batch form, on the agent's bucket
    pool = src.targets.select(
        "application_id", "agent_id", "submitted_at", pl.col(_STATE).alias("issuing_state")
    )
    return window_distinct(
        src.targets.select("agent_id", "submitted_at"), pool, by="agent_id",
        value="issuing_state", at="submitted_at",
        days=settings.features.network_window_days, name="agent_issuing_states",
    ).select("agent_issuing_states")  # fmt: skip


#: Every fact's Dask form, as pieces; the application fact needs no shuffle.
PIECES: tuple[Piece, ...] = (
    _of(TRIP_RECORD, "applicant_id", {"travel_history": "applicant_id"}),
    _of(DECISION_RECORD, "applicant_id", {"prior_decisions": "applicant_id"}),
    _of(DOCUMENT, "application_id", {"documents": "application_id"}),
    _of(SPONSOR_ROW, "sponsor_id", {"sponsors": "sponsor_id"}),
    _of(SPONSOR_WINDOW, "sponsor_id", {}),
    _shared("phone_shared_count", "phone_hash"),
    _shared("email_shared_count", "email_hash"),
    _shared("address_shared_count", "address_hash"),
    _shared("bank_account_shared_count", "bank_account_hash"),
    _shared("agent_application_count", "agent_id"),
    Piece("primary_state", "network_window", "application_id", _primary_state, (_STATE,),
          {"documents": "application_id"}),
    Piece("agent_issuing_states", "network_window", "agent_id", _agent_states,
          ("agent_issuing_states",), after="primary_state", reads=("application_id",)),
)  # fmt: skip
#: Facts computed from the application's own row, in its own partition.
LOCAL_FACTS = (APPLICATION,)
