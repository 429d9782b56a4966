"""The shadow process gathers applications until live traffic pauses, then scores them."""

from __future__ import annotations

import datetime as dt
import queue

from serving.services import _shadow_process as sp


class _Arrivals:
    """A queue whose applications arrive back to back, then nothing (a pause)."""

    def __init__(self, messages: list) -> None:
        self.messages, self.timeouts = list(messages), []

    def get(self, timeout: float) -> object:
        self.timeouts.append(timeout)
        if not self.messages:
            raise queue.Empty
        return self.messages.pop(0)


def _job(i: int) -> sp.ShadowJob:
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return sp.ShadowJob("sqlite://", f"s{i}", f"a{i}", {}, "en", 3, True, at)


def _worker(messages: list) -> tuple[sp._Worker, _Arrivals]:
    arrivals = _Arrivals(messages)
    return sp._Worker(arrivals, [0, 0, 0, 0], bytearray(8), None), arrivals


def test_a_batch_waits_for_a_pause_in_live_traffic() -> None:
    worker, arrivals = _worker([_job(i) for i in range(300)])
    batch, control = worker._take()
    assert ([j.score_id for j in batch], control) == ([f"s{i}" for i in range(300)], None)
    # after the first application, each wait for the next is at most the pause
    assert arrivals.timeouts[0] == 1.0
    assert all(0 < t <= sp._QUIET for t in arrivals.timeouts[1:])
    assert len(arrivals.timeouts) == 301  # the last wait found the pause


def test_a_full_batch_goes_without_a_pause() -> None:
    worker, arrivals = _worker([_job(i) for i in range(sp._BATCH + 5)])
    batch, control = worker._take()
    assert (len(batch), control, len(arrivals.messages)) == (sp._BATCH, None, 5)


def test_a_control_message_never_waits_for_a_pause() -> None:
    worker, arrivals = _worker([_job(0), _job(1), ("sync", 4), _job(2)])
    batch, control = worker._take()
    assert ([j.score_id for j in batch], control) == (["s0", "s1"], ("sync", 4))
    assert [j.score_id for j in arrivals.messages] == ["s2"]
