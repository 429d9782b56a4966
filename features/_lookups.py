"""The reference meaning of :class:`features.Lookups`: read from in-memory tables.

A store supplies the look-ups of one application with its own queries (the
service's SQL in ``serving/services/_history.py``); :func:`lookups_from_tables`
is what they must equal, and ``tests/serving/test_store.py`` checks both
backends against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from risk.io import RawTables
from risk.settings import Settings, get_settings

from ._fact import Lookups
from ._facts import COUNTED_ON, WINDOW_COUNTS
from ._sources import primary_document

__all__ = ["lookups_from_tables"]


def lookups_from_tables(
    application: Mapping[str, Any], tables: RawTables, *, settings: Settings | None = None
) -> Lookups:
    """The :class:`Lookups` of ``application`` read from ``tables`` (the reference semantics).

    With ``at = application["submitted_at"]`` and ``days =
    settings.features.network_window_days``, the *window* is every row of
    ``tables.applications`` with ``at - days <= submitted_at < at`` (so the
    application itself never counts, nor anything at or after its moment).

    * ``phone_shared_count``, ``email_shared_count``, ``address_shared_count``,
      ``bank_account_shared_count``, ``agent_application_count`` and
      ``sponsor_applications``: None when the application's ``phone_hash``,
      ``email_hash``, ``address_hash``, ``bank_account_hash``, ``agent_id`` or
      ``sponsor_id`` is None; otherwise the number of window rows with the same
      value (rows, not distinct application ids).
    * ``agent_issuing_states``: None when ``agent_id`` is None; otherwise the
      number of distinct non-null ``issuing_state`` values of the *primary
      document* of the window rows with the same ``agent_id``.  The primary
      document is, among ``tables.documents`` rows with that ``application_id``,
      the passport if any, else the one with the smallest ``document_id`` (a null
      id first); an application without documents contributes nothing.
    * ``trips`` and ``decisions``: every ``travel_history`` and
      ``prior_decisions`` row with the application's ``applicant_id`` (none when
      it is None); the families apply the point-in-time rules themselves.
    * ``sponsor``: the first ``sponsors`` row with the application's
      ``sponsor_id``, or None (also when ``sponsor_id`` is None).

    Parameters
    ----------
    application
        One applications row (contract columns); ``submitted_at`` a datetime.
    tables
        The contract tables as LazyFrames (``outcomes`` is not read).
    settings
        The network window; default :func:`get_settings`.
    """
    settings = settings or get_settings()
    at: datetime = application["submitted_at"]
    since = at - timedelta(days=settings.features.network_window_days)
    keys = {name: application[column] for name, column in COUNTED_ON.items()}
    present = {COUNTED_ON[n]: v for n, v in keys.items() if v is not None}
    window = tables.applications.filter(pl.col("submitted_at").is_between(since, at, closed="left"))
    shared = (
        pl.any_horizontal(pl.col(k) == v for k, v in present.items()) if present else pl.lit(False)
    )
    agent = application["agent_id"]
    agent_apps = window.filter(pl.col("agent_id") == agent) if agent is not None else window.head(0)
    agent_docs = tables.documents.join(
        agent_apps.select("application_id"), on="application_id", how="semi"
    ).select("application_id", "document_id", "document_type", "issuing_state")
    frames = pl.collect_all([
        window.filter(shared).select(list(present)),
        agent_docs,
        _rows_with(tables.travel_history, "applicant_id", application["applicant_id"]),
        _rows_with(tables.prior_decisions, "applicant_id", application["applicant_id"]),
        _rows_with(tables.sponsors, "sponsor_id", application["sponsor_id"]).head(1),
    ])  # fmt: skip
    near, docs, trips, decisions, register = frames
    counts: dict[str, int | None] = {
        name: None if value is None else near.get_column(COUNTED_ON[name]).eq(value).sum()
        for name, value in keys.items()
    }
    counts["agent_issuing_states"] = None if agent is None else _distinct_states(docs)
    sponsors = register.rows(named=True)
    return Lookups(
        trips=trips.rows(named=True),
        decisions=decisions.rows(named=True),
        sponsor=sponsors[0] if sponsors else None,
        counts={name: counts[name] for name in WINDOW_COUNTS},
    )


def _rows_with(frame: pl.LazyFrame, column: str, value: Any) -> pl.LazyFrame:
    """Rows whose ``column`` equals ``value``; none for a null value (nulls never match)."""
    return frame.head(0) if value is None else frame.filter(pl.col(column) == value)


def _distinct_states(docs: pl.DataFrame) -> int:
    by_application: dict[Any, list[dict[str, Any]]] = {}
    for doc in docs.iter_rows(named=True):
        by_application.setdefault(doc["application_id"], []).append(doc)
    primaries = (primary_document(d) for d in by_application.values())
    return len({p["issuing_state"] for p in primaries if p and p["issuing_state"] is not None})
