"""Financial signals: declared means against the length of the stay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from risk.settings import Settings

from ._registry import feature
from ._scalar import divide, to_float
from ._sources import Sources

if TYPE_CHECKING:
    from ._row import Lookups

__all__ = ["context", "declared_funds_usd", "funds_per_day_usd", "row"]

_OWNER = "financial-analytics"


@feature(
    group="financial",
    kind="numeric",
    unit="USD",
    owner=_OWNER,
    description="Declared available funds, in US dollars",
    purpose="Visitors without means for the stay may work without authorisation",
    reason_en="Declared funds of {value:,.0f} {unit}",
    reason_id="Dana yang dinyatakan sebesar {value:,.0f} USD",
    inputs=("declared_funds_usd",),
)
def declared_funds_usd() -> pl.Expr:
    return pl.col("declared_funds_usd")


@feature(
    group="financial",
    kind="numeric",
    unit="USD per day",
    owner=_OWNER,
    description="Declared funds divided by the declared days of stay",
    purpose="Funds too thin for the length of stay can signal an intent to work or stay on",
    reason_en="Declared funds of {value:,.0f} USD per day of stay",
    reason_id="Dana yang dinyatakan {value:,.0f} USD per hari tinggal",
    inputs=("declared_funds_usd", "intended_stay_days"),
)
def funds_per_day_usd() -> pl.Expr:
    return pl.col("declared_funds_usd") / pl.col("intended_stay_days")


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The financial family's columns: the application itself."""
    return src.targets


def row(
    application: Mapping[str, Any],
    primary_document: Mapping[str, Any] | None,
    lookups: Lookups,
    settings: Settings,
) -> dict[str, Any]:
    """The financial family's features for one application (the scalar twin of the batch).

    A zero-day stay divides as polars does: ``inf`` (or ``NaN`` for no funds), not an error.
    """
    funds = to_float(application["declared_funds_usd"])
    return {
        "declared_funds_usd": funds,
        "funds_per_day_usd": divide(funds, application["intended_stay_days"]),
    }
