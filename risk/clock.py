"""The one clock everything time-dependent reads: wall time in production, settable in a simulation.

Times are naive UTC ``datetime`` values, the form the store keeps.  A figure that
subtracts two instants must take both from the same clock (or from data stamped
by it); the service never calls ``datetime.now`` itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ContinuedClock", "SimulatedClock", "WallClock"]


@runtime_checkable
class Clock(Protocol):
    """A source of the current instant (naive UTC): anything with ``now()`` is a clock.

    The clocks here subclass it for documentation; a test may pass any object with a
    ``now`` method, and a type checker holds it to this signature.
    """

    def now(self) -> dt.datetime:
        """The current instant, naive UTC."""
        ...


class WallClock(Clock):
    """The machine's clock: what a deployed service uses."""

    def now(self) -> dt.datetime:
        """The machine's current time in UTC, without a time zone."""
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def __repr__(self) -> str:
        return "WallClock()"


class SimulatedClock(Clock):
    """A clock that only moves when told to: simulations and tests.

    Parameters
    ----------
    start
        The first instant (naive UTC; an aware one is converted to UTC).

    Examples
    --------
    >>> clock = SimulatedClock(dt.datetime(2025, 1, 1))
    >>> clock.advance(dt.timedelta(days=2)).isoformat()
    '2025-01-03T00:00:00'
    """

    def __init__(self, start: dt.datetime) -> None:
        self._lock = threading.Lock()
        self._now = _naive_utc(start)

    def now(self) -> dt.datetime:
        """The instant the clock was last set to."""
        with self._lock:
            return self._now

    def set(self, instant: dt.datetime) -> dt.datetime:
        """Move the clock to ``instant``; moving it backwards is refused.

        Raises
        ------
        ValueError
            If ``instant`` is before the clock's current instant.
        """
        instant = _naive_utc(instant)
        with self._lock:
            if instant < self._now:
                raise ValueError(
                    f"a simulated clock cannot go back from {self._now.isoformat()}"
                    f" to {instant.isoformat()}"
                )
            self._now = instant
            return instant

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward by ``delta`` and return the new instant."""
        return self.set(self.now() + delta)

    def __repr__(self) -> str:
        return f"SimulatedClock({self.now().isoformat()})"


class ContinuedClock(Clock):
    """Simulated time running on at the wall clock's pace from ``start``.

    For serving what a simulation built: the service's first instant is where the
    simulation ended, so waiting times and deadlines on its pages are measured in the
    simulation's time, never against a wall clock a year away.

    Parameters
    ----------
    start
        The instant the service resumes at (naive UTC; an aware one is converted).
    wall
        The clock whose pace it keeps (default: :class:`WallClock`).
    """

    def __init__(self, start: dt.datetime, wall: Clock | None = None) -> None:
        self._wall = wall or WallClock()
        self._start, self._origin = _naive_utc(start), self._wall.now()

    def now(self) -> dt.datetime:
        """``start`` plus the wall time elapsed since the clock was made."""
        return self._start + (self._wall.now() - self._origin)

    def __repr__(self) -> str:
        return f"ContinuedClock({self.now().isoformat()})"


def _naive_utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is not None:
        return instant.astimezone(dt.UTC).replace(tzinfo=None)
    return instant
