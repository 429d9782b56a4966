"""Facts: what an engine must supply before any feature can be derived.

A fact is a named set of columns known for an application when it arrived (its
primary document and parsed zone, the applicant's trip record, counts of
recent applications sharing a key...).  Facts are the only engine-specific
part of a feature: each has

* a **batch** form, polars over whole tables (one row per application, in order);
* a **request** form, plain Python for one application from :class:`Lookups`,
  the rows a store looks up for it (the service runs SQL for them;
  :func:`features.lookups_from_tables` is the reference meaning).

Features are :mod:`derivations <features._derive>` over fact columns, written
once and run by both paths.  A new engine (Dask, say) adds fact forms only.
Each fact declares, per column, the contract columns it reads (joins
included), so the protected guard sees through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from risk.settings import Settings

from ._sources import Sources

__all__ = ["Fact", "Lookups", "Request"]


@dataclass(frozen=True)
class Lookups:
    """What was known before the application arrived, narrowed to it.

    Parameters
    ----------
    trips
        The applicant's ``travel_history`` rows (contract columns, any order).
    decisions
        The applicant's ``prior_decisions`` rows (contract columns, any order).
    sponsor
        The ``sponsors`` register row of ``application["sponsor_id"]``, or None.
    counts
        Every :data:`features.WINDOW_COUNTS` name mapped to its value (see
        :func:`features.lookups_from_tables` for the rules).
    """

    trips: Sequence[Mapping[str, Any]]
    decisions: Sequence[Mapping[str, Any]]
    sponsor: Mapping[str, Any] | None
    counts: Mapping[str, int | None]


@dataclass(slots=True)
class Request:
    """One application at request time: what the request forms of facts read.

    Parameters
    ----------
    application
        The applications row (contract columns); ``submitted_at`` a datetime.
    documents
        Its documents (rows of this application only).
    lookups
        What the store knew before it.
    settings
        Windows and limits.

    Attributes
    ----------
    day
        The submission day: history dated strictly before it is visible.
    """

    application: Mapping[str, Any]
    documents: Sequence[Mapping[str, Any]]
    lookups: Lookups
    settings: Settings
    day: date = field(init=False)

    def __post_init__(self) -> None:
        self.day = self.application["submitted_at"].date()


BatchForm = Callable[[Sources, Settings], pl.LazyFrame]
RequestForm = Callable[[Request], Mapping[str, Any]]


@dataclass(frozen=True)
class Fact:
    """One engine-specific input of the features.

    Parameters
    ----------
    name
        Short name (``"trip_record"``), unique.
    description
        What the columns hold, in plain words (shown in ``docs/features.md``).
    reads
        Column -> the contract columns it is computed from, join keys included.
        Its keys, in order, are the fact's columns.
    batch
        ``batch(sources, settings)``: a LazyFrame with exactly the fact's columns,
        one row per target application, in the targets' order.
    request
        ``request(request)``: a mapping holding every fact column for one application.
    """

    name: str
    description: str
    reads: Mapping[str, tuple[str, ...]]
    batch: BatchForm
    request: RequestForm

    @property
    def columns(self) -> tuple[str, ...]:
        """The fact's columns, in order."""
        return tuple(self.reads)

    def inputs(self) -> frozenset[str]:
        """Every contract column any of the fact's columns reads."""
        return frozenset(c for cols in self.reads.values() for c in cols)


def reads_alike(columns: Sequence[str], inputs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Lineage for a fact whose columns all read the same contract columns."""
    return dict.fromkeys(columns, tuple(inputs))
