"""Strings of the admin console: users, roles, teams, tokens and sign-in locks (EN and ID)."""

from __future__ import annotations

__all__ = ["ADMIN_PAIRS"]

ADMIN_PAIRS: dict[str, tuple[str, str]] = {}
