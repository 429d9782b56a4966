"""Helpers shared by the serving tests (imported by name; tests are not a package)."""

from __future__ import annotations

ROLES = ("officer", "supervisor", "analyst", "auditor", "admin")


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def make_client(app):
    """A TestClient that turns unhandled errors into 500 answers, as in production."""
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)
