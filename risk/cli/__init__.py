"""The ``risk`` command line.

Each command module owns a family of verbs and registers them on the shared
:data:`app`.  Heavy libraries are imported inside the command functions, so
``risk --help`` stays fast.
"""

from __future__ import annotations

import sys

from risk.errors import AmanahError

from ._app import app, console, err_console

# Command modules register their verbs on import.
from . import _data  # noqa: E402,F401  (validate)
from . import _synth  # noqa: E402,F401  (synth)
from . import _features  # noqa: E402,F401  (features)
from . import _models  # noqa: E402,F401  (train, score-batch)
from . import _audit  # noqa: E402,F401  (audit)
from . import _experiments  # noqa: E402,F401  (promote, report)
from . import _serving  # noqa: E402,F401  (serve, demo, users, tokens, replay, audit-log)

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``risk`` console script: errors become one clear line, exit 1."""
    try:
        app()
    except AmanahError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
