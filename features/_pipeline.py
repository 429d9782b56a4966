"""The feature pipeline: raw tables in, one row of catalogue features per application out.

Batch (training) and request time (serving) run the same family contexts and
the same feature expressions; only the inputs differ.  Pipelines stay lazy;
callers collect once, at the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import polars as pl

from risk.contract import APPLICATIONS, DOCUMENTS
from risk.errors import FeatureError
from risk.settings import Settings, get_settings

from . import applicant, documents, financial, network, sponsor, travel_history
from ._catalogue import Catalogue, catalogue
from ._sources import Sources, submitted_day

__all__ = ["FAMILIES", "ID_COLUMNS", "build_family", "build_features", "build_features_for"]

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


def build_features(tables: Any, *, settings: Settings | None = None) -> pl.LazyFrame:
    """Features of every application in ``tables``, lazily.

    Parameters
    ----------
    tables
        A ``RawTables`` (the six contract tables as LazyFrames).
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
    history: Any,
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
        A ``RawTables`` with what the service knew before: the applicants'
        travel history and decisions, the sponsor register, and the earlier
        applications (with their documents) sharing a contact, agent or sponsor.
        Extra rows are harmless; the new applications may appear in it too.
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
    src = _sources(applications.lazy(), documents.lazy(), history, pool, pool_docs, True)
    return _assemble(src, settings or get_settings(), catalogue()).collect()


def build_family(group: str, tables: Any, *, settings: Settings | None = None) -> pl.LazyFrame:
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
    history: Any,
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
