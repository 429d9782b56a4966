"""What the family pipelines read: the applications to compute and their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from risk.io import RawTables

from ._windows import window_count_within

__all__ = [
    "DAY",
    "Sources",
    "primary_document",
    "primary_documents",
    "recent_count",
    "submitted_day",
]

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
        The raw tables: travel history, prior decisions, sponsors.  Window counts
        count among the targets themselves (every application known).
    """

    targets: pl.LazyFrame
    documents: pl.LazyFrame
    history: RawTables


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


def primary_document(documents: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The scalar twin of :func:`primary_documents` for one application's documents.

    The passport if there is one, else the document with the smallest
    ``document_id``; a null ``document_id`` sorts first, as in polars' sort.
    None when there is no document.
    """
    best, best_key = None, None
    for doc in documents:
        doc_id = doc["document_id"]
        key = (doc["document_type"] != "passport", doc_id is not None, doc_id or "")
        if best_key is None or key < best_key:
            best, best_key = doc, key
    return best


def recent_count(src: Sources, *, by: str, days: int, name: str) -> pl.LazyFrame:
    """Targets sharing ``by`` with each target in the ``days`` before it.

    One column ``name`` (``Int32``; null where the key is null), targets' order.
    """
    frame = src.targets.select(by, "submitted_at")
    counted = window_count_within(frame, by=by, at="submitted_at", days=days, name=name)
    return counted.select(name)
