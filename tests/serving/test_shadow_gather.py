"""Applications go to the shadow process in the pauses of live traffic, and in lists."""

from __future__ import annotations

import datetime as dt
import queue
from types import SimpleNamespace

from risk.clock import WallClock
from serving.services import _shadow as sh
from serving.services import _shadow_process as sp


class _Arrivals:
    """A queue holding ``messages``, then nothing."""

    def __init__(self, messages: list) -> None:
        self.messages, self.gets = list(messages), 0

    def get(self, timeout: float) -> object:
        return self.get_nowait()

    def get_nowait(self) -> object:
        self.gets += 1
        if not self.messages:
            raise queue.Empty
        return self.messages.pop(0)


def _job(i: int) -> sp.ShadowJob:
    at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return sp.ShadowJob("sqlite://", f"s{i}", f"a{i}", {}, "en", 3, True, at)


def _lists(start: int, stop: int, size: int) -> list[list[sp.ShadowJob]]:
    return [[_job(i) for i in range(a, min(a + size, stop))] for a in range(start, stop, size)]


def _take(messages: list) -> tuple[list[str], object, list]:
    arrivals = _Arrivals(messages)
    worker = sp._Worker(arrivals, [0, 0, 0, 0], bytearray(8), None)
    batch, control = worker._take()
    return [j.score_id for j in batch], control, arrivals.messages


# -- when the server hands applications over ---------------------------------------------
def test_nothing_waiting_nothing_to_hand_over() -> None:
    assert sh.handover_in(0, 0.0, 0.0, 100.0) is None


def test_applications_wait_for_a_pause_in_live_traffic() -> None:
    # the last arrived 10 ms ago: the rest of the pause
    assert abs(sh.handover_in(3, 100.0, 100.02, 100.03) - (sh.QUIET - 0.01)) < 1e-9
    # a new arrival starts the pause again
    assert abs(sh.handover_in(4, 100.0, 100.03, 100.03) - sh.QUIET) < 1e-9
    # once the pause has lasted, they go
    assert sh.handover_in(4, 100.0, 100.03, 100.03 + sh.QUIET) == 0.0


def test_sustained_traffic_is_handed_over_once_the_first_has_waited_long_enough() -> None:
    first = 100.0
    last = first + sh.MOST_WAIT - 0.001  # applications kept arriving, never a pause
    assert abs(sh.handover_in(50, first, last, last) - 0.001) < 1e-9
    assert sh.handover_in(50, first, last, first + sh.MOST_WAIT) == 0.0


def test_a_full_batch_goes_without_a_pause() -> None:
    assert abs(sh.handover_in(sp.BATCH - 1, 100.0, 100.0, 100.0) - sh.QUIET) < 1e-9
    assert sh.handover_in(sp.BATCH, 100.0, 100.0, 100.0) == 0.0


def test_a_request_only_adds_to_the_waiting_list(settings) -> None:
    scorer = sh.ShadowScorer(capacity=10)  # not started: nothing is handed over by time
    scorer.set_challenger(SimpleNamespace(version="v"), "v")
    put: list = []
    scorer._queue = SimpleNamespace(put=put.append)  # what reaches the process, in order
    scores = [
        SimpleNamespace(score_id=f"S{i}", application_id=f"A{i}", features={}, lang="en")
        for i in range(3)
    ]
    scorer.submit(SimpleNamespace(url="sqlite://"), WallClock(), settings, scores)
    assert put == [] and scorer.status().queued == 3
    # a new challenger: the waiting applications go first, as the earlier one's
    scorer.set_challenger(SimpleNamespace(version="w"), "w")
    assert [j.score_id for j in put[0]] == ["S0", "S1", "S2"]
    assert put[1][0] == "challenger" and len(put) == 2
    assert scorer.status().queued == 3  # handed over, not yet taken by a process


def test_a_long_wait_list_goes_over_in_several_messages(settings) -> None:
    scorer = sh.ShadowScorer(capacity=1000)
    scorer.set_challenger(SimpleNamespace(version="v"), "v")
    put: list = []
    scorer._queue = SimpleNamespace(put=put.append)
    n = 2 * sh._CHUNK + 3
    scores = [
        SimpleNamespace(score_id=f"S{i}", application_id=f"A{i}", features={}, lang="en")
        for i in range(n)
    ]
    scorer.submit(SimpleNamespace(url="sqlite://"), WallClock(), settings, scores)
    with scorer._lock:
        scorer._hand_over()
    assert [len(m) for m in put] == [sh._CHUNK, sh._CHUNK, 3]
    assert [j.score_id for m in put for j in m] == [f"S{i}" for i in range(n)]


# -- how the process gathers what it was handed ------------------------------------------
def test_the_lists_waiting_are_scored_as_one_batch() -> None:
    ids, control, left = _take(_lists(0, 120, 50))
    assert (ids, control, left) == ([f"s{i}" for i in range(120)], None, [])


def test_a_batch_holds_at_most_its_size() -> None:
    ids, control, left = _take(_lists(0, sp.BATCH + 70, 60))
    # whole lists: the one that reaches the size is the last taken (9 x 60 = 540)
    assert (ids, control) == ([f"s{i}" for i in range(540)], None)
    assert [j.score_id for m in left for j in m] == [f"s{i}" for i in range(540, sp.BATCH + 70)]


def test_a_control_message_ends_the_batch_and_is_handled_after_it() -> None:
    messages = [[_job(0), _job(1)], ("sync", 4), [_job(2)]]
    ids, control, left = _take(messages)
    assert (ids, control) == (["s0", "s1"], ("sync", 4))
    assert [j.score_id for m in left for j in m] == ["s2"]


def test_a_control_message_alone() -> None:
    assert _take([("stop",), [_job(0)]])[:2] == ([], ("stop",))
