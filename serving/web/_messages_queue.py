"""Strings of the officer's queue, its history and the supervisor's tables (EN and ID)."""

from __future__ import annotations

__all__ = ["QUEUE_PAIRS"]

QUEUE_PAIRS: dict[str, tuple[str, str]] = {}
