"""Commands registered on the ``risk`` app (filled in by its owner)."""

from __future__ import annotations

from ._app import app, console  # noqa: F401
