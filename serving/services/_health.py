"""Readiness: can this instance do its work now (database, model, free disk)?

Liveness (``/v1/health``) only says the process answers.  Readiness says whether
a load balancer should send it traffic: the database answers a query, a model is
loaded, and the disk where the data lives has room for the store to grow (a full
disk turns every write into a 503).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from risk.settings import Settings

from ._model import ModelHolder

__all__ = ["Readiness", "readiness"]

log = logging.getLogger("serving")


@dataclass(frozen=True)
class Readiness:
    """Each check's verdict and the overall one.

    Attributes
    ----------
    ready
        True when every check passes.
    checks
        ``{"database" | "model" | "disk": {"ok": bool, ...facts}}``.
    """

    ready: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)


def _database(store: Any) -> dict[str, Any]:
    try:
        with store.connection() as connection:
            connection.execute(sa.text("SELECT 1")).scalar_one()
    except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
        log.warning("readiness: database check failed: %s", exc)
        return {"ok": False, "detail": "the database does not answer"}
    return {"ok": True}


def _disk(settings: Settings, store: Any) -> dict[str, Any]:
    folder = store.directory or settings.data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the data directory may not exist yet
    free = shutil.disk_usage(folder).free
    needed = settings.serving.min_free_disk_bytes
    return {"ok": free >= needed, "free_bytes": free, "min_free_bytes": needed}


def readiness(store: Any, holder: ModelHolder, settings: Settings) -> Readiness:
    """Check the database, the model and free disk; never raises.

    Parameters
    ----------
    store
        The service's :class:`~serving.store.Store`.
    holder
        The model holder.
    settings
        For ``serving.min_free_disk_bytes`` and the data directory.
    """
    checks = {
        "database": _database(store),
        "model": {"ok": holder.loaded, "version": holder.version},
        "disk": _disk(settings, store),
    }
    return Readiness(ready=all(c["ok"] for c in checks.values()), checks=checks)
