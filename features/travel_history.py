"""History signals: past trips (overstays, on-time exits) and past decisions (refusals).

Point in time: an application submitted on day ``t`` sees only trips and
decisions dated strictly before ``t`` (the ``trip_record`` and
``decision_record`` facts, :mod:`features._facts_history`); an ongoing
overstay counts for ``t - authorised_until`` days.  Later events never change
a feature.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ._derive import Derivation, col, days_between, lit, when
from ._family import Declare, Family
from ._sources import DAY

__all__ = [
    "FAMILY",
    "days_since_last_overstay",
    "days_since_last_refusal",
    "on_time_exit_share",
    "prior_decision_count",
    "prior_overstay_count",
    "prior_overstay_days",
    "prior_refusal_count",
    "prior_trip_count",
]

#: The travel history family: the applicant's trip and decision records.
FAMILY = Family("travel_history", owner="history-analytics")
_TRIP_INPUTS = ("entry_date", "exit_date", "authorised_until", "submitted_at")
_DECISION_INPUTS = ("decided_at", "outcome", "submitted_at")


def _declare(**fields: Any) -> Declare:
    """``FAMILY.feature`` for a numeric history feature."""
    return FAMILY.feature(kind="numeric", **fields)


@_declare(
    dtype=pl.Int32,
    unit="trips",
    description="Past trips whose outcome was known: exited, or overstaying",
    purpose="A longer travel record gives the other history signals more weight",
    reason_en="{value:.0f} past trips on record",
    reason_id="{value:.0f} perjalanan sebelumnya tercatat",
    inputs=_TRIP_INPUTS,
)
def prior_trip_count() -> Derivation:
    return col("closed") + col("open")


@_declare(
    dtype=pl.Int32,
    unit="overstays",
    description="Past trips exited after the authorised date, or still not exited past it",
    purpose="A past overstay is the strongest known predictor of another",
    reason_en="{value:.0f} past overstays",
    reason_id="{value:.0f} kali melebihi izin tinggal sebelumnya",
    inputs=_TRIP_INPUTS,
)
def prior_overstay_count() -> Derivation:
    return col("overstays") + col("open")


@_declare(
    dtype=pl.Int32,
    unit="days",
    description="Total days stayed beyond the authorised date on past trips",
    purpose="Long overstays weigh more than a day's delay",
    reason_en="{value:.0f} days of past overstay in total",
    reason_id="Total {value:.0f} hari melebihi izin tinggal sebelumnya",
    inputs=_TRIP_INPUTS,
)
def prior_overstay_days() -> Derivation:
    ongoing = col("open") * col(DAY).epoch_days() - col("open_since")
    return col("overstay_days") + ongoing


@_declare(
    dtype=pl.Int32,
    unit="days",
    description="Days since the last overstay ended (0 while one is ongoing)",
    purpose="A recent overstay says more than one long ago",
    reason_en="Last overstay ended {value:.0f} days before the application",
    reason_id="Pelanggaran izin tinggal terakhir berakhir {value:.0f} hari sebelum permohonan",
    missing_en="No overstay on record",
    missing_id="Tidak ada catatan melebihi izin tinggal",
    inputs=_TRIP_INPUTS,
)
def days_since_last_overstay() -> Derivation:
    since = days_between(col(DAY), col("last_overstay_exit"))
    return when(col("open") > 0).then(0).otherwise(since)


@_declare(
    unit="share",
    description="Share of past trips exited by the authorised date",
    purpose="A record of on-time exits lowers the risk of overstay",
    reason_en="{value:.0%} of past trips exited on time",
    reason_id="{value:.0%} perjalanan sebelumnya keluar tepat waktu",
    missing_en="No past trips on record",
    missing_id="Tidak ada catatan perjalanan sebelumnya",
    inputs=_TRIP_INPUTS,
)
def on_time_exit_share() -> Derivation:
    known = col("closed") + col("open")
    return when(known > 0).then(col("on_time") / known).otherwise(lit(None))


@_declare(
    dtype=pl.Int32,
    unit="decisions",
    description="Earlier applications decided before this one",
    purpose="Gives weight to the refusal record",
    reason_en="{value:.0f} earlier applications decided",
    reason_id="{value:.0f} permohonan sebelumnya telah diputuskan",
    inputs=_DECISION_INPUTS,
)
def prior_decision_count() -> Derivation:
    return col("decisions")


@_declare(
    dtype=pl.Int32,
    unit="refusals",
    description="Earlier applications refused before this one",
    purpose="Earlier refusals can point to unresolved concerns",
    reason_en="{value:.0f} earlier refusals",
    reason_id="{value:.0f} penolakan sebelumnya",
    inputs=_DECISION_INPUTS,
)
def prior_refusal_count() -> Derivation:
    return col("refusals")


@_declare(
    dtype=pl.Int32,
    unit="days",
    description="Days since the last refusal was decided",
    purpose="Re-applying soon after a refusal can mean the concern was not resolved",
    reason_en="Last refusal {value:.0f} days before the application",
    reason_id="Penolakan terakhir {value:.0f} hari sebelum permohonan",
    missing_en="No earlier refusal on record",
    missing_id="Tidak ada catatan penolakan sebelumnya",
    inputs=_DECISION_INPUTS,
)
def days_since_last_refusal() -> Derivation:
    return days_between(col(DAY), col("last_refusal"))
