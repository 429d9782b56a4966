"""The monitoring schedule: a background thread that monitors the served model.

Off unless ``monitor.schedule_seconds`` is above 0.  Each run reads in a read-only
session and writes its result in one short transaction, so scoring is not held up.
With ``monitor.schedule_process`` (the default) the run's statistics are computed in a
low-priority child process (the bundle loaded from its folder, its own store
connection), so they take neither the service's interpreter lock nor its CPU share.
A failed run is logged and the next one is tried at the next tick.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from risk.errors import AmanahError

__all__ = ["MonitorSchedule"]

log = logging.getLogger("serving.monitor")


class MonitorSchedule:
    """Runs :func:`serving.services.run_monitoring` every ``seconds`` on a daemon thread.

    Parameters
    ----------
    app
        The FastAPI app: its ``state`` holds the store, settings, model holder and clock.
    seconds
        Time between runs (wall time: how often to look, not what period is looked at).
    """

    def __init__(self, app: Any, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="amanah-monitor", daemon=True)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for a run in progress to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            self.run_once()

    def run_once(self) -> Any:
        """One scheduled run (nothing when no model is loaded)."""
        from serving.services import MONITOR_ACTOR, run_monitoring

        state = self.app.state
        if not state.model_holder.loaded:
            return None
        try:
            folder = Path(state.model_holder.source)
            if state.settings.monitor.schedule_process and (folder / "bundle.json").is_file():
                result = self._in_child(state, folder)
            else:
                result = run_monitoring(
                    state.store,
                    state.model_holder.bundle,
                    state.settings,
                    state.clock,
                    trigger="schedule",
                    actor=MONITOR_ACTOR,
                )
        except AmanahError as exc:
            log.warning("scheduled monitoring failed: %s", exc.message)
            return None
        except Exception:  # the schedule must outlive any one failure
            log.exception("scheduled monitoring failed")
            return None
        self.runs += 1
        if result.suspended:
            log.warning("monitoring suspended the model (alert in the audit log)")
        return result

    def _in_child(self, state: Any, folder: Path) -> Any:
        from risk.clock import WallClock
        from serving.services import WatchResult

        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        # a simulated clock's instant is passed; the wall clock is read in the child
        now = None if isinstance(state.clock, WallClock) else state.clock.now()
        settings = state.settings.model_dump(mode="json")
        url = state.store.url
        run_id, suspended, why_not = self._pool.submit(
            _child_run, url, str(folder), settings, now
        ).result()
        return WatchResult(run_id, [], suspended, why_not)


_CHILD: dict[str, Any] = {}


def _child_run(
    url: str, folder: str, settings: dict[str, Any], now: dt.datetime | None
) -> tuple[int | None, bool, str | None]:
    """One run in the child process (the bundle and the store are kept between runs)."""
    from models import load_bundle
    from risk.clock import SimulatedClock, WallClock
    from risk.settings import Settings
    from serving.services import MONITOR_ACTOR, run_monitoring
    from serving.store import Store

    if not _CHILD:
        with contextlib.suppress(OSError):
            os.nice(10)  # below the service: scoring keeps its CPU share
    if _CHILD.get("folder") != folder:
        _CHILD.update(folder=folder, bundle=load_bundle(folder))
    if _CHILD.get("url") != url:
        _CHILD.update(url=url, store=Store(url))
    clock = WallClock() if now is None else SimulatedClock(now)
    result = run_monitoring(
        _CHILD["store"],
        _CHILD["bundle"],
        Settings(**settings),
        clock,
        trigger="schedule",
        actor=MONITOR_ACTOR,
    )
    return result.run_id, result.suspended, result.why_not
