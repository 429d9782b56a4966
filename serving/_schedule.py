"""The monitoring schedule: a background thread that monitors the served model.

Off unless ``monitor.schedule_seconds`` is above 0.  Each run reads in a read-only
session and writes its result in one short transaction, so scoring is not held up.
A failed run is logged and the next one is tried at the next tick.
"""

from __future__ import annotations

import logging
import threading
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

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for a run in progress to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

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
            log.warning("monitoring suspended the model: %s", result.alerts[0].message)
        return result
