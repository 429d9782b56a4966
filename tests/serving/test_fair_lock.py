"""The SQLite store's writer lock hands itself over in the order writers asked for it."""

from __future__ import annotations

import threading
import time

import pytest

from serving.store._fair_lock import FairLock


def _wait_until_queued(lock: FairLock, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(lock._queue) < n:
        assert time.monotonic() < deadline, "the other thread never asked for the lock"
        time.sleep(0.001)


def test_a_waiting_thread_goes_before_the_holder_asking_again():
    """A batch releasing between two chunks cannot take the lock back from a waiting score."""
    lock, order = FairLock(), []

    def single() -> None:
        with lock:
            order.append("single")

    lock.acquire()
    other = threading.Thread(target=single)
    other.start()
    _wait_until_queued(lock, 1)
    assert lock.acquire(blocking=False) is True  # re-entrant for its holder
    lock.release()
    lock.release()
    with lock:  # the next chunk: behind the single score
        order.append("batch")
    other.join()
    assert order == ["single", "batch"]


def test_waiters_are_served_first_come_first_served():
    lock, order = FairLock(), []
    lock.acquire()
    threads = []
    for name in ("a", "b", "c"):
        threads.append(
            threading.Thread(
                target=lambda n=name: (lock.acquire(), order.append(n), lock.release())
            )
        )
        threads[-1].start()
        _wait_until_queued(lock, len(threads))
    lock.release()
    for t in threads:
        t.join()
    assert order == ["a", "b", "c"]
    assert lock.acquire(blocking=False) is True  # free again, nobody waiting


def test_only_the_holder_may_release():
    lock = FairLock()
    with pytest.raises(RuntimeError, match="cannot release a lock this thread does not hold"):
        lock.release()
    lock.acquire()
    errors = []
    thread = threading.Thread(target=lambda: errors.append(lock.acquire(blocking=False)))
    thread.start()
    thread.join()
    assert errors == [False]
