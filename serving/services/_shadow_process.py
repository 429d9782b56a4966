"""The shadow process: scores queued applications with the challenger and writes them.

It runs in a process of its own (started by :class:`~serving.services.ShadowScorer`
with the ``spawn`` method), so neither the challenger's Python work nor LightGBM's
takes the server's GIL, and at a lower CPU priority, so on a busy machine the
champion's requests come first.  The server hands applications over in lists, in the
pauses of live traffic; the process scores what has arrived in one call per batch
(:meth:`models.Bundle.score_many`) and writes each batch in short transactions, which
it never makes a champion's write wait for: on SQLite it asks for the store without
waiting and steps back while a request holds it.

Messages on the queue, in order: a list of :class:`ShadowJob`, or a tuple
``("challenger", pickled challenger or None)``, ``("sync", n)`` (acknowledged once
everything before it is handled) or ``("stop",)`` (handle everything before it, then
exit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import queue
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from serving.store import ServiceSetting, ShadowScore, Store, StoreBusy

__all__ = ["BATCH", "COUNTS", "ShadowJob", "run"]

#: Slots of the shared counter array the process writes (the server only reads them).
COUNTS = ("taken", "scored", "failed", "skipped")
_TAKEN, _SCORED, _FAILED, _SKIPPED = range(4)
#: Most applications one batch (one scoring call, its writes) holds.
BATCH = 500
#: Most rows one write transaction holds.
_WRITE = 32
_INSERT = ShadowScore.__table__.insert()
_SWITCH = sa.select(ServiceSetting.value).where(ServiceSetting.key == "shadow_scoring")


@dataclass(frozen=True)
class ShadowJob:
    """One committed champion score for the challenger: ids, features and where to write."""

    url: str
    score_id: str
    application_id: str
    features: dict[str, Any]
    lang: str
    top: int
    #: ``serving.shadow_scoring``: whether shadow scoring is on unless switched at run time.
    default_on: bool
    created_at: dt.datetime


def run(jobs: Any, counts: Any, error: Any, synced: Any, nice: int) -> None:
    """The process's entry point: handle messages from ``jobs`` until told to stop.

    Parameters
    ----------
    jobs
        The queue the server puts messages on.
    counts
        Shared integers, one per name in :data:`COUNTS`.
    error
        Shared bytes: the last error, for the server's status.
    synced
        Shared integer: the last ``("sync", n)`` handled.
    nice
        How much to lower this process's CPU priority (0: not at all).
    """
    # Ctrl-C in a terminal reaches the whole process group: the server decides when this
    # process stops (after writing what is queued), not the keyboard.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):  # a platform without nice: run at normal priority
        os.nice(nice)
    _Worker(jobs, counts, error, synced).loop()


class _Worker:
    def __init__(self, jobs: Any, counts: Any, error: Any, synced: Any) -> None:
        self.jobs, self.counts, self.error, self.synced = jobs, counts, error, synced
        self.challenger: Any = None
        self.stores: dict[str, Store] = {}
        self.parent = os.getppid()

    def loop(self) -> None:
        try:
            while True:
                batch, control = self._take()
                if batch:
                    self._handle(batch)
                if control is not None and not self._control(control):
                    return
        finally:
            for store in self.stores.values():
                store.dispose()

    def _take(self) -> tuple[list[ShadowJob], tuple | None]:
        """Wait for a message; with a list of applications, gather the lists already
        waiting behind it (up to :data:`BATCH` applications) into one batch.

        A control message ends the gathering and is handled after the batch, so a sync or
        stop never waits for more applications.
        """
        while True:
            try:
                message = self.jobs.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != self.parent:  # the server is gone: so is this process
                    return [], ("stop",)
                continue
            break
        batch: list[ShadowJob] = []
        while isinstance(message, list):
            batch += message
            if len(batch) >= BATCH:
                break
            try:
                message = self.jobs.get_nowait()
            except queue.Empty:
                return batch, None
        return (batch, None) if isinstance(message, list) else (batch, message)

    def _control(self, message: tuple) -> bool:
        """Act on a control message; False: stop."""
        if message[0] == "challenger":
            try:
                self.challenger = None if message[1] is None else _rebuild(*message[1])
            except Exception as exc:  # reported, never fatal
                self.challenger = None
                self._error(f"challenger not loaded in the shadow process: {exc}")
        elif message[0] == "sync":
            self.synced.value = message[1]
        return message[0] != "stop"

    def _add(self, slot: int, n: int) -> None:
        self.counts[slot] += n

    def _error(self, text: str) -> None:
        self.error.value = text.encode("utf-8", "replace")[: len(self.error) - 1]

    def _handle(self, batch: list[ShadowJob]) -> None:
        self._add(_TAKEN, len(batch))
        by_store: dict[str, list[ShadowJob]] = {}
        for job in batch:
            by_store.setdefault(job.url, []).append(job)
        for url, mine in by_store.items():
            try:
                self._score_and_write(url, mine)
            except Exception as exc:  # the store failed before any write: counted, reported
                self._add(_FAILED, len(mine))
                self._error(f"{type(exc).__name__}: {exc}")

    def _store(self, url: str) -> Store:
        if url not in self.stores:
            self.stores[url] = Store(url)
        return self.stores[url]

    def _score_and_write(self, url: str, jobs: list[ShadowJob]) -> None:
        challenger = self.challenger
        if challenger is None:
            self._add(_SKIPPED, len(jobs))
            return
        store = self._store(url)
        with store.reading() as session:
            stored = session.execute(_SWITCH).scalar()
        if not (jobs[0].default_on if stored is None else bool(stored)):
            self._add(_SKIPPED, len(jobs))
            return
        rows = []
        groups: dict[tuple[str, int], list[ShadowJob]] = {}
        for job in jobs:
            groups.setdefault((job.lang, job.top), []).append(job)
        for (lang, top), group in groups.items():
            results = self._score(challenger, group, lang, top)
            rows += [
                _row(challenger, j, r) for j, r in zip(group, results, strict=True) if r is not None
            ]
        # Short transactions: a champion's write that arrives meanwhile waits for one of
        # them at most (32 rows: about 1.2 ms of CPU; 200 rows: about 5.6 ms).
        for i in range(0, len(rows), _WRITE):
            chunk = rows[i : i + _WRITE]
            try:
                _write(store, chunk)
            except Exception as exc:  # the store failed: these are lost, counted, reported
                self._add(_FAILED, len(chunk))
                self._error(f"{type(exc).__name__}: {exc}")
            else:
                self._add(_SCORED, len(chunk))

    def _score(self, challenger: Any, jobs: list[ShadowJob], lang: str, top: int) -> list:
        """The challenger's scores (None where it failed): a batch at once, else one by one."""
        many = getattr(challenger, "score_many", None)
        if many is not None:
            with contextlib.suppress(Exception):  # one bad application: find it below
                return many([j.features for j in jobs], lang=lang, top=top)
        results = []
        for job in jobs:
            try:  # a challenger's failure must never escape the process
                results.append(challenger.score_one(job.features, lang=lang, top=top))
            except Exception as exc:
                self._add(_FAILED, 1)
                self._error(f"{type(exc).__name__}: {exc}")
                results.append(None)
        return results


