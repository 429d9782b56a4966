"""The ``risk`` command line.

Each command module owns a family of verbs and registers them on the shared
:data:`app`.  Heavy libraries are imported inside the command functions, so
``risk --help`` stays fast.
"""

from __future__ import annotations

import sys

from risk.errors import AmanahError

# Command modules register their verbs on import.
from . import (
    _applicants,  # noqa: F401  (applicants reissue-code, revoke-code)
    _audit_log,  # noqa: F401  (audit-log)
    _data,  # noqa: F401  (validate)
    _demo,  # noqa: F401  (demo)
    _evidence,  # noqa: F401  (backtest, compare)
    _experiments,  # noqa: F401  (promote, report)
    _fairness,  # noqa: F401  (fairness, audit)
    _features,  # noqa: F401  (features)
    _loop,  # noqa: F401  (estimate, export)
    _models,  # noqa: F401  (train, score-batch)
    _monitor,  # noqa: F401  (monitor)
    _people,  # noqa: F401  (users, teams, tokens, sessions)
    _serving,  # noqa: F401  (serve, db, replay)
    _simulate,  # noqa: F401  (simulate)
    _synth,  # noqa: F401  (synth)
)
from ._app import app, err_console, group

__all__ = ["app", "group", "main"]


def main() -> None:
    """Entry point of the ``risk`` console script: errors become one clear line, exit 1."""
    try:
        app()
    except AmanahError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
