"""The feature pipeline: raw tables in, one row of catalogue features per application out.

Batch (training) computes each fact's batch form once over whole tables, then
each family's derivations as polars expressions over them; pipelines stay lazy
and callers collect once, at the edge.

At request time a polars query's fixed cost would dominate, so
:func:`build_features_for` computes each application with the facts' request
forms and the same derivations in plain Python (:func:`features.feature_row`,
from :func:`features.lookups_from_tables`).  Both give identical values;
``tests/features/test_pipeline.py`` and ``tests/features/test_row.py`` prove
batch and request time agree on every feature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import polars as pl

from risk.contract import APPLICATIONS, DOCUMENTS
from risk.errors import FeatureError
from risk.io import RawTables
from risk.settings import Settings, get_settings
from risk.text import listing

from ._catalogue import Catalogue, catalogue
from ._fact import Fact
from ._families import FAMILIES
from ._lookups import lookups_from_tables
from ._row import feature_row
from ._sources import Sources, submitted_day

__all__ = [
    "ID_COLUMNS",
    "build_family",
    "build_features",
    "build_features_for",
    "history_for",
]

#: Columns that lead every feature table, before the catalogue features.
ID_COLUMNS = ("application_id", "applicant_id", "submitted_at")


def build_features(tables: RawTables, *, settings: Settings | None = None) -> pl.LazyFrame:
    """Features of every application in ``tables``, lazily.

    Parameters
    ----------
    tables
        The six contract tables as LazyFrames.
    settings
        Windows and protected attributes; default :func:`get_settings`.

    Returns
    -------
    pl.LazyFrame
        One row per application, in the applications' order: ``application_id,
        applicant_id, submitted_at``, then every catalogue feature in catalogue
        order with its declared dtype.
    """
    src = _sources(tables)
    return assemble(src, settings or get_settings(), catalogue())


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
        The same columns and values :func:`build_features` gives these applications,
        computed one application at a time by :func:`features.feature_row`.
    """
    _check_frame(applications, "applications", APPLICATIONS.names)
    _check_frame(documents, "documents", DOCUMENTS.names)
    settings = settings or get_settings()
    new_ids = applications.get_column("application_id").implode()
    # The pool of earlier applications: the history, with the new applications as given.
    pool, pool_docs = pl.collect_all([
        pl.concat([history.applications.filter(~pl.col("application_id").is_in(new_ids)),
                   applications.lazy().select(APPLICATIONS.names)], how="vertical_relaxed"),
        pl.concat([history.documents.filter(~pl.col("application_id").is_in(new_ids)),
                   documents.lazy().select(DOCUMENTS.names)], how="vertical_relaxed"),
    ])  # fmt: skip
    known = replace(history, applications=pool.lazy(), documents=pool_docs.lazy())
    docs: dict[Any, list[dict[str, Any]]] = {}
    for doc in documents.iter_rows(named=True):
        docs.setdefault(doc["application_id"], []).append(doc)
    rows = [
        feature_row(
            app, docs.get(app["application_id"], ()),
            lookups_from_tables(app, known, settings=settings), settings=settings,
        )
        for app in applications.iter_rows(named=True)
    ]  # fmt: skip
    cat = catalogue()
    schema = {c: applications.schema[c] for c in ID_COLUMNS} | {s.name: s.dtype for s in cat.specs}
    return pl.DataFrame({name: [r[name] for r in rows] for name in schema}, schema=schema)


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
        raise FeatureError(
            f"unknown feature family {group!r} (expected {listing(FAMILIES, conjunction='or')})"
        )
    src = _sources(tables)
    return _family(group, src, settings or get_settings(), catalogue(), {})


def _sources(tables: RawTables) -> Sources:
    targets = tables.applications.with_columns(submitted_day())
    return Sources(targets=targets, documents=tables.documents, history=tables)


def _fact_frame(
    fact: Fact, src: Sources, settings: Settings, done: dict[str, pl.LazyFrame]
) -> pl.LazyFrame:
    """The fact's batch form, computed once per build (families share facts)."""
    if fact.name not in done:
        done[fact.name] = fact.batch(src, settings)
    return done[fact.name]


def _family(
    group: str, src: Sources, settings: Settings, cat: Catalogue, done: dict[str, pl.LazyFrame]
) -> pl.LazyFrame:
    family = FAMILIES[group]
    facts = [_fact_frame(f, src, settings, done) for f in family.facts]
    specs = [cat.get(name) for name in cat.groups.get(group, [])]
    return pl.concat(facts, how="horizontal").select([s.expr for s in specs])


def assemble(
    src: Sources, settings: Settings, cat: Catalogue, done: dict[str, pl.LazyFrame] | None = None
) -> pl.LazyFrame:
    """The id columns and every family's derivations over the facts (``done``: computed ones).

    An engine that computes facts its own way (Dask, per partition) passes them in
    ``done`` by fact name and gets the same derivations as the batch pipeline.
    """
    done = {} if done is None else done
    frames = [src.targets.select(ID_COLUMNS)]
    frames += [_family(group, src, settings, cat, done) for group in cat.groups]
    return pl.concat(frames, how="horizontal")


def _check_frame(frame: pl.DataFrame, table: str, required: list[str]) -> None:
    if not isinstance(frame, pl.DataFrame):
        raise FeatureError(f"{table}: expected a polars DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FeatureError(f"{table}: missing columns {missing}", detail={"missing": missing})
