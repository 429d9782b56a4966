"""History signals: past trips (overstays, on-time exits) and past decisions (refusals).

Point in time: an application submitted on day ``t`` sees only events dated
strictly before ``t``.  A trip exited before ``t`` is *closed* (on time if the
exit is not after its authorised-until date); a trip whose authorised-until
date is before ``t`` but which was not exited before ``t`` is an *ongoing
overstay*, counted for ``t - authorised_until`` days; decisions count once
``decided_at`` is before ``t``.  Later events never change a feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from risk.settings import Settings

from ._registry import feature
from ._scalar import days_between, epoch_days
from ._sources import DAY, Sources
from ._windows import cumulative_before

if TYPE_CHECKING:
    from ._row import Lookups

__all__ = [
    "context",
    "days_since_last_overstay",
    "days_since_last_refusal",
    "on_time_exit_share",
    "prior_decision_count",
    "prior_overstay_count",
    "prior_overstay_days",
    "prior_refusal_count",
    "prior_trip_count",
    "row",
]

_OWNER = "history-analytics"
_TRIP_INPUTS = ("entry_date", "exit_date", "authorised_until", "submitted_at")
_DECISION_INPUTS = ("decided_at", "outcome", "submitted_at")
_SUMS = ["closed", "on_time", "overstays", "overstay_days", "open", "open_since"]

#: :func:`feature` with what every travel history feature declares alike.
_declare = partial(feature, group="travel_history", kind="numeric", owner=_OWNER)


@_declare(
    dtype=pl.Int32,
    unit="trips",
    description="Past trips whose outcome was known: exited, or overstaying",
    purpose="A longer travel record gives the other history signals more weight",
    reason_en="{value:.0f} past trips on record",
    reason_id="{value:.0f} perjalanan sebelumnya tercatat",
    inputs=_TRIP_INPUTS,
)
def prior_trip_count() -> pl.Expr:
    return pl.col("closed") + pl.col("open")


@_declare(
    dtype=pl.Int32,
    unit="overstays",
    description="Past trips exited after the authorised date, or still not exited past it",
    purpose="A past overstay is the strongest known predictor of another",
    reason_en="{value:.0f} past overstays",
    reason_id="{value:.0f} kali melebihi izin tinggal sebelumnya",
    inputs=_TRIP_INPUTS,
)
def prior_overstay_count() -> pl.Expr:
    return pl.col("overstays") + pl.col("open")


@_declare(
    dtype=pl.Int32,
    unit="days",
    description="Total days stayed beyond the authorised date on past trips",
    purpose="Long overstays weigh more than a day's delay",
    reason_en="{value:.0f} days of past overstay in total",
    reason_id="Total {value:.0f} hari melebihi izin tinggal sebelumnya",
    inputs=_TRIP_INPUTS,
)
def prior_overstay_days() -> pl.Expr:
    ongoing = pl.col("open") * pl.col(DAY).cast(pl.Int32) - pl.col("open_since")
    return pl.col("overstay_days") + ongoing


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
def days_since_last_overstay() -> pl.Expr:
    since = (pl.col(DAY) - pl.col("last_overstay_exit")).dt.total_days()
    return pl.when(pl.col("open") > 0).then(0).otherwise(since)


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
def on_time_exit_share() -> pl.Expr:
    known = pl.col("closed") + pl.col("open")
    return pl.when(known > 0).then(pl.col("on_time") / known).otherwise(None)


@_declare(
    dtype=pl.Int32,
    unit="decisions",
    description="Earlier applications decided before this one",
    purpose="Gives weight to the refusal record",
    reason_en="{value:.0f} earlier applications decided",
    reason_id="{value:.0f} permohonan sebelumnya telah diputuskan",
    inputs=_DECISION_INPUTS,
)
def prior_decision_count() -> pl.Expr:
    return pl.col("decisions")


@_declare(
    dtype=pl.Int32,
    unit="refusals",
    description="Earlier applications refused before this one",
    purpose="Earlier refusals can point to unresolved concerns",
    reason_en="{value:.0f} earlier refusals",
    reason_id="{value:.0f} penolakan sebelumnya",
    inputs=_DECISION_INPUTS,
)
def prior_refusal_count() -> pl.Expr:
    return pl.col("refusals")


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
def days_since_last_refusal() -> pl.Expr:
    return (pl.col(DAY) - pl.col("last_refusal")).dt.total_days()


def trip_events(trips: pl.LazyFrame) -> pl.LazyFrame:
    """Each trip as dated events that change the cumulative record.

    A trip exited on time is one event at its exit.  A trip not exited by its
    authorised date opens an ongoing overstay at that date; if it is exited
    later, a second event at the exit closes it (undoing the open count) and
    records the overstay and its length.
    """
    au = pl.col("authorised_until")
    exit_ = pl.col("exit_date")
    late = exit_.is_null() | (exit_ > au)
    au_day = au.cast(pl.Int32)
    zero = pl.lit(0, pl.Int32)
    opened = trips.filter(late).select(
        "applicant_id",
        au.alias(DAY),
        zero.alias("closed"),
        zero.alias("on_time"),
        zero.alias("overstays"),
        zero.alias("overstay_days"),
        pl.lit(1, pl.Int32).alias("open"),
        au_day.alias("open_since"),
        pl.lit(None, pl.Date).alias("last_overstay_exit"),
    )
    over = exit_ > au
    closed = trips.filter(exit_.is_not_null()).select(
        "applicant_id",
        exit_.alias(DAY),
        pl.lit(1, pl.Int32).alias("closed"),
        (~over).cast(pl.Int32).alias("on_time"),
        over.cast(pl.Int32).alias("overstays"),
        pl.when(over)
        .then((exit_ - au).dt.total_days())
        .otherwise(0)
        .cast(pl.Int32)
        .alias("overstay_days"),
        -over.cast(pl.Int32).alias("open"),
        -pl.when(over).then(au_day).otherwise(0).cast(pl.Int32).alias("open_since"),
        pl.when(over).then(exit_).otherwise(None).alias("last_overstay_exit"),
    )
    return pl.concat([opened, closed])


def decision_events(decisions: pl.LazyFrame) -> pl.LazyFrame:
    """Each decision as a dated event: one decision, a refusal or not, the refusal's date."""
    refused = pl.col("outcome") == "refused"
    return decisions.select(
        "applicant_id",
        pl.col("decided_at").alias(DAY),
        pl.lit(1, pl.Int32).alias("decisions"),
        refused.cast(pl.Int32).alias("refusals"),
        pl.when(refused).then(pl.col("decided_at")).alias("last_refusal"),
    )


