"""What the family pipelines read: the applications to compute and their history."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from risk.io import RawTables

__all__ = ["DAY", "Sources", "primary_documents", "submitted_day"]

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


def primary_documents(documents: pl.LazyFrame) -> pl.LazyFrame:
    """One document per application: its passport if it has one, else its first document.

    Ties are broken by ``document_id`` so the choice does not depend on row order.
    """
    rank = pl.when(pl.col("document_type") == "passport").then(0).otherwise(1)
    return (
        documents.with_columns(rank.alias("__rank"))
        .sort("application_id", "__rank", "document_id")
        .unique(subset="application_id", keep="first", maintain_order=True)
        .drop("__rank")
    )
