"""The scoring service: FastAPI app, review workflow, roles and tokens, audit log.

Only this package knows HTTP.  The logic lives in :mod:`serving.services` (plain
Python), the tables and migrations in :mod:`serving.store`.
"""

from .app import create_app
from .services import ModelHolder
from .store import Store

__all__ = ["ModelHolder", "Store", "create_app"]
