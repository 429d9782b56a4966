"""The feature pipeline: raw tables in, one row of catalogue features per application out.

Batch (training) and request time (serving) run the same family contexts and
the same feature expressions; only the inputs differ.  Pipelines stay lazy;
callers collect once, at the edge.

For a few applications at request time the context steps take a small-input
form, because each polars query's fixed cost (about 0.1-1 ms) dominates there:
the shared inputs are collected once, history look-ups and window counts scan the
collected rows in Python (:mod:`features._direct`), trip and decision events and
the primary document are built row by row, and zones are parsed with the scalar
twin of the vectorised MRZ parser (:func:`features.documents.parse_zones`).  The
feature expressions themselves are the same.  Both forms give identical values;
``tests/features/test_pipeline.py`` proves batch and request time agree on every
feature, and the small-input helpers are tested against their batch forms.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import ModuleType

import polars as pl

from risk.contract import APPLICATIONS, DOCUMENTS
from risk.errors import FeatureError
from risk.io import RawTables
from risk.settings import Settings, get_settings

from . import applicant, documents, financial, network, sponsor, travel_history
from ._catalogue import Catalogue, catalogue
from ._sources import Sources, submitted_day

__all__ = [
    "FAMILIES",
    "ID_COLUMNS",
    "build_family",
    "build_features",
    "build_features_for",
    "history_for",
]

#: Columns that lead every feature table, before the catalogue features.
ID_COLUMNS = ("application_id", "applicant_id", "submitted_at")
#: Family modules by group name, in catalogue order.
FAMILIES: dict[str, ModuleType] = {
    "applicant": applicant,
    "travel_history": travel_history,
    "documents": documents,
    "sponsor": sponsor,
    "financial": financial,
    "network": network,
}


def build_features(tables: RawTables, *, settings: Settings | None = None) -> pl.LazyFrame:
    """Features of every application in ``tables``, lazily.

    Parameters
    ----------
    tables
        The six contract tables as LazyFrames.
    settings
        Windows and audit-only columns; default :func:`get_settings`.

    Returns
    -------
    pl.LazyFrame
        One row per application, in the applications' order: ``application_id,
        applicant_id, submitted_at``, then every catalogue feature in catalogue
        order with its declared dtype.
    """
    src = _sources(tables.applications, tables.documents, tables, None, None)
    return _assemble(src, settings or get_settings(), catalogue())


def build_features_for(
    applications: pl.DataFrame,
    documents: pl.DataFrame,
    history: RawTables,
    *,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Features of a few new applications at request time.

    Parameters
    ----------
    applications
        The new applications (usually one row), contract columns.
    documents
        Their documents, contract columns.
    history
        What the service knew before: the applicants' travel history and
        decisions, the sponsor register, and the earlier applications (with
        their documents) sharing a contact, agent or sponsor within the network
        window (see :func:`history_for`).  Extra rows are harmless but cost
        time; the new applications may appear in it too.
    settings
        As for :func:`build_features`.

    Returns
    -------
    pl.DataFrame
        The same columns and values :func:`build_features` gives these applications.
    """
    _check_frame(applications, "applications", APPLICATIONS.names)
    _check_frame(documents, "documents", DOCUMENTS.names)
    new_ids = applications.get_column("application_id")
    pool = pl.concat(
        [
            history.applications.filter(~pl.col("application_id").is_in(new_ids.implode())),
            applications.lazy().select(APPLICATIONS.names),
        ],
        how="vertical_relaxed",
    )
    pool_docs = pl.concat(
        [
            history.documents.filter(~pl.col("application_id").is_in(new_ids.implode())),
            documents.lazy().select(DOCUMENTS.names),
        ],
        how="vertical_relaxed",
    )
    # Every family reads these; collected once here rather than once per query.
    targets, pool, pool_docs = (
        frame.lazy()
        for frame in pl.collect_all(
            [applications.lazy().with_columns(submitted_day()), pool, pool_docs],
            optimizations=_AS_WRITTEN,
        )
    )
    src = Sources(targets, documents.lazy(), history, pool, pool_docs, request_time=True)
    settings = settings or get_settings()
    cat = catalogue()
    # Tiny inputs: the query optimiser costs more than it saves, so each family's small
    # plan runs as written (all in one call), then the blocks are stacked side by side.
    plans = [_family(group, src, settings, cat) for group in cat.groups]
    frames = pl.collect_all(plans, optimizations=_AS_WRITTEN, engine="in-memory")
    ids = pl.DataFrame([applications.get_column(c) for c in ID_COLUMNS])
    return pl.concat([ids, *frames], how="horizontal")


