"""Simulated drift: a scenario that changes the world from a given day on.

``new-post``: from ``start``, a new post opens and takes ``share`` of the applications.
Its caseload has a different mix (work visas for employment, long stays, a third of the
usual declared funds) and it brings a forgery technique the document scanner misses:
forged documents lodged there get tamper scores drawn like genuine ones, and its
scanners read images at lower quality.  The truth does not change: the same people
overstay and the same documents are forged, so a model watching the inputs sees the
mix move, and a model relying on the tamper score quietly misses forgeries.

The scenario draws from its own random stream, so a world without it is byte for byte
the world the generator always made, and the applications before ``start`` are the
same with or without it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from risk.errors import ConfigError
from risk.text import listing

__all__ = ["DRIFT_SCENARIOS", "NEW_POST", "DriftScenario", "apply_drift"]

DRIFT_SCENARIOS = ("new-post",)
#: The new post's place-of-application code.
NEW_POST = "XNP-NEW-POST"


@dataclass(frozen=True)
class DriftScenario:
    """Which drift, from which day, for what share of the applications.

    Parameters
    ----------
    name
        One of :data:`DRIFT_SCENARIOS`.
    start
        First day of the drift (applications submitted on or after it).
    share
        Share of those applications that go through the new post (0 to 1).
    """

    name: str
    start: dt.date
    share: float = 0.35

    def __post_init__(self) -> None:
        if self.name not in DRIFT_SCENARIOS:
            known = listing(DRIFT_SCENARIOS, conjunction="or")
            raise ConfigError(f"synth: drift scenario {self.name!r} is unknown; use one of {known}")
        if not 0 < self.share <= 1:
            raise ConfigError(f"synth: drift share must be above 0 and at most 1, got {self.share}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (recorded in the world's manifest)."""
        return {**asdict(self), "start": self.start.isoformat()}


def apply_drift(
    tables: dict[str, pl.DataFrame], fraud_kinds: pl.DataFrame, scenario: DriftScenario, seed: int
) -> dict[str, pl.DataFrame]:
    """The tables with ``scenario`` applied (``tables`` itself is left as it was)."""
    rng = np.random.default_rng([seed, zlib.crc32(scenario.name.encode())])
    apps = tables["applications"]
    after = (apps["submitted_at"] >= dt.datetime.combine(scenario.start, dt.time())).to_numpy()
    moved = after & (rng.random(apps.height) < scenario.share)
    ids = apps.filter(pl.Series(moved))["application_id"]
    out = dict(tables)
    out["applications"] = _applications(apps, pl.Series(moved), rng)
    out["documents"] = _documents(tables["documents"], ids, fraud_kinds, rng)
    return out


def _applications(apps: pl.DataFrame, moved: pl.Series, rng: np.random.Generator) -> pl.DataFrame:
    n = apps.height
    stay = rng.integers(180, 721, n).astype(np.int32)
    return apps.with_columns(
        pl.when(moved)
        .then(pl.lit(NEW_POST))
        .otherwise(pl.col("place_of_application"))
        .alias("place_of_application"),
        pl.when(moved).then(pl.lit("work")).otherwise(pl.col("visa_type")).alias("visa_type"),
        pl.when(moved).then(pl.lit("employment")).otherwise(pl.col("purpose")).alias("purpose"),
        pl.when(moved)
        .then(pl.Series(stay))
        .otherwise(pl.col("intended_stay_days"))
        .alias("intended_stay_days"),
        pl.when(moved)
        .then((pl.col("declared_funds_usd") / 3).round(0))
        .otherwise(pl.col("declared_funds_usd"))
        .alias("declared_funds_usd"),
    )


def _documents(
    docs: pl.DataFrame, ids: pl.Series, fraud_kinds: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    forged = fraud_kinds.filter(pl.col("fraud_kind") != "genuine")["application_id"]
    at_post = docs["application_id"].is_in(ids.implode())
    evades = at_post & docs["application_id"].is_in(forged.implode())
    genuine_like = pl.Series(np.clip(rng.beta(1.5, 30, docs.height), 0, 1))
    quality_drop = pl.Series(rng.uniform(0.1, 0.25, docs.height))
    return docs.with_columns(
        pl.when(evades & pl.col("tamper_score").is_not_null())
        .then(genuine_like)
        .otherwise(pl.col("tamper_score"))
        .alias("tamper_score"),
        pl.when(at_post)
        .then((pl.col("image_quality_score") - quality_drop).clip(0, 1))
        .otherwise(pl.col("image_quality_score"))
        .alias("image_quality_score"),
    )
