"""The store: migrations match the tables on both backends; request-time features match batch."""

from __future__ import annotations

import math

import polars as pl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from serving_helpers import auth

from risk.errors import ConfigError
from serving.services import compute_features, load_raw_tables
from serving.store import Base, Store


def test_migrations_create_exactly_the_declared_schema(store):
    store.upgrade()  # idempotent on an up-to-date store
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_unusable_database_url_is_a_clear_error():
    with pytest.raises(ConfigError, match="database URL 'nosuchdb://x' is not usable"):
        Store("nosuchdb://x")


@pytest.mark.xdist_group("serving_model")
def test_request_time_features_equal_the_batch_features(store, settings, world):
    """Independent reference: the training pipeline over the whole world, point in time."""
    import features
    from risk.io import load_tables

    tables = load_tables(world["dir"])
    with store.transaction() as session:
        load_raw_tables(session, tables, before=world["cutoff"])
    payloads = world["payloads"][:8]
    ids = [p["application"]["application_id"] for p in payloads]
    batch = (
        features.build_features(tables, settings=settings)
        .filter(pl.col("application_id").is_in(ids))
        .collect()
    )
    expected = {r["application_id"]: r for r in batch.to_dicts()}
    names = features.catalogue().names
    for p in payloads:
        with store.transaction() as session:
            got = compute_features(session, p["application"], p["documents"], settings)
        want = expected[p["application"]["application_id"]]
        for name in names:
            a, b = got[name], want[name]
            if isinstance(a, float) and isinstance(b, float):
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9), name
            else:
                assert a == b, (name, a, b)


@pytest.mark.xdist_group("serving_model")
def test_model_reload_without_restart_is_audited(client, tokens, world, app, store):
    assert client.get("/v1/model", headers=auth(tokens["officer"])).json()["loaded"] is False
    holder = app.state.model_holder
    holder.settings.serving.model_source = "bundle"
    holder.settings.serving.bundle_path = world["bundle"]
    body = client.post("/v1/model/reload", headers=auth(tokens["admin"])).json()
    assert body["loaded"] is True and body["version"]
    log = client.get("/v1/audit-log?action=model.reload", headers=auth(tokens["auditor"])).json()
    assert [(e["actor"], e["details"]["from"], e["details"]["to"]) for e in log["data"]] == [
        ("admin", None, body["version"])
    ]
    holder.settings.serving.bundle_path = world["bundle"] / "missing"
    broken = client.post("/v1/model/reload", headers=auth(tokens["admin"])).json()
    assert broken["loaded"] is True  # a failed reload keeps the model in service
    assert broken["version"] == body["version"] and broken["error"]
