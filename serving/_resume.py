"""Where a simulation left the clock, so a later ``risk serve`` on its store continues it.

``risk demo --no-serve`` builds a simulated year; the store's times are simulated ones.
Served later on the wall clock, every waiting time and deadline would be measured
against a date months or years away.  The demo records the simulated instant it
ended at and the wall instant it did so; the service resumes from there at the wall
clock's pace, so a restart a day later is a day further on, never back.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from risk.clock import Clock, ContinuedClock, WallClock
from risk.errors import ConfigError

__all__ = ["CLOCK_FILE", "record_clock", "resumed_clock"]

#: The file in the data folder that holds where the simulated clock stopped.
CLOCK_FILE = "simulated_clock.json"


def record_clock(data_dir: Path, ended_at: dt.datetime, *, wall: Clock | None = None) -> Path:
    """Write ``data_dir/simulated_clock.json``: the simulated end and the wall time now."""
    path = Path(data_dir) / CLOCK_FILE
    record = {
        "simulated": ended_at.isoformat(),
        "wall": (wall or WallClock()).now().isoformat(),
        "note": "risk serve on this data folder continues the simulated clock from here",
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def resumed_clock(data_dir: Path, *, wall: Clock | None = None) -> ContinuedClock | None:
    """The simulated clock continued to now, or ``None`` when ``data_dir`` records none.

    The simulated time elapses with the wall time passed since the record (none if
    the wall clock now reads earlier than it did).

    Raises
    ------
    ConfigError
        The file is not JSON or a field is missing or not an ISO date-time (named).
    """
    path = Path(data_dir) / CLOCK_FILE
    if not path.is_file():
        return None
    wall = wall or WallClock()
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not JSON ({exc}); remove it to serve on the wall clock"
        ) from exc
    simulated, recorded = (_instant(path, record, key) for key in ("simulated", "wall"))
    elapsed = max(wall.now() - recorded, dt.timedelta(0))
    return ContinuedClock(simulated + elapsed, wall)


def _instant(path: Path, record: object, key: str) -> dt.datetime:
    value = record.get(key) if isinstance(record, dict) else None
    try:
        instant = dt.datetime.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{path}: field {key!r} is {value!r}, not an ISO date-time; remove the file to"
            " serve on the wall clock"
        ) from exc
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.UTC).replace(tzinfo=None)
    return instant
