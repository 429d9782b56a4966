"""risk.clock.Clock is a protocol: the clocks here and any object with ``now()`` satisfy it."""

from __future__ import annotations

import datetime as dt

from risk.clock import Clock, ContinuedClock, SimulatedClock, WallClock


class _Fixed:
    def now(self) -> dt.datetime:
        return dt.datetime(2026, 1, 1)


def test_every_clock_and_any_object_with_now_is_a_clock() -> None:
    start = dt.datetime(2025, 3, 1, 12, 0)
    clocks = [WallClock(), SimulatedClock(start), ContinuedClock(start), _Fixed()]
    assert [isinstance(c, Clock) for c in clocks] == [True, True, True, True]
    assert isinstance(object(), Clock) is False
    assert SimulatedClock(start).now() == start
    assert _Fixed().now() == dt.datetime(2026, 1, 1)
