"""One application's feature row at request time, in plain Python (no polars query).

Serving scores one application per request with a budget of a few milliseconds;
a polars query costs about a millisecond of fixed overhead, so the request-time
row is computed by each family's scalar twin (``row`` next to its batch
``context``) from the application, its documents and :class:`Lookups`: what
was known before the application arrived, narrowed to it.  The service fetches
the look-ups with indexed SQL; :func:`lookups_from_tables` gives the same from
in-memory tables and is the reference for their meaning.

The values are exactly those of :func:`features.build_features` (same Python
types, bit-identical floats); ``tests/features/test_row.py`` proves it for
every application of random worlds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import polars as pl

from risk.contract import APPLICATIONS
from risk.errors import FeatureRegistryError
from risk.io import RawTables
from risk.settings import Settings, get_settings

from ._catalogue import catalogue
from ._sources import primary_document

__all__ = [
    "COUNTED_ON",
    "WINDOW_COUNTS",
    "Lookups",
    "check_row_twins",
    "feature_row",
    "lookups_from_tables",
]

#: Window counts the store supplies (names are the context columns the families use).
WINDOW_COUNTS = (
    "phone_shared_count",
    "email_shared_count",
    "address_shared_count",
    "bank_account_shared_count",
    "agent_application_count",
    "agent_issuing_states",
    "sponsor_applications",
)
#: Row-count windows: count name -> the application column it counts on (the store's
#: SQL look-ups count the same columns).
COUNTED_ON = {
    "phone_shared_count": "phone_hash",
    "email_shared_count": "email_hash",
    "address_shared_count": "address_hash",
    "bank_account_shared_count": "bank_account_hash",
    "agent_application_count": "agent_id",
    "sponsor_applications": "sponsor_id",
}
_ID_COLUMNS = ("application_id", "applicant_id", "submitted_at")
RowFunction = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Lookups:
    """What was known before the application arrived, narrowed to it.

    Parameters
    ----------
    trips
        The applicant's ``travel_history`` rows (contract columns, any order).
    decisions
        The applicant's ``prior_decisions`` rows (contract columns, any order).
    sponsor
        The ``sponsors`` register row of ``application["sponsor_id"]``, or None.
    counts
        Every :data:`WINDOW_COUNTS` name mapped to its value (see
        :func:`lookups_from_tables` for the rules).
    """

    trips: Sequence[Mapping[str, Any]]
    decisions: Sequence[Mapping[str, Any]]
    sponsor: Mapping[str, Any] | None
    counts: Mapping[str, int | None]


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


def feature_row(
    application: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    lookups: Lookups,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """One application's catalogue features, as :func:`features.build_features` computes them.

    Parameters
    ----------
    application
        One applications row (contract columns); ``submitted_at`` a datetime.
    documents
        Its documents (contract columns); rows of another ``application_id`` are
        ignored.  The primary document is chosen as in batch.
    lookups
        What was known before it (:class:`Lookups`).
    settings
        Passed to the families; default :func:`get_settings`.

    Returns
    -------
    dict
        ``application_id, applicant_id, submitted_at``, then every catalogue
        feature in catalogue order: str for categoricals, int, float (``inf`` and
        ``NaN`` as polars divides), bool, or None for a null.

    Raises
    ------
    FeatureRegistryError
        If a family's scalar twin does not return exactly its catalogue features.
    FeatureError
        If a categorical value is outside its declared categories.
    """
    settings = settings or get_settings()
    app_id = application["application_id"]
    primary = primary_document(d for d in documents if d["application_id"] == app_id)
    out = {c: application[c] for c in _ID_COLUMNS}
    for row in _row_functions():
        out.update(row(application, primary, lookups, settings))
    return out


@cache
def _row_functions() -> tuple[RowFunction, ...]:
    """Every family's ``row``, in catalogue order, checked once per process."""
    from ._pipeline import FAMILIES

    check_row_twins(FAMILIES)
    return tuple(FAMILIES[group].row for group in catalogue().groups)


def check_row_twins(families: Mapping[str, Any]) -> None:
    """Check that each family's scalar ``row`` returns exactly its catalogue features.

    Each ``row`` is called once on a probe application (every optional field
    null, no document, empty look-ups) and its keys compared, in order, with
    the family's catalogue names.

    Raises
    ------
    FeatureRegistryError
        Naming the family and the features missing from (or unknown to) its
        ``row``, or the family that has no ``row`` at all.
    """
    probe = dict.fromkeys(APPLICATIONS.names)
    probe.update(application_id="probe", applicant_id="probe", submitted_at=datetime(2024, 1, 1))
    empty = Lookups(trips=(), decisions=(), sponsor=None, counts=dict.fromkeys(WINDOW_COUNTS))
    settings = get_settings()
    for group, names in catalogue().groups.items():
        row = getattr(families.get(group), "row", None)
        if row is None:
            raise FeatureRegistryError(
                f"feature family {group!r} has no scalar twin row(); its features {names}"
                " cannot be computed at request time"
            )
        got = list(row(probe, None, empty, settings))
        missing = [n for n in names if n not in got]
        unknown = [n for n in got if n not in names]
        if missing or unknown:
            raise FeatureRegistryError(
                f"feature family {group!r}: its scalar twin row() misses {missing}"
                f" and returns unknown {unknown}"
            )
        if got != names:
            raise FeatureRegistryError(
                f"feature family {group!r}: its scalar twin row() returns {got},"
                f" not in catalogue order {names}"
            )