_AS_WRITTEN = pl.QueryOptFlags.none()
_KEYS = ("phone_hash", "email_hash", "address_hash", "bank_account_hash", "agent_id", "sponsor_id")


def history_for(
    applications: pl.DataFrame, tables: RawTables, *, settings: Settings | None = None
) -> RawTables:
    """The part of ``tables`` that :func:`build_features_for` needs for ``applications``.

    Keeps the applicants' trips and decisions, their sponsors' register rows,
    and the applications (with documents) sharing a key with them and
    submitted in the network window before the latest of them.  A service
    holding the tables in memory narrows with this before scoring; one with a
    database fetches the same rows with indexed queries.

    Returns
    -------
    RawTables
        Collected (in-memory) frames, as LazyFrames; ``outcomes`` is left empty.
    """
    settings = settings or get_settings()
    _check_frame(applications, "applications", APPLICATIONS.names)
    days = timedelta(days=settings.features.network_window_days)
    times = applications.get_column("submitted_at")
    shares = pl.lit(False)
    for key in _KEYS:
        values = applications.get_column(key).drop_nulls().implode()
        shares = shares | pl.col(key).is_in(values)
    since, until = times.min() - days, times.max()  # type: ignore[operator]
    pool = tables.applications.filter(
        shares & pl.col("submitted_at").is_between(since, until, closed="left")
    ).collect()
    people = applications.get_column("applicant_id").implode()
    sponsors = applications.get_column("sponsor_id").drop_nulls().implode()
    pool_ids = pool.get_column("application_id").implode()
    frames = pl.collect_all([
        tables.documents.filter(pl.col("application_id").is_in(pool_ids)),
        tables.travel_history.filter(pl.col("applicant_id").is_in(people)),
        tables.prior_decisions.filter(pl.col("applicant_id").is_in(people)),
        tables.sponsors.filter(pl.col("sponsor_id").is_in(sponsors)),
    ])  # fmt: skip
    docs, trips, decisions, register = (f.lazy() for f in frames)
    return RawTables(
        applications=pool.lazy(), documents=docs, travel_history=trips,
        prior_decisions=decisions, sponsors=register, outcomes=tables.outcomes.head(0),
    )  # fmt: skip


def build_family(
    group: str, tables: RawTables, *, settings: Settings | None = None
) -> pl.LazyFrame:
    """One family's features for every application in ``tables`` (in the applications' order).

    The CLI computes families one at a time to show progress; the columns are
    the family's catalogue features only.
    """
    if group not in FAMILIES:
        raise FeatureError(f"unknown feature family {group!r} (expected one of {list(FAMILIES)})")
    src = _sources(tables.applications, tables.documents, tables, None, None)
    return _family(group, src, settings or get_settings(), catalogue())


def _sources(
    targets: pl.LazyFrame,
    docs: pl.LazyFrame,
    history: RawTables,
    pool: pl.LazyFrame | None,
    pool_docs: pl.LazyFrame | None,
    request_time: bool = False,
) -> Sources:
    targets = targets.with_columns(submitted_day())
    return Sources(
        targets=targets,
        documents=docs,
        history=history,
        pool=targets if pool is None else pool,
        pool_documents=docs if pool_docs is None else pool_docs,
        request_time=request_time,
    )


def _family(group: str, src: Sources, settings: Settings, cat: Catalogue) -> pl.LazyFrame:
    context: Callable[[Sources, Settings], pl.LazyFrame] = FAMILIES[group].context
    specs = [cat.get(name) for name in cat.groups.get(group, [])]
    return context(src, settings).select([s.expr for s in specs])


def _assemble(src: Sources, settings: Settings, cat: Catalogue) -> pl.LazyFrame:
    frames = [src.targets.select(ID_COLUMNS)]
    frames += [_family(group, src, settings, cat) for group in cat.groups]
    return pl.concat(frames, how="horizontal")


def _check_frame(frame: pl.DataFrame, table: str, required: list[str]) -> None:
    if not isinstance(frame, pl.DataFrame):
        raise FeatureError(f"{table}: expected a polars DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FeatureError(f"{table}: missing columns {missing}", detail={"missing": missing})
