"""Raw rows in the store: saving a submitted application, looking up what was known before it.

Request-time features are derived from facts (``features.FACTS``); the facts'
request forms read :class:`features.Lookups`, which this module fills from the
store: the applicant's trips and decisions (the trip and decision records), the
sponsor's register row, and the window counts (the columns each count counts on
are the facts' :data:`features.COUNTED_ON`).  :func:`load_lookups` reads them
with four indexed queries; the counts are computed by the database, so a busy
agent costs no more than a quiet one.  The rules are those of
:func:`features.lookups_from_tables` (the reference), and
``tests/serving/test_store.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from features import COUNTED_ON, Lookups
from risk.settings import Settings
from serving.store import raw_table

__all__ = ["agent_issuing_states", "load_lookups", "save_raw_rows"]


def save_raw_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert contract rows into the store (used for intake and to load reference data)."""
    if rows:
        session.connection().execute(raw_table(table).insert(), rows)


def _window(apps: sa.Table, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        apps.c[key] == sa.bindparam(key, type_=apps.c[key].type),
        apps.c.submitted_at >= sa.bindparam("since", type_=sa.DateTime()),
        apps.c.submitted_at < sa.bindparam("at", type_=sa.DateTime()),
    )


def _counts_statement(collation: str | None = None) -> sa.Select:
    """One row: every window count, each a scalar subquery on a (key, submitted_at) index.

    ``collation`` orders document ids by code point where the database's default
    collation would not (PostgreSQL: ``"C"``), as the batch features do.
    """
    apps = raw_table("applications")
    counts = [
        sa.select(sa.func.count()).select_from(apps).where(_window(apps, key)).scalar_subquery()
        for key in COUNTED_ON.values()
    ]
    states = _agent_states_statement(collation).subquery("states")
    distinct = sa.select(sa.func.count(sa.distinct(states.c.state))).scalar_subquery()
    return sa.select(
        *(c.label(name) for c, name in zip(counts, COUNTED_ON, strict=True)),
        distinct.label("agent_issuing_states"),
    )


def _agent_states_statement(collation: str | None = None) -> sa.Select:
    """The primary document's issuing state of each application in the agent's window."""
    apps, docs = raw_table("applications"), raw_table("documents")
    # The primary document (passport first, then the lowest document_id) of each application.
    passport_last = sa.case((docs.c.document_type == "passport", 0), else_=1)
    primary_state = (
        sa.select(docs.c.issuing_state)
        .where(docs.c.application_id == apps.c.application_id)
        .order_by(
            passport_last,
            docs.c.document_id if collation is None else docs.c.document_id.collate(collation),
        )
        .limit(1)
        .scalar_subquery()
    )
    return sa.select(primary_state.label("state")).where(_window(apps, "agent_id"))


def _rows_statement(table: str, key: str) -> sa.Select:
    t = raw_table(table)
    return sa.select(t).where(t.c[key] == sa.bindparam("key", type_=t.c[key].type))


#: The counts statement per dialect (code-point order of document ids everywhere).
_COUNTS = {"postgresql": _counts_statement("C")}
_COUNTS_DEFAULT = _counts_statement()  # SQLite compares text by code point (BINARY)
_TRIPS = _rows_statement("travel_history", "applicant_id")
_DECISIONS = _rows_statement("prior_decisions", "applicant_id")
_SPONSOR = _rows_statement("sponsors", "sponsor_id")


def load_lookups(session: Session, application: dict[str, Any], settings: Settings) -> Lookups:
    """What the store knew before ``application`` arrived, narrowed to it.

    Counts cover the applications submitted in ``[at - network window, at)``
    sharing the key; a missing key gives a missing count.  Applications stored
    later with an earlier ``submitted_at`` count too, as they would in batch.
    """
    at: dt.datetime = application["submitted_at"]
    params: dict[str, Any] = {key: application.get(key) for key in COUNTED_ON.values()}
    params |= {"at": at, "since": at - dt.timedelta(days=settings.features.network_window_days)}
    counts_statement = _COUNTS.get(session.get_bind().dialect.name, _COUNTS_DEFAULT)
    row = session.execute(counts_statement, params).one()._mapping
    counts = {
        name: None if application.get(key) is None else int(row[name])
        for name, key in COUNTED_ON.items()
    }
    counts["agent_issuing_states"] = (
        None if application.get("agent_id") is None else int(row["agent_issuing_states"])
    )
    applicant = application["applicant_id"]
    sponsor = None
    if application.get("sponsor_id") is not None:
        found = session.execute(_SPONSOR, {"key": application["sponsor_id"]}).mappings().first()
        sponsor = None if found is None else dict(found)
    return Lookups(
        trips=[dict(r) for r in session.execute(_TRIPS, {"key": applicant}).mappings()],
        decisions=[dict(r) for r in session.execute(_DECISIONS, {"key": applicant}).mappings()],
        sponsor=sponsor,
        counts=counts,
    )


_STATES = {"postgresql": _agent_states_statement("C")}
_STATES_DEFAULT = _agent_states_statement()


def agent_issuing_states(
    session: Session, application: dict[str, Any], settings: Settings
) -> set[str]:
    """The issuing states counted by ``agent_issuing_states`` (the set, not its size).

    A batch adds the states of its own earlier applications to this set before
    counting, which a count alone would not allow.
    """
    if application.get("agent_id") is None:
        return set()
    at: dt.datetime = application["submitted_at"]
    params = {
        "agent_id": application["agent_id"],
        "at": at,
        "since": at - dt.timedelta(days=settings.features.network_window_days),
    }
    statement = _STATES.get(session.get_bind().dialect.name, _STATES_DEFAULT)
    return {state for (state,) in session.execute(statement, params) if state is not None}
