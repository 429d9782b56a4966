"""A re-entrant lock that hands itself to its waiters in the order they came."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any


class FairLock:
    """``threading.RLock`` with first-come, first-served hand-over.

    A plain lock lets the thread that releases it take it straight back, so a
    batch that stores its items in short transactions, one after another, would
    keep the lock from a single score waiting in another thread.  Here a thread
    that asks while others wait queues behind them; a non-blocking ``acquire``
    fails while anyone waits.
    """

    def __init__(self) -> None:
        self._state = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[object] = deque()

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock (again, if held by this thread); False if not ``blocking`` and taken."""
        me = threading.get_ident()
        with self._state:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._queue:
                self._owner, self._depth = me, 1
                return True
            if not blocking:
                return False
            ticket = object()
            self._queue.append(ticket)
            try:
                while self._owner is not None or self._queue[0] is not ticket:
                    self._state.wait()
            finally:
                self._queue.remove(ticket)
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        """Release one level; the lock goes to the longest waiter when the last is released."""
        with self._state:
            if self._owner != threading.get_ident():
                raise RuntimeError("cannot release a lock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._state.notify_all()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
