"""Write a world to a folder: one Parquet file per table and a ``manifest.json``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from risk.errors import ConfigError, DataFileError
from risk.io import write_partitioned, write_table

from ._drift import DriftScenario
from ._world import generate_world

#: Bumped whenever the same seed would give different bytes.
GENERATOR_VERSION = "1.0.0"


@dataclass(frozen=True)
class Manifest:
    """What a generated world holds and how it was made.

    Attributes
    ----------
    generator_version, seed, applications, start_date, years, snapshot
        The parameters; ``snapshot`` is the end of the window (labels later are pending).
    rows
        Row count per table.
    sha256
        SHA-256 of each written file, by file name.
    """

    generator_version: str
    seed: int
    applications: int
    start_date: str
    years: int
    snapshot: str
    rows: dict[str, int] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    drift: dict[str, Any] | None = None
    partition_by: str | None = None

    def to_json(self) -> str:
        """The manifest as stable, indented JSON (``drift``, ``partition_by`` only when set)."""
        data = asdict(self)
        for optional in ("drift", "partition_by"):
            if data[optional] is None:
                del data[optional]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: str | Path) -> Manifest:
        """Read ``manifest.json`` from a world folder (or the file itself)."""
        path = Path(path)
        path = path / "manifest.json" if path.is_dir() else path
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise DataFileError(f"{path}: not a readable world manifest ({exc})") from exc


def synthesize(
    n: int,
    seed: int,
    out_dir: str | Path,
    *,
    start: dt.date | str = "2023-01-01",
    years: int = 3,
    progress: Callable[[str], None] | None = None,
    drift: DriftScenario | None = None,
    partition_by: str | None = None,
) -> Manifest:
    """Generate a synthetic world of ``n`` applications and write it to ``out_dir``.

    Parameters
    ----------
    n
        Number of applications (at least 100).
    seed
        Random seed; the same seed and parameters give the same bytes.
    out_dir
        Folder to write (created if needed): ``applications.parquet``, ``documents.parquet``,
        ``travel_history.parquet``, ``prior_decisions.parquet``, ``sponsors.parquet``,
        ``outcomes.parquet``, ``truth.parquet`` and ``manifest.json``.
    start, years
        First day of the window and its length; the snapshot is the window's end.
    progress
        Called with the name of each step as it starts (:data:`risk.synth.STEPS`, then
        ``"write"``).
    drift
        A drift scenario (:class:`risk.synth.DriftScenario`), recorded in the manifest;
        without one the world is byte for byte the world the generator always made.
    partition_by
        ``"month"`` writes each table as a hive-style partitioned folder instead of one
        file (``applications/month=2024-03/part-0.parquet``; see :data:`PARTITION_MONTH`
        for the date each table is partitioned on).  The same seed gives the same bytes.

    Returns
    -------
    Manifest
        Row counts, parameters and file hashes.
    """
    first = _check(n, start, years)
    if partition_by not in (None, "month"):
        raise ConfigError(f"synth: --partition-by must be 'month', got {partition_by!r}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(f"{out}: cannot create the output folder ({exc})") from exc
    world = generate_world(n, seed, start=first, years=years, progress=progress, drift=drift)
    if progress:
        progress("write")
    rows, digests = {}, {}
    months = _application_months(world.tables["applications"]) if partition_by else None
    for name, frame in world.tables.items():
        rows[name] = frame.height
        if months is None:
            path = out / f"{name}.parquet"
            write_table(frame, path)
            digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
            continue
        key = _month_key(name, frame, months)
        for part in write_partitioned(frame, out / name, key=key, name="month"):
            digests[part.relative_to(out).as_posix()] = hashlib.sha256(
                part.read_bytes()
            ).hexdigest()
    manifest = Manifest(
        GENERATOR_VERSION,
        seed,
        n,
        first.isoformat(),
        years,
        world.snapshot.isoformat(),
        rows,
        digests,
        None if drift is None else drift.to_dict(),
        partition_by,
    )
    (out / "manifest.json").write_text(manifest.to_json())
    return manifest


#: The date each table is partitioned on by month: its own, or (``None``) its application's
#: submission day, so an application's documents, outcome and truth share its partition.
PARTITION_MONTH: dict[str, str | None] = {
    "applications": "submitted_at",
    "documents": None,
    "outcomes": None,
    "truth": None,
    "travel_history": "entry_date",
    "prior_decisions": "decided_at",
    "sponsors": "registered_at",
}


def _application_months(applications: pl.DataFrame) -> pl.DataFrame:
    return applications.select(
        "application_id", pl.col("submitted_at").dt.strftime("%Y-%m").alias("__m")
    )


def _month_key(name: str, frame: pl.DataFrame, months: pl.DataFrame) -> pl.Series:
    """The ``YYYY-MM`` partition of each row of table ``name`` (in row order)."""
    column = PARTITION_MONTH[name]
    if column is not None:
        return frame.get_column(column).dt.strftime("%Y-%m")
    joined = frame.select("application_id").join(months, on="application_id", how="left",
                                                 maintain_order="left")  # fmt: skip
    return joined.get_column("__m")


def _check(n: int, start: dt.date | str, years: int) -> dt.date:
    """Refuse impossible parameters with a message naming the bad value."""
    if n < 100:
        raise ConfigError(f"synth: applications must be at least 100, got {n}")
    if not 1 <= years <= 10:
        raise ConfigError(f"synth: years must be between 1 and 10, got {years}")
    try:
        return start if isinstance(start, dt.date) else dt.date.fromisoformat(start)
    except ValueError as exc:
        raise ConfigError(f"synth: start date {start!r} is not an ISO date (YYYY-MM-DD)") from exc
