"""Shadow scoring: the registry's challenger scores every live application, off the critical path.

After the champion's answer is committed, the request adds its scored application to
a bounded list and returns.  In the pauses of live traffic the list is handed to a
process of its own (:mod:`._shadow_process`, started when there is a challenger),
which scores the applications with the challenger in batches and writes
:class:`~serving.store.ShadowScore` rows in its own transactions.  Handing over one
application at a time cost the server CPU for every request (a queue's feeder thread
woke, pickled and wrote to a pipe each time); handed over in a pause, that work and
the challenger's are both out of the way of requests.

Nothing the challenger does reaches the champion's answer: it never changes the flag,
the queue or the blind sample; a challenger that raises is counted and reported; a
slow one only lets the list fill, and a full list drops applications with a counted
warning instead of making a request wait; a challenger that brings its process down
loses the batch in hand (counted as failed) and the applications queued for it
(counted as dropped), and the process is started again.  In its own process the
challenger never holds the server's GIL, and it runs at a lower CPU priority
(``serving.shadow_nice``).

Shadow scoring is on when ``serving.shadow_scoring`` is set and the run-time switch
(``shadow_scoring``, changed by supervisors and admins with a reason, audited) is not
off.  The shadow process reads the switch, so the request path does no extra read.

On shutdown the process handles everything queued before it was asked to stop and
writes it; whatever it has not finished when the wait runs out is counted (queued:
dropped; in hand: failed) and logged.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_for
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.settings import Settings
from serving.store import ServiceSetting

from . import _shadow_process
from ._auth import Principal, require
from ._runtime import set_runtime
from ._shadow_process import COUNTS, ShadowJob
from ._text import require_text

__all__ = ["ShadowScorer", "ShadowStatus", "handover_in", "shadow_switch_on", "switch_shadow"]

log = logging.getLogger("serving.shadow")

#: Longest wait before starting a shadow process again after it stopped by itself.
_MAX_BACKOFF = 60.0
#: Applications are handed to the shadow process once none has arrived for this long
#: (seconds): the challenger works in the pauses of live traffic.  Working while requests
#: arrived cost the champion's median 0.76-1.15 ms on a quiet 2-core machine even at the
#: lowest priority (benchmarks/bench_serving.py; the two processes share the cores and
#: the store).  A pause is several requests long (on PostgreSQL one takes about 16 ms
#: there), so a batch is not started in every short gap, each with its own read of the
#: switch and its own commits.
QUIET = 0.2
#: ... or once the first has waited this long, so sustained traffic is still scored (in
#: batches) rather than dropped when the list fills.
MOST_WAIT = 10.0
#: Most applications in one message to the process (bounds the time the queue's feeder
#: thread holds the server's GIL pickling one message: about 1 ms).
_CHUNK = 50


def handover_in(waiting: int, first: float, last: float, now: float) -> float | None:
    """Seconds until the waiting applications go to the shadow process (0: now; None:
    none waiting), from the times the first and the last of them arrived."""
    if waiting == 0:
        return None
    if waiting >= _shadow_process.BATCH:
        return 0.0
    return max(0.0, min(last + QUIET, first + MOST_WAIT) - now)


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
    """What shadow scoring has done since the service started."""

    challenger: str | None
    challenger_version: str | None
    queued: int
    scored: int
    failed: int
    dropped: int
    skipped: int
    last_error: str | None


def _portable(challenger: Any) -> tuple[str, Any]:
    """What the shadow process rebuilds ``challenger`` from: a bundle as the files it saves
    (it holds compiled feature functions, which do not pickle), anything else pickled."""
    from models import Bundle

    if isinstance(challenger, Bundle):
        with tempfile.TemporaryDirectory(prefix="amanah-challenger-") as tmp:
            folder = challenger.save(tmp)
            return "bundle", {p.name: p.read_bytes() for p in folder.iterdir()}
    return "pickle", pickle.dumps(challenger)


class ShadowScorer:
    """A bounded queue to a process that scores with the challenger, and its keeper.

    Parameters
    ----------
    capacity
        How many applications may wait; beyond it, :meth:`submit` drops and counts.
    nice
        How much lower the shadow process's CPU priority is than the server's (0-19).
    """

    def __init__(self, capacity: int, nice: int = 10) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._capacity, self._nice = capacity, nice
        # Made at the first challenger (most services never have one).  Unbounded
        # underneath, so a control message is never refused and stays in order behind
        # the applications; the bound on applications is checked in submit.
        self._queue: Any = None
        self._jobs = 0  # applications put on the current queue
        self._waiting: list[ShadowJob] = []  # not handed over yet (see handover_in)
        self._first = self._last = 0.0  # when the first and the last of them arrived
        self._challenger: Any = None
        self._message: tuple = ("challenger", None)  # what a new process is told first
        self._name: str | None = None
        self._base = dict.fromkeys(COUNTS, 0) | {"dropped": 0}
        self._last_error: str | None = None
        self._seen_error = b""
        self._lock = threading.Lock()
        self._process: Any = None
        self._born = 0.0
        self._shared: tuple[Any, Any, Any] | None = None  # counts, error, synced
        self._syncs = 0
        self._started = False
        self._keeper: threading.Thread | None = None
        self._wake_r: Any = None  # wakes the keeper (made when it starts)
        self._wake_w: Any = None
        self._stopping = threading.Event()
        self._registered: str | None = None  # the registry version loaded, if any
        self._watch: tuple[Settings, float] | None = None
        self._looked = 0.0

    # -- the challenger ------------------------------------------------------------
    def set_challenger(self, challenger: Any, name: str | None) -> None:
        """Score with ``challenger`` from now on (``None``: no challenger, nothing is scored).

        ``challenger`` is a :class:`~models.Bundle` or any picklable object with its
        ``version`` and ``score_one`` (``score_many`` is used when it has one); it is
        sent to the shadow process, which is started if it is not running.
        """
        message = ("challenger", None if challenger is None else _portable(challenger))
        with self._lock:
            self._challenger, self._name, self._message = challenger, name, message
            if challenger is not None and self._queue is None:
                self._queue = self._new_queue()
            if self._queue is not None:
                self._hand_over()  # what arrived before is the earlier challenger's
                self._queue.put(message)
        if challenger is not None and self._started:
            self._ensure_process()

    @property
    def active(self) -> bool:
        """Whether a challenger is set (so requests hand their applications over)."""
        return self._challenger is not None

    # -- the request side ----------------------------------------------------------
    def submit(self, store: Any, clock: Clock, settings: Settings, scores: list[Any]) -> None:
        """Hand committed champion scores to the shadow process; never blocks, never raises.

        They wait in a list until live traffic pauses (:func:`handover_in`); the keeper
        thread hands them over, so a request only appends.
        """
        if self._challenger is None or not scores:
            return
        serving = settings.serving
        dropped: list[tuple[str, int]] = []  # logged outside the lock
        with self._lock:
            taken = self._shared[0][0] if self._shared else 0  # COUNTS[0]: taken
            now, wake = time.monotonic(), not self._waiting
            for score in scores:
                if self._jobs + len(self._waiting) - taken >= self._capacity:
                    self._base["dropped"] += 1
                    dropped.append((score.application_id, self._base["dropped"]))
                    continue
                if not self._waiting:
                    self._first = now
                self._last = now
                job = ShadowJob(
                    store.url, score.score_id, score.application_id, score.features,
                    score.lang, serving.top_reasons, serving.shadow_scoring, clock.now(),
                )  # fmt: skip
                self._waiting.append(job)
            wake = (wake and bool(self._waiting)) or len(self._waiting) >= _shadow_process.BATCH
        for application_id, so_far in dropped:
            log.warning(
                "shadow queue full (%d waiting): application %s not scored by the"
                " challenger (%d dropped so far)",
                self._capacity, application_id, so_far,
            )  # fmt: skip
        if wake and self._wake_w is not None and self._started:
            self._wake_w.send(b"")  # the keeper times the hand-over

    def _hand_over(self) -> None:
        """Put the waiting applications on the queue (under the lock; the queue exists)."""
        waiting, self._waiting = self._waiting, []
        for i in range(0, len(waiting), _CHUNK):
            self._queue.put(waiting[i : i + _CHUNK])
        self._jobs += len(waiting)

    # -- the process ---------------------------------------------------------------
    def start(self) -> None:
        """Start keeping the shadow process (started now if there is a challenger)."""
        self._started = True
        self._stopping.clear()
        if self._wake_r is None:
            self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        if self._keeper is None or not self._keeper.is_alive():
            self._keeper = threading.Thread(target=self._keep, name="shadow-keeper", daemon=True)
            self._keeper.start()
        if self._challenger is not None:
            self._ensure_process()

    def _ensure_process(self) -> None:
        with self._lock:
            if self._process is not None and self._process.is_alive():
                return
            self._spawn()
        self._wake_w.send(b"")  # the keeper watches the new process

    def _spawn(self) -> None:
        """Start a process (after one that ended: on a fresh queue, which it may hold)."""
        if self._process is not None:
            self._settle()
            self._renew_queue()
        elif self._queue is None:  # the first process since stop()
            self._queue = self._new_queue()
            self._queue.put(self._message)
        counts = self._ctx.Array("q", len(COUNTS), lock=False)
        error, synced = self._ctx.Array("c", 1000), self._ctx.Value("q", 0, lock=False)
        self._shared, self._seen_error = (counts, error, synced), b""
        self._process = self._ctx.Process(
            target=_shadow_process.run,
            args=(self._queue, counts, error, synced, self._nice),
            name="amanah-shadow",
            daemon=True,
        )
        self._process.start()
        self._born = time.monotonic()

    def _child_counts(self) -> dict[str, int]:
        shared = self._shared
        return dict(zip(COUNTS, shared[0], strict=True)) if shared else dict.fromkeys(COUNTS, 0)

    def _new_queue(self) -> Any:
        q = self._ctx.Queue()
        # Never wait at exit to flush what no process will read (stop() lets the process
        # read everything first).
        q.cancel_join_thread()
        return q

    def _renew_queue(self) -> None:
        old, self._queue, self._jobs = self._queue, self._new_queue(), 0
        old.close()
        self._queue.put(self._message)

    def _take_error(self) -> None:
        """The process's newest error becomes the last error (under the lock)."""
        error = self._shared[1].value if self._shared else b""
        if error and error != self._seen_error:
            self._seen_error, self._last_error = error, error.decode("utf-8", "replace")

    def _settle(self) -> None:
        """Fold an ended process's counts and last error in; what it held is failed, what
        waited dropped."""
        counts = self._child_counts()
        self._take_error()
        lost = counts["taken"] - sum(counts[k] for k in COUNTS[1:])
        for key in COUNTS[1:]:
            self._base[key] += counts[key]
        self._base["failed"] += lost
        waiting = self._jobs - counts["taken"]
        self._base["dropped"] += waiting
        self._shared, self._jobs = None, 0
        if lost or waiting:
            log.warning(
                "shadow process ended with %d application(s) in hand (counted as failed) and"
                " %d queued (counted as dropped)", lost, waiting,
            )  # fmt: skip

    def _keep(self) -> None:
        """Start the process again when it ends by itself (backing off while it keeps
        ending), and follow the registry."""
        backoff = 1.0
        while not self._stopping.is_set():
            process = self._process
            every = self._watch[1] if self._watch else None
            waits = [self._wake_r] + ([process.sentinel] if process is not None else [])
            with self._lock:
                due = handover_in(len(self._waiting), self._first, self._last, time.monotonic())
            timeout = every if due is None else due if every is None else min(due, every)
            ready = wait_for(waits, timeout=timeout)
            while self._wake_r.poll():  # one wake for all the sends so far
                self._wake_r.recv_bytes()
            if self._stopping.is_set():
                return
            if process is not None and process.sentinel in ready:
                backoff = self._restart(process, backoff)
            with self._lock:
                if self._queue is not None and handover_in(
                    len(self._waiting), self._first, self._last, time.monotonic()
                ) == 0.0:  # fmt: skip
                    self._hand_over()
            if self._watch is not None and time.monotonic() - self._looked >= self._watch[1]:
                self._looked = time.monotonic()
                self.load_from_registry(self._watch[0])

    def _restart(self, process: Any, backoff: float) -> float:
        """Start a process in place of ``process`` after ``backoff`` s; the next backoff."""
        process.join(5.0)  # its sentinel fires as it exits: reap it for the exit code
        self._last_error = f"the shadow process stopped (exit code {process.exitcode})"
        log.warning("%s; starting it again in %.0f s", self._last_error, backoff)
        lived = time.monotonic() - self._born
        if self._stopping.wait(backoff):
            return backoff
        with self._lock:
            if self._process is process:  # nobody started one meanwhile
                self._spawn()
        return 1.0 if lived > 300 else min(backoff * 2, _MAX_BACKOFF)

    def stop(self, timeout: float = 5.0) -> None:
        """Let the process handle and write what is queued, then stop it (and its keeper)."""
        self._started = False
        self._stopping.set()
        if self._keeper is not None:
            self._wake_w.send(b"")
            self._keeper.join(timeout)
        process = self._process
        if process is None:
            return
        with self._lock:
            self._hand_over()
            self._queue.put(("stop",))
        process.join(timeout)
        if process.is_alive():  # still busy after the wait: what is left is counted
            process.terminate()
            process.join(timeout)
        with self._lock:
            self._settle()
            # No queue until a process is started again: a queue left behind would hold
            # its semaphores to the end, which the interpreter reports as leaked at exit.
            old, self._queue, self._jobs, self._process = self._queue, None, 0, None
            old.close()

    def drain(self, timeout: float = 120.0) -> None:
        """Wait until everything queued so far has been handled (tests, shutdown)."""
        with self._lock:
            if self._process is None:
                return
            self._syncs += 1
            n, shared = self._syncs, self._shared
            self._hand_over()
            self._queue.put(("sync", n))
        end = time.monotonic() + timeout
        while shared[2].value < n and self._process is not None and self._process.is_alive():
            if time.monotonic() > end:
                raise TimeoutError(f"the shadow process did not catch up within {timeout} s")
            time.sleep(0.01)

    def watch_registry(self, settings: Settings, every: float) -> None:
        """Look for a new ``challenger`` alias every ``every`` seconds (0: never), on the
        keeper thread, so a challenger registered while the service runs is picked up."""
        self._watch = (settings, every) if every > 0 else None
        if self._keeper is not None:
            self._wake_w.send(b"")

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
            if self._registered == str(mv.version) and self._challenger is not None:
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
        with self._lock:
            counts = self._child_counts()
            totals = {k: self._base[k] + counts[k] for k in ("scored", "failed", "skipped")}
            queued = self._jobs + len(self._waiting) - counts["taken"]
            self._take_error()
        challenger = self._challenger
        return ShadowStatus(
            challenger=self._name,
            challenger_version=None if challenger is None else str(challenger.version),
            queued=queued,
            dropped=self._base["dropped"],
            last_error=self._last_error,
            **totals,
        )
