"""Shadow scoring: the registry's challenger scores every live application, off the critical path.

After the champion's answer is committed, the request puts its scored application on
a bounded queue and returns; one background thread takes applications off the queue,
scores them with the challenger and writes a :class:`~serving.store.ShadowScore` in its
own transaction.  Nothing the challenger does reaches the champion's answer: it never
changes the flag, the queue or the blind sample; a challenger that raises is counted and
logged; a slow one only lets the queue fill, and a full queue drops applications with a
counted warning instead of making a request wait.

Shadow scoring is on when ``serving.shadow_scoring`` is set and the run-time switch
(``shadow_scoring``, changed by supervisors and admins with a reason, audited) is not
off.  The worker reads the switch, so the request path does no extra database read.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Bundle
from risk.clock import Clock
from risk.settings import Settings
from serving.store import ServiceSetting, ShadowScore, StoreBusy

from ._auth import Principal, require
from ._runtime import set_runtime
from ._text import require_text

__all__ = ["ShadowScorer", "ShadowStatus", "shadow_switch_on", "switch_shadow"]

log = logging.getLogger("serving.shadow")

_INSERT = ShadowScore.__table__.insert()
#: Most applications one shadow write holds.
_BATCH = 100


def _write(store: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` without ever making a champion's write wait behind this one.

    On SQLite the worker asks for the store without waiting and steps back while a
    request holds it (a request that arrives while the worker writes waits for one
    short insert at most); after a second of stepping back it waits its turn.
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


_SWITCH = sa.select(ServiceSetting.value).where(ServiceSetting.key == "shadow_scoring")


def shadow_switch_on(session: Session, settings: Settings) -> bool:
    """Whether shadow scoring is on: the setting, unless the run-time switch says off."""
    stored = session.execute(_SWITCH).scalar()
    return settings.serving.shadow_scoring if stored is None else bool(stored)


def switch_shadow(
    session: Session,
    principal: Principal,
    enabled: bool,
    reason: str,
    *,
    clock: Clock,
) -> None:
    """Turn shadow scoring on or off, with a written reason (audited; supervisors, admins)."""
    require(principal, "settings.shadow")
    text = require_text(
        reason or "", "reason", empty="switching shadow scoring needs a written reason",
        max_length=500,
    )  # fmt: skip
    set_runtime(session, principal, "shadow_scoring", enabled, clock=clock, reason=text)


@dataclass(frozen=True)
class ShadowStatus:
    """What the shadow worker has done since the service started."""

    challenger: str | None
    challenger_version: str | None
    queued: int
    scored: int
    failed: int
    dropped: int
    skipped: int
    last_error: str | None


@dataclass(frozen=True)
class _Job:
    store: Any
    clock: Clock
    settings: Settings
    score_id: str
    application_id: str
    features: dict[str, Any]
    lang: str


class ShadowScorer:
    """A bounded queue and one worker thread that score with the challenger.

    Parameters
    ----------
    capacity
        How many applications may wait; beyond it, :meth:`submit` drops and counts.
    """

    def __init__(self, capacity: int) -> None:
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=capacity)
        self._bundle: Bundle | None = None
        self._name: str | None = None
        self._counts = {"scored": 0, "failed": 0, "dropped": 0, "skipped": 0}
        self._last_error: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._registered: str | None = None  # the registry version loaded, if any
        self._watch: tuple[Settings, float] | None = None
        self._looked = 0.0

    def _count(self, what: str) -> None:
        with self._lock:  # requests (drops) and the worker count at once
            self._counts[what] += 1

    # -- the challenger ------------------------------------------------------------
    def set_challenger(self, bundle: Bundle, name: str | None) -> None:
        """Score with ``bundle`` from now on (``None``: no challenger, nothing is scored)."""
        self._bundle, self._name = bundle, name

    @property
    def active(self) -> bool:
        """Whether a challenger is loaded (so requests hand their applications over)."""
        return self._bundle is not None

    # -- the request side ----------------------------------------------------------
    def submit(self, store: Any, clock: Clock, settings: Settings, scores: list[Any]) -> None:
        """Hand committed champion scores to the worker; never blocks, never raises."""
        if self._bundle is None:
            return
        for score in scores:
            job = _Job(store, clock, settings, score.score_id, score.application_id,
                       score.features, score.lang)  # fmt: skip
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self._count("dropped")
                log.warning(
                    "shadow queue full (%d waiting): application %s not scored by the"
                    " challenger (%d dropped so far)",
                    self._queue.maxsize, score.application_id, self._counts["dropped"],
                )  # fmt: skip

    # -- the worker ----------------------------------------------------------------
    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="shadow-scoring", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to finish what is queued and stop."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def drain(self) -> None:
        """Wait until every queued application has been handled (tests, shutdown)."""
        self._queue.join()

    def watch_registry(self, settings: Settings, every: float) -> None:
        """Look for a new ``challenger`` alias every ``every`` seconds (0: never), on the
        worker thread, so a challenger registered while the service runs is picked up."""
        self._watch = (settings, every) if every > 0 else None
        self._looked = time.monotonic()

    def _look(self) -> None:
        if self._watch is not None and time.monotonic() - self._looked >= self._watch[1]:
            self._looked = time.monotonic()
            self.load_from_registry(self._watch[0])

    def _run(self) -> None:
        while True:
            self._look()
            try:
                first = self._queue.get(timeout=self._watch[1] if self._watch else None)
            except queue.Empty:
                continue
            jobs = [first]
            while len(jobs) < _BATCH:  # whatever else is waiting goes in the same write
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = None in jobs
            try:
                self._handle([j for j in jobs if j is not None])
            finally:
                for _ in jobs:
                    self._queue.task_done()
            if stop:
                return

    def _handle(self, jobs: list[_Job]) -> None:
        by_store: dict[int, list[_Job]] = {}
        for job in jobs:
            by_store.setdefault(id(job.store), []).append(job)
        for mine in by_store.values():
            try:
                self._score_and_write(mine)
            except Exception as exc:  # the store failed: these are lost, counted, logged
                self._fail(len(mine), exc, mine[0].score_id)

    def _fail(self, n: int, exc: Exception, where: str) -> None:
        for _ in range(n):
            self._count("failed")
        self._last_error = f"{type(exc).__name__}: {exc}"
        log.warning("shadow scoring of %s failed: %s", where, exc)

    def _score_and_write(self, jobs: list[_Job]) -> None:
        bundle, first = self._bundle, jobs[0]
        if bundle is None:
            for _ in jobs:
                self._count("skipped")
            return
        with first.store.reading() as session:
            on = shadow_switch_on(session, first.settings)
        if not on:
            for _ in jobs:
                self._count("skipped")
            return
        rows = []
        for job in jobs:
            try:  # a challenger's failure must never escape the worker
                rows.append(self._score(bundle, job))
            except Exception as exc:
                self._fail(1, exc, job.score_id)
        if rows:
            _write(first.store, rows)
            for _ in rows:
                self._count("scored")

    @staticmethod
    def _score(bundle: Bundle, job: _Job) -> dict[str, Any]:
        from ._scoring import _reasons

        result = bundle.score_one(job.features, lang=job.lang, top=job.settings.serving.top_reasons)
        return {
            "score_id": job.score_id,
            "application_id": job.application_id,
            "model_version": str(bundle.version),
            "score": float(result.probability),
            "margin": float(result.margin),
            "band": str(result.band),
            "would_flag": bool(result.flag),
            "reasons": _reasons(result),
            "created_at": job.clock.now(),
        }

    def load_from_bundle(self, path: Any) -> str | None:
        """Load a challenger from a bundle folder; the error, if loading failed."""
        try:
            from models import load_bundle, model_name

            bundle = load_bundle(path)
            self.set_challenger(bundle, model_name(bundle.fingerprint))
            return None
        except Exception as exc:  # a bad challenger must never stop the champion serving
            self.set_challenger(None, None)
            self._last_error = f"challenger not loaded from {path}: {exc}"
            log.warning("shadow scoring off: %s", self._last_error)
            return self._last_error

    def load_from_registry(self, settings: Settings) -> str | None:
        """Load the registry's ``challenger`` (or none); the error, if loading failed."""
        try:
            from experiments import CHALLENGER, registry_exists
            from experiments._registry import alias_version, version_bundle_dir
            from experiments._tracking import client_for
            from models import load_bundle, model_name

            if not registry_exists(settings):  # reading must not create an empty registry
                self.set_challenger(None, None)
                return None
            mv = alias_version(client_for(settings), settings, CHALLENGER)
            if mv is None:
                self._registered = None
                self.set_challenger(None, None)
                return None
            if self._registered == str(mv.version) and self._bundle is not None:
                return None  # the same challenger: nothing to load
            bundle = load_bundle(version_bundle_dir(settings, mv.version))
            self.set_challenger(bundle, model_name(bundle.fingerprint, mv.version))
            self._registered = str(mv.version)
            log.info("shadow scoring with challenger %s", self._name)
            return None
        except Exception as exc:  # no challenger must never stop the champion serving
            self.set_challenger(None, None)
            self._last_error = f"challenger not loaded: {exc}"
            log.warning("shadow scoring off: %s", self._last_error)
            return self._last_error

    def status(self) -> ShadowStatus:
        """Counts since start-up and the challenger in use."""
        bundle = self._bundle
        return ShadowStatus(
            challenger=self._name,
            challenger_version=None if bundle is None else str(bundle.version),
            queued=self._queue.qsize(),
            last_error=self._last_error,
            **self._counts,
        )
