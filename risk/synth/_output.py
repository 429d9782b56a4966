"""Write a world to a folder: one Parquet file per table and a ``manifest.json``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from risk.errors import ConfigError, DataFileError
from risk.io import write_table

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

    def to_json(self) -> str:
        """The manifest as stable, indented JSON (``drift`` only when the world has one)."""
        data = asdict(self)
        if data["drift"] is None:
            del data["drift"]
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

    Returns
    -------
    Manifest
        Row counts, parameters and file hashes.
    """
    first = _check(n, start, years)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(f"{out}: cannot create the output folder ({exc})") from exc
    world = generate_world(n, seed, start=first, years=years, progress=progress, drift=drift)
    if progress:
        progress("write")
    rows, digests = {}, {}
    for name, frame in world.tables.items():
        path = out / f"{name}.parquet"
        write_table(frame, path)
        rows[name] = frame.height
        digests[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
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
    )
    (out / "manifest.json").write_text(manifest.to_json())
    return manifest


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
