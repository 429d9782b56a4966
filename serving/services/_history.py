"""Raw rows in the store: saving a submitted application, reading an applicant's history.

Request-time features need what was known when the application arrived: the
applicant's earlier applications, trips and decisions, the sponsor, and other
applications sharing contact details, agent or sponsor within the network window.
They are read from the store's contract tables into a :class:`risk.io.RawTables`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.contract import TABLES
from risk.settings import Settings
from serving.store import raw_table

__all__ = ["frame", "load_history", "save_raw_rows"]

_LINKS = ("phone_hash", "email_hash", "address_hash", "bank_account_hash", "agent_id", "sponsor_id")


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows of contract table ``table`` as a polars frame with the contract's schema."""
    schema = TABLES[table].schema
    return pl.DataFrame([{k: r[k] for k in schema} for r in rows], schema=schema, orient="row")


def save_raw_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert contract rows into the store (used for intake and to load reference data)."""
    if rows:
        session.execute(sa.insert(raw_table(table)), rows)


def _select(session: Session, table: str, where: Any) -> list[dict[str, Any]]:
    t = raw_table(table)
    return [dict(r) for r in session.execute(sa.select(t).where(where)).mappings()]


def _linked_applications(
    session: Session, application: dict[str, Any], settings: Settings
) -> list[dict[str, Any]]:
    t = raw_table("applications")
    at: dt.datetime = application["submitted_at"]
    history_from = at - dt.timedelta(days=settings.features.history_window_days)
    network_from = at - dt.timedelta(days=settings.features.network_window_days)
    links = [t.c[k] == application[k] for k in _LINKS if application.get(k) is not None]
    own = sa.and_(t.c.applicant_id == application["applicant_id"], t.c.submitted_at >= history_from)
    shared = sa.and_(sa.or_(*links), t.c.submitted_at >= network_from) if links else sa.false()
    where = sa.and_(
        t.c.submitted_at < at,
        t.c.application_id != application["application_id"],
        sa.or_(own, shared),
    )
    return _select(session, "applications", where)


def load_history(session: Session, application: dict[str, Any], settings: Settings) -> Any:
    """The applicant's history known before ``application`` arrived, as ``RawTables``."""
    from risk.io import RawTables

    apps = _linked_applications(session, application, settings)
    ids = [a["application_id"] for a in apps]
    docs = _select(session, "documents", raw_table("documents").c.application_id.in_(ids))
    outcomes = _select(session, "outcomes", raw_table("outcomes").c.application_id.in_(ids))
    applicant = application["applicant_id"]
    trips = _select(
        session, "travel_history", raw_table("travel_history").c.applicant_id == applicant
    )
    prior = _select(
        session, "prior_decisions", raw_table("prior_decisions").c.applicant_id == applicant
    )
    sponsor_ids = {a["sponsor_id"] for a in [*apps, application] if a.get("sponsor_id")}
    sponsors = _select(session, "sponsors", raw_table("sponsors").c.sponsor_id.in_(sponsor_ids))
    return RawTables(
        applications=frame("applications", apps).lazy(),
        documents=frame("documents", docs).lazy(),
        travel_history=frame("travel_history", trips).lazy(),
        prior_decisions=frame("prior_decisions", prior).lazy(),
        sponsors=frame("sponsors", sponsors).lazy(),
        outcomes=frame("outcomes", outcomes).lazy(),
    )
