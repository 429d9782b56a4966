"""Financial signals: declared means against the length of the stay."""

from __future__ import annotations

from ._derive import Derivation, col
from ._family import Family

__all__ = ["FAMILY", "declared_funds_usd", "funds_per_day_usd"]

#: The financial family: declared means.
FAMILY = Family("financial", owner="financial-analytics")


@FAMILY.feature(
    kind="numeric",
    unit="USD",
    description="Declared available funds, in US dollars",
    purpose="Visitors without means for the stay may work without authorisation",
    reason_en="Declared funds of {value:,.0f} {unit}",
    reason_id="Dana yang dinyatakan sebesar {value:,.0f} USD",
    inputs=("declared_funds_usd",),
)
def declared_funds_usd() -> Derivation:
    return col("declared_funds_usd")


@FAMILY.feature(
    kind="numeric",
    unit="USD per day",
    description="Declared funds divided by the declared days of stay",
    purpose="Funds too thin for the length of stay can signal an intent to work or stay on",
    reason_en="Declared funds of {value:,.0f} USD per day of stay",
    reason_id="Dana yang dinyatakan {value:,.0f} USD per hari tinggal",
    inputs=("declared_funds_usd", "intended_stay_days"),
)
def funds_per_day_usd() -> Derivation:
    # A zero-day stay divides as polars does: inf (NaN for no funds), not an error.
    return col("declared_funds_usd") / col("intended_stay_days")
