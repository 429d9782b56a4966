"""The history facts: the applicant's trip record and decision record before the day.

Point in time: an application submitted on day ``t`` sees only events dated
strictly before ``t``.  A trip exited before ``t`` is *closed* (on time if the
exit is not after its authorised-until date); a trip whose authorised-until
date is before ``t`` but which was not exited before ``t`` is an *ongoing
overstay* (``open``; ``open_since`` sums the days since 1970 at which the open
ones began); decisions count once ``decided_at`` is before ``t``.  Later
events never change a fact.

Batch: each trip or decision becomes dated events summed per applicant and
looked up as of the day (:func:`features._windows.cumulative_before`).
Request time: the same sums over the applicant's looked-up rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import polars as pl

from risk.settings import Settings

from ._fact import Fact, Request, reads_alike
from ._scalar import days_between, epoch_days
from ._sources import DAY, Sources
from ._windows import cumulative_before

__all__ = ["DECISION_RECORD", "TRIP_RECORD", "decision_events", "trip_events"]

_TRIP_SUMS = ("closed", "on_time", "overstays", "overstay_days", "open", "open_since")
_TRIP_READS = ("applicant_id", "submitted_at", "exit_date", "authorised_until")
_DECISION_READS = ("applicant_id", "submitted_at", "decided_at", "outcome")


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
    zero = pl.lit(0, pl.Int32)
    opened = trips.filter(late).select(
        "applicant_id",
        au.alias(DAY),
        *(zero.alias(c) for c in ("closed", "on_time", "overstays", "overstay_days")),
        pl.lit(1, pl.Int32).alias("open"),
        au.cast(pl.Int32).alias("open_since"),
        pl.lit(None, pl.Date).alias("last_overstay_exit"),
    )
    over = exit_ > au
    closed = trips.filter(exit_.is_not_null()).select(
        "applicant_id",
        exit_.alias(DAY),
        pl.lit(1, pl.Int32).alias("closed"),
        (~over).cast(pl.Int32).alias("on_time"),
        over.cast(pl.Int32).alias("overstays"),
        pl.when(over).then((exit_ - au).dt.total_days()).otherwise(0).cast(pl.Int32)
        .alias("overstay_days"),
        -over.cast(pl.Int32).alias("open"),
        -pl.when(over).then(au.cast(pl.Int32)).otherwise(0).cast(pl.Int32).alias("open_since"),
        pl.when(over).then(exit_).otherwise(None).alias("last_overstay_exit"),
    )  # fmt: skip
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


def _trips_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    return cumulative_before(
        src.targets.select("applicant_id", DAY),
        trip_events(src.history.travel_history),
        by="applicant_id",
        at=DAY,
        sums=list(_TRIP_SUMS),
        latest=["last_overstay_exit"],
    ).select(*_TRIP_SUMS, "last_overstay_exit")


def _trips_request(request: Request) -> dict[str, Any]:
    """The sums of :func:`trip_events` dated strictly before the day, and the last overstay exit.

    Rows of another applicant are ignored and a null applicant matches nothing (as
    in the batch join); null dates are left out of the sums.
    """
    day, who = request.day, request.application["applicant_id"]
    closed = on_time = overstays = overstay_days = open_ = open_since = 0
    last_exit: date | None = None
    for trip in _rows_of(request.lookups.trips, who):
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
    sums = (closed, on_time, overstays, overstay_days, open_, open_since)
    return {**dict(zip(_TRIP_SUMS, sums, strict=True)), "last_overstay_exit": last_exit}


def _decisions_batch(src: Sources, settings: Settings) -> pl.LazyFrame:
    return cumulative_before(
        src.targets.select("applicant_id", DAY),
        decision_events(src.history.prior_decisions),
        by="applicant_id",
        at=DAY,
        sums=["decisions", "refusals"],
        latest=["last_refusal"],
    ).select("decisions", "refusals", "last_refusal")


def _decisions_request(request: Request) -> dict[str, Any]:
    """Decisions and refusals decided strictly before the day, and the last refusal's date."""
    day, who = request.day, request.application["applicant_id"]
    count = refusals = 0
    last: date | None = None
    for decision in _rows_of(request.lookups.decisions, who):
        at = decision["decided_at"]
        if at is None or not at < day:
            continue
        count += 1
        if decision["outcome"] == "refused":
            refusals += 1
            if last is None or at > last:
                last = at
    return {"decisions": count, "refusals": refusals, "last_refusal": last}


def _rows_of(rows: Iterable[Mapping[str, Any]], who: Any) -> Iterable[Mapping[str, Any]]:
    if who is None:
        return ()
    return (row for row in rows if row["applicant_id"] == who)


#: The applicant's trips before the day: closed, on time, overstays and their days,
#: ongoing overstays, and the last overstay's exit.
TRIP_RECORD = Fact(
    name="trip_record",
    description="The applicant's trips before the day: closed (``closed``), exited on time"
    " (``on_time``), overstays and their total days (``overstays``, ``overstay_days``),"
    " overstays still ongoing (``open``, ``open_since``) and the last overstay's exit"
    " (``last_overstay_exit``)",
    reads=reads_alike((*_TRIP_SUMS, "last_overstay_exit"), _TRIP_READS),
    batch=_trips_batch,
    request=_trips_request,
)
#: The applicant's earlier decisions before the day.
DECISION_RECORD = Fact(
    name="decision_record",
    description="The applicant's earlier applications decided before the day (``decisions``),"
    " the refusals among them (``refusals``) and the last refusal's date (``last_refusal``)",
    reads=reads_alike(("decisions", "refusals", "last_refusal"), _DECISION_READS),
    batch=_decisions_batch,
    request=_decisions_request,
)
