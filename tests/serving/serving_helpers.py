"""Helpers shared by the serving tests (imported by name; tests are not a package)."""

from __future__ import annotations

from risk.clock import WallClock
from risk.settings import Settings
from serving.services import create_token, create_user
from serving.store import Base, Store

ROLES = ("officer", "supervisor", "analyst", "auditor", "admin")


def auth(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def make_client(app):
    """A TestClient that turns unhandled errors into 500 answers, as in production."""
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


def _empty(store: Store) -> None:
    # DELETE and sequence resets are much faster than TRUNCATE on near-empty tables.
    tables = list(reversed(Base.metadata.sorted_tables))
    with store.engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f"DELETE FROM {table.name}")
        for seq in conn.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        ).scalars():
            conn.exec_driver_sql(f"ALTER SEQUENCE {seq} RESTART")
        conn.exec_driver_sql(
            "INSERT INTO audit_head (head_id, seq, hash) VALUES (1, 0, '%s')" % ("0" * 64)
        )


def _users(store: Store) -> dict[str, str]:
    out = {}
    with store.transaction() as session:
        for role in ROLES:
            create_user(session, role, role, clock=WallClock())
            out[role] = create_token(session, role, clock=WallClock())
        create_user(session, "officer2", "officer", clock=WallClock())
        out["officer2"] = create_token(session, "officer2", clock=WallClock())
    return out


def _point(shared_app, store: Store, settings: Settings, holder=None, clock=None):
    import random

    from serving.services import ModelHolder, TokenCache

    app, client = shared_app
    app.state.store, app.state.settings = store, settings
    app.state.clock = clock or WallClock()
    app.state.token_cache = TokenCache(settings.serving.auth_cache_seconds)
    app.state.model_holder = holder or ModelHolder(settings)
    app.state.rng = random.Random(7)
    return app, client


#: Where the simulated clock of :func:`clocked_client` starts.
CLOCK_START = "2024-03-01T09:00:00"


def as_json(payload: dict) -> dict:
    """A world payload as the JSON an intake system would send."""
    import json

    return json.loads(json.dumps(payload, default=str))


def upgrade_store(settings: Settings) -> None:
    """Migrate the store ``settings`` names, as ``risk db upgrade`` does (nothing else does)."""
    store = Store(settings.database_url)
    try:
        store.upgrade()
    finally:
        store.dispose()
