"""A promotion reaches the running service by itself, and a model has one name everywhere."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from experiments import list_versions, log_training_run, promote
from risk.clock import WallClock

# Each test logs runs, migrates a store and starts the service (several seconds).
pytestmark = pytest.mark.slow


def _log(result, settings, evidence, who):
    return log_training_run(
        result,
        settings=settings,
        data_dir=settings.data_dir,
        trained_by=who,
        fairness=evidence,
        report=False,
    )


def _wait_for(condition, what: str, limit: float = 120.0) -> None:
    """Wait until ``condition()`` holds (a deadline for a hung poller, not a timing claim)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def service(lenient, trained, weak, evidence):
    """Version 1 promoted, version 2 registered; the service on the registry, polling fast."""
    from fastapi.testclient import TestClient

    from serving import create_app
    from serving.services import create_token, create_user
    from serving.store import Store

    _log(trained, lenient, evidence["good", "lenient"], "ana")
    promote("1", by="bob", settings=lenient)
    _log(weak, lenient, evidence["weak", "lenient"], "dina")
    serving = lenient.serving.model_copy(
        update={"model_source": "registry", "registry_poll_seconds": 0.1}
    )
    settings = lenient.model_copy(update={"serving": serving})
    store = Store(settings.database_url)
    store.upgrade()
    with store.transaction() as session:
        create_user(session, "rahmat", "auditor", clock=WallClock(), actor="test")
        token = create_token(session, "rahmat", clock=WallClock(), actor="test")
    app = create_app(settings, store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield settings, app, client
    store.dispose()


def test_a_promoted_champion_is_served_without_a_reload_call(service, trained, weak):
    settings, app, client = service
    v1 = f"v1 ({trained.bundle.fingerprint[:8]})"
    v2 = f"v2 ({weak.bundle.fingerprint[:8]})"
    first = client.get("/v1/model").json()
    assert (first["name"], first["registry_version"], first["version"]) == (
        v1,
        "1",
        trained.bundle.version,
    )

    wide = settings.model_copy(
        update={"mlflow": settings.mlflow.model_copy(update={"quality_margin": 1.0})}
    )
    promote("2", by="bob", settings=wide)
    holder = app.state.model_holder
    from serving.store import AuditEntry

    def reloads():
        with app.state.store.transaction() as session:
            query = sa.select(AuditEntry.actor, AuditEntry.entity_id, AuditEntry.details)
            return [
                tuple(r) for r in session.execute(query.where(AuditEntry.action == "model.reload"))
            ]

    _wait_for(lambda: reloads(), "the poller to load version 2 and audit it")
    now = client.get("/v1/model").json()
    assert (now["name"], now["registry_version"], now["version"]) == (v2, "2", weak.bundle.version)
    assert reloads() == [
        ("registry-poll", weak.bundle.version, {"from": v1, "to": v2, "trigger": "registry poll"})
    ]
    # Scores made by the earlier champion keep its name.
    assert holder.name_of(trained.bundle.version) == v1
    assert holder.name_of("0123456789ab") == "01234567"


def test_the_registry_lists_each_version_by_its_one_name(lenient, trained, weak, evidence):
    _log(trained, lenient, evidence["good", "lenient"], "ana")
    _log(weak, lenient, evidence["weak", "lenient"], "dina")
    assert [(r["version"], r["name"]) for r in list_versions(lenient)] == [
        ("2", f"v2 ({weak.bundle.fingerprint[:8]})"),
        ("1", f"v1 ({trained.bundle.fingerprint[:8]})"),
    ]
