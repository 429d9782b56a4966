"""Helpers shared by the serving tests (imported by name; tests are not a package)."""

from __future__ import annotations

import warnings

ROLES = ("officer", "supervisor", "analyst", "auditor", "admin")


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def make_client(app):
    """A TestClient that turns unhandled errors into 500 answers, as in production."""
    with warnings.catch_warnings():
        # starlette warns that its TestClient will move to httpx2 (not installed here).
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False)
