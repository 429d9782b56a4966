"""The simulated world: its history before the simulation and the months to operate.

A synthetic world covers ``years`` of applications.  The simulation operates its last
``months`` calendar months; everything before is history: it trains the first model and
fills the store, as an agency's records would on the day the service starts.  The world's
truth stays here, for evaluation and for the simulated officers' findings; it never
reaches training.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from risk.errors import ConfigError
from risk.io import RawTables, load_tables, write_table

__all__ = ["SimWorld", "month_starts", "split_world"]


def month_starts(first: dt.datetime, months: int) -> list[dt.datetime]:
    """``months + 1`` month boundaries from ``first`` (a first of the month)."""
    out = [first]
    for _ in range(months):
        last = out[-1]
        out.append(last.replace(year=last.year + last.month // 12, month=last.month % 12 + 1))
    return out


@dataclass(frozen=True)
class SimWorld:
    """The world split at the simulation's start.

    Attributes
    ----------
    tables
        The whole world's contract tables (lazy).
    truth
        ``application_id`` with the true violations and ``nationality`` (evaluation only).
    boundaries
        ``months + 1`` month starts; month ``i`` is ``[boundaries[i], boundaries[i+1])``.
    history_dir
        The contract tables before the start (with the truth, for the model card's metrics).
    """

    tables: RawTables
    truth: pl.DataFrame
    boundaries: list[dt.datetime]
    history_dir: Path

    @property
    def start(self) -> dt.datetime:
        """The first simulated instant (history is everything before it)."""
        return self.boundaries[0]

    def month_label(self, i: int) -> str:
        """``YYYY-MM`` of month ``i``."""
        return f"{self.boundaries[i]:%Y-%m}"

    def applications(self, i: int) -> pl.DataFrame:
        """Month ``i``'s applications in submission order."""
        lo, hi = self.boundaries[i], self.boundaries[i + 1]
        return (
            self.tables.applications.filter(pl.col("submitted_at").is_between(lo, hi, "left"))
            .sort("submitted_at", "application_id")
            .collect()
        )


def split_world(world_dir: Path, months: int, history_dir: Path) -> SimWorld:
    """Split the world in ``world_dir`` so its last ``months`` calendar months are simulated.

    The history (applications before the start, their documents, outcomes and truth; the
    applicant-level tables whole, as features read them point-in-time) is written to
    ``history_dir`` for the first training.

    Raises
    ------
    ConfigError
        If fewer than twelve months of history would remain to train the first model.
    """
    tables = load_tables(world_dir, include_truth=True)
    span = tables.applications.select(
        pl.col("submitted_at").min().alias("lo"), pl.col("submitted_at").max().alias("hi")
    ).collect()
    lo, hi = span["lo"].item(), span["hi"].item()
    end = dt.datetime(hi.year, hi.month, 1)
    end = month_starts(end, 1)[1]  # the first day after the world's last month
    back = end.year * 12 + end.month - 1 - months  # months since year 0, zero-based
    first = dt.datetime(back // 12, back % 12 + 1, 1)
    history_months = (first.year - lo.year) * 12 + first.month - lo.month
    if history_months < 12:
        raise ConfigError(
            f"simulate: {months} months leave {history_months} months of history in a world"
            f" from {lo:%Y-%m} to {hi:%Y-%m}; the first model needs at least 12"
        )
    _write_history(tables, first, history_dir)
    truth = tables.truth.join(
        tables.applications.select("application_id", "nationality"), on="application_id"
    ).collect()
    return SimWorld(tables, truth, month_starts(first, months), history_dir)


def _write_history(tables: RawTables, start: dt.datetime, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    apps = tables.applications.filter(pl.col("submitted_at") < start)
    ids = apps.select("application_id")
    frames = {
        "applications": apps,
        "documents": tables.documents.join(ids, on="application_id", how="semi"),
        "travel_history": tables.travel_history,
        "prior_decisions": tables.prior_decisions,
        "sponsors": tables.sponsors,
        "outcomes": tables.outcomes.join(ids, on="application_id", how="semi"),
        "truth": tables.truth.join(ids, on="application_id", how="semi"),
    }
    for name, frame in frames.items():
        write_table(frame.collect(), out / f"{name}.parquet")