def _rebuild(kind: str, data: Any) -> Any:
    """The challenger from what :func:`~serving.services._shadow._portable` sent."""
    if kind == "pickle":
        return pickle.loads(data)
    from models import load_bundle

    with tempfile.TemporaryDirectory(prefix="amanah-challenger-") as tmp:
        for name, content in data.items():
            (Path(tmp) / name).write_bytes(content)
        return load_bundle(tmp)


def _row(challenger: Any, job: ShadowJob, result: Any) -> dict[str, Any]:
    from ._scoring import _reasons

    return {
        "score_id": job.score_id,
        "application_id": job.application_id,
        "model_version": str(challenger.version),
        "score": float(result.probability),
        "margin": float(result.margin),
        "band": str(result.band),
        "would_flag": bool(result.flag),
        "reasons": _reasons(result),
        "created_at": job.created_at,
    }


def _write(store: Store, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` without ever making a champion's write wait behind this one.

    On SQLite the process asks for the store without waiting and steps back while a
    request holds it (a request that arrives while it writes waits for one short
    insert at most); after a second of stepping back it waits its turn.
    """
    for _ in range(200):
        try:
            with store.transaction(wait=False) as session:
                session.execute(_INSERT, rows)
            return
        except StoreBusy:
            time.sleep(0.005)
    with store.transaction() as session:
        session.execute(_INSERT, rows)
