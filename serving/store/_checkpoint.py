"""Checkpointing a SQLite store's write-ahead log off the request path.

SQLite copies the WAL back into the database file (a *checkpoint*) inside
whichever commit crosses ``wal_autocheckpoint`` pages: every fiftieth score or
so paid 5-10 ms for it (``benchmarks/bench_serving.py``, p99).  The service's
store instead raises that threshold to a safety net and runs passive
checkpoints on a thread of its own every few seconds.  A passive checkpoint
never waits for readers or writers, and SQLite runs it without Python's GIL,
so it costs requests nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["SAFETY_NET_PAGES", "Checkpointer"]

#: ``wal_autocheckpoint`` while a :class:`Checkpointer` runs: reached only if it stalls.
SAFETY_NET_PAGES = 20_000

_log = logging.getLogger(__name__)


class Checkpointer(threading.Thread):
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on ``path`` every ``seconds`` until stopped.

    Attributes
    ----------
    last
        The last checkpoint's ``(busy, frames in the log, frames checkpointed)``.
    runs
        How many checkpoints ran.
    """

    def __init__(self, path: str, seconds: float) -> None:
        super().__init__(name="amanah-sqlite-checkpoint", daemon=True)
        self.path, self.seconds = path, seconds
        self.last: tuple[int, int, int] | None = None
        self.runs = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.wait(self.seconds):
                self.checkpoint(connection)
        finally:
            connection.close()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        """One passive checkpoint; a failure is logged and the next one tries again."""
        try:
            self.last = tuple(connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
            self.runs += 1
        except sqlite3.Error as exc:  # e.g. the file went away under a test
            _log.warning("WAL checkpoint of %s failed: %s", self.path, exc)

    def stop(self) -> None:
        """Stop after the current checkpoint (if any) and wait for the thread."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout=10)