def context(src: Sources, settings: Settings) -> pl.LazyFrame:
    """The history family's columns: cumulative trip and decision records before each day."""
    targets = src.targets.select("application_id", "applicant_id", DAY)
    trips = cumulative_before(
        targets,
        trip_events(src.history.travel_history),
        by="applicant_id",
        at=DAY,
        sums=_SUMS,
        latest=["last_overstay_exit"],
    )
    decisions = cumulative_before(
        targets.select("applicant_id", DAY),
        decision_events(src.history.prior_decisions),
        by="applicant_id",
        at=DAY,
        sums=["decisions", "refusals"],
        latest=["last_refusal"],
    )
    return pl.concat(
        [trips, decisions.select("decisions", "refusals", "last_refusal")], how="horizontal"
    )


def row(
    application: Mapping[str, Any],
    primary_document: Mapping[str, Any] | None,
    lookups: Lookups,
    settings: Settings,
) -> dict[str, Any]:
    """The history family's features for one application (the scalar twin of the batch).

    Reads ``lookups.trips`` and ``lookups.decisions``; rows of another applicant
    are ignored, and a null applicant matches nothing (as in the batch join).
    """
    day = application["submitted_at"].date()
    who = application["applicant_id"]
    record = _trip_record(lookups.trips, who, day)
    closed, on_time, overstays, overstay_days, open_, open_since, last_exit = record
    known = closed + open_
    decisions, refusals, last_refusal = _decision_record(lookups.decisions, who, day)
    return {
        "prior_trip_count": known,
        "prior_overstay_count": overstays + open_,
        "prior_overstay_days": overstay_days + (open_ * epoch_days(day) - open_since),
        "days_since_last_overstay": 0 if open_ > 0 else days_between(day, last_exit),
        "on_time_exit_share": on_time / known if known > 0 else None,
        "prior_decision_count": decisions,
        "prior_refusal_count": refusals,
        "days_since_last_refusal": days_between(day, last_refusal),
    }


def _trip_record(trips, who: str | None, day: date) -> tuple:
    """The sums of :func:`trip_events` dated strictly before ``day``, and the last overstay exit.

    Null values are left out of the sums (as cumulated in batch, where the contract
    keeps ``authorised_until`` non-null).
    """
    closed = on_time = overstays = overstay_days = open_ = open_since = 0
    last_exit: date | None = None
    if who is None:
        return closed, on_time, overstays, overstay_days, open_, open_since, last_exit
    for trip in trips:
        if trip["applicant_id"] != who:
            continue
        au, exit_ = trip["authorised_until"], trip["exit_date"]
        over = None if exit_ is None or au is None else exit_ > au
        if (exit_ is None or over) and au is not None and au < day:  # the opening event
            open_ += 1
            open_since += epoch_days(au)
        if exit_ is not None and exit_ < day:  # the closing event
            closed += 1
            if over is not None:
                on_time += not over
                overstays += over
                open_ -= over
            if over:
                overstay_days += days_between(exit_, au)
                open_since -= epoch_days(au)
                if last_exit is None or exit_ > last_exit:
                    last_exit = exit_
    return closed, on_time, overstays, overstay_days, open_, open_since, last_exit


def _decision_record(decisions, who: str | None, day: date) -> tuple:
    """Decisions and refusals decided strictly before ``day``, and the last refusal's date."""
    count = refusals = 0
    last: date | None = None
    if who is None:
        return count, refusals, last
    for decision in decisions:
        at = decision["decided_at"]
        if decision["applicant_id"] != who or at is None or not at < day:
            continue
        count += 1
        if decision["outcome"] == "refused":
            refusals += 1
            if last is None or at > last:
                last = at
    return count, refusals, last
