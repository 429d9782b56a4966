"""Loading contract tables into the store: the reference history request-time features read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.contract import TABLES

from ._audit import append_audit
from ._history import save_raw_rows

__all__ = ["load_raw_tables"]

_CHUNK = 5000


def _rows(frame: pl.DataFrame, table: str) -> list[dict[str, Any]]:
    return frame.select(TABLES[table].names).to_dicts()


def load_raw_tables(
    session: Session,
    tables: Any,
    *,
    clock: Clock,
    before: dt.datetime | None = None,
    actor: str = "system",
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Insert a ``RawTables`` into the store's contract tables (audited as one entry).

    Parameters
    ----------
    session
        The transaction to load in.
    clock
        The service's clock (the audit entry's time).
    tables
        A :class:`risk.io.RawTables` (LazyFrames).
    before
        Only applications submitted before this instant (with their documents and
        outcomes) are loaded, so later ones can be scored as new arrivals.
    progress
        Called with ``(table, rows_loaded)`` after each chunk.

    Returns
    -------
    dict
        Rows loaded per table.
    """
    apps = tables.applications
    if before is not None:
        apps = apps.filter(pl.col("submitted_at") < before)
    apps_df = apps.collect()
    ids = apps_df.select("application_id")
    frames = {
        "sponsors": tables.sponsors.collect(),
        "applications": apps_df,
        "documents": tables.documents.collect().join(ids, on="application_id", how="semi"),
        "travel_history": tables.travel_history.collect(),
        "prior_decisions": tables.prior_decisions.collect(),
        "outcomes": tables.outcomes.collect().join(ids, on="application_id", how="semi"),
    }
    counts = {}
    for name, frame in frames.items():
        rows = _rows(frame, name)
        for start in range(0, len(rows), _CHUNK):
            save_raw_rows(session, name, rows[start : start + _CHUNK])
            if progress:
                progress(name, min(start + _CHUNK, len(rows)))
        counts[name] = len(rows)
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action="data.load",
        entity_type="store",
        entity_id="raw_tables",
        details={"rows": counts, "before": before.isoformat() if before else None},
    )
    return counts
