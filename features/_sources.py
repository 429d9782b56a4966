"""What the family pipelines read: the applications to compute and their history."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from risk.io import RawTables

from ._windows import window_count, window_count_within

__all__ = ["DAY", "Sources", "primary_documents", "recent_count", "submitted_day"]

#: Column holding each target's submission day (``pl.Date``), added by the pipeline.
DAY = "submitted_day"


def submitted_day() -> pl.Expr:
    """The submission day: history dated strictly before it is visible to the application."""
    return pl.col("submitted_at").dt.date().alias(DAY)


@dataclass(frozen=True)
class Sources:
    """Inputs of one feature computation.

    Parameters
    ----------
    targets
        Applications to compute features for (contract columns plus ``submitted_day``).
    documents
        Documents of the targets.
    history
        The raw tables: travel history, prior decisions, sponsors.
    pool, pool_documents
        Every application known to the service (targets included) and their
        documents, for counts of earlier applications sharing a key.
    request_time
        True for a few applications at request time: small inputs, where fixed
        per-query costs matter more than throughput.
    """

    targets: pl.LazyFrame
    documents: pl.LazyFrame
    history: RawTables
    pool: pl.LazyFrame
    pool_documents: pl.LazyFrame
    request_time: bool = False


def primary_documents(documents: pl.LazyFrame, *, request_time: bool = False) -> pl.LazyFrame:
    """One document per application: its passport if it has one, else its first document.

    Ties are broken by ``document_id`` so the choice does not depend on row order.
    With ``request_time`` (a few documents) the rows are picked in Python, the
    same choice without a sort's fixed cost; the result is in memory.
    """
    if request_time:
        return _primary_small(documents.collect(optimizations=pl.QueryOptFlags.none()))
    rank = pl.when(pl.col("document_type") == "passport").then(0).otherwise(1)
    return (
        documents.with_columns(rank.alias("__rank"))
        .sort("application_id", "__rank", "document_id")
        .unique(subset="application_id", keep="first", maintain_order=True)
        .drop("__rank")
    )


def _primary_small(docs: pl.DataFrame) -> pl.LazyFrame:
    # Polars sorts nulls first: (False, None) orders before (True, value).
    best: dict[object, tuple[tuple, int]] = {}
    columns = ("application_id", "document_type", "document_id")
    for i, (app, kind, doc) in enumerate(docs.select(columns).iter_rows()):
        key = (kind != "passport", doc is not None, doc or "")
        if app not in best or key < best[app][0]:
            best[app] = (key, i)
    return docs[sorted(i for _, i in best.values())].lazy()


def recent_count(src: Sources, *, by: str, days: int, name: str) -> pl.LazyFrame:
    """Pool applications sharing ``by`` with each target in the ``days`` before it.

    In batch the targets are the pool and a rolling count runs within the frame;
    otherwise each target looks the pool up.  One column ``name``, targets' order.
    """
    if src.pool is src.targets:
        frame = src.targets.select(by, "submitted_at")
        counted = window_count_within(frame, by=by, at="submitted_at", days=days, name=name)
    else:
        counted = window_count(
            src.targets.select(by, "submitted_at"), src.pool, by=by, at="submitted_at",
            days=days, name=name, direct=src.request_time,
        )  # fmt: skip
    return counted.select(name)
