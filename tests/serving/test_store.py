"""The store: migrations match the tables on both backends; request-time features match batch."""

from __future__ import annotations

import math

import polars as pl
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from serving_helpers import as_json, auth, upgrade_store

from risk.clock import WallClock
from risk.errors import ConfigError
from serving.services import compute_features, load_raw_tables, save_raw_rows
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
        load_raw_tables(session, tables, before=world["cutoff"], clock=WallClock())
    payloads = world["payloads"]
    ids = [p["application"]["application_id"] for p in payloads]
    batch = (
        features.build_features(tables, settings=settings)
        .filter(pl.col("application_id").is_in(ids))
        .collect()
    )
    expected = {r["application_id"]: r for r in batch.to_dicts()}
    names = features.catalogue().names
    for p in payloads:  # in submission order, each stored once scored, as the service does
        with store.transaction() as session:
            got = compute_features(session, p["application"], p["documents"], settings)
            save_raw_rows(session, "applications", [p["application"]])
            save_raw_rows(session, "documents", p["documents"])
        want = expected[p["application"]["application_id"]]
        for name in names:
            a, b = got[name], want[name]
            if isinstance(a, float) and isinstance(b, float):
                assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9), name
            else:
                assert a == b, (name, a, b)


@pytest.mark.xdist_group("serving_model")
def test_store_lookups_equal_the_in_memory_reference(store, settings, world):
    """The SQL look-ups (counts in the database) against features.lookups_from_tables.

    The reference reads the same rows the store was loaded with (applications
    before the cutoff, with their documents), for every new payload; every
    window count, the trips, decisions and sponsor row must agree.
    """
    import dataclasses

    from features import WINDOW_COUNTS, lookups_from_tables
    from risk.io import load_tables
    from serving.services import load_lookups

    tables = load_tables(world["dir"])
    with store.transaction() as session:
        load_raw_tables(session, tables, before=world["cutoff"], clock=WallClock())
    before = tables.applications.filter(pl.col("submitted_at") < world["cutoff"])
    known = dataclasses.replace(
        tables,
        applications=before,
        documents=tables.documents.join(before.select("application_id"), on="application_id"),
    )
    nonzero = dict.fromkeys(WINDOW_COUNTS, 0)
    for p in world["payloads"]:
        app = p["application"]
        want = lookups_from_tables(app, known, settings=settings)
        with store.reading() as session:
            got = load_lookups(session, app, settings)
        assert dict(got.counts) == dict(want.counts), app["application_id"]
        assert _rows(got.trips) == _rows(want.trips), app["application_id"]
        assert _rows(got.decisions) == _rows(want.decisions), app["application_id"]
        assert got.sponsor == want.sponsor, app["application_id"]
        for name, value in got.counts.items():
            nonzero[name] += bool(value)
    # The payloads exercise every count, so a count stuck at zero or None would fail.
    assert all(nonzero.values()), nonzero


def _rows(rows) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in rows)


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


def _sqlite_path(store) -> str:
    return store.url.split("///", 1)[1]


def test_a_no_wait_transaction_refuses_at_once_when_another_process_writes(tmp_path):
    """StoreBusy before anything is done; a waiting transaction then gets its turn.

    The other writer lets go after two seconds: a no-wait transaction that waited
    (SQLite's busy timeout) would get the lock then and raise nothing.
    """
    import sqlite3
    import threading

    from serving.store import StoreBusy

    store = Store(f"sqlite:///{tmp_path / 'amanah.db'}")
    store.upgrade()
    other = sqlite3.connect(_sqlite_path(store), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process's write transaction
    threading.Timer(2.0, other.rollback).start()
    with (
        pytest.raises(StoreBusy, match="locked by another process"),
        store.transaction(wait=False) as session,
    ):
        session.execute(sa.text("SELECT 1"))  # never reached
    with store.transaction() as session:  # waits for the lock: the busy timeout is restored
        session.execute(
            sa.text("INSERT INTO service_settings VALUES ('k', '1', '2026-01-01 00:00:00', NULL)")
        )
    with store.transaction(wait=False) as session:  # free again: begins at once
        assert session.execute(sa.text("SELECT key FROM service_settings")).scalar_one() == "k"
    other.close()
    store.dispose()


def test_a_no_wait_transaction_refuses_when_this_process_writes(tmp_path):
    import threading

    from serving.store import StoreBusy

    store = Store(f"sqlite:///{tmp_path / 'amanah.db'}")
    store.upgrade()
    inside, release = threading.Event(), threading.Event()

    def writer():
        with store.transaction() as session:
            session.execute(sa.text("SELECT 1"))
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    inside.wait(10)
    with pytest.raises(StoreBusy, match="in this process"), store.transaction(wait=False):
        pass
    release.set()
    thread.join()
    with store.transaction(wait=False) as session:
        session.execute(sa.text("SELECT 1"))
    store.dispose()


def test_the_service_store_checkpoints_its_wal_in_the_background(tmp_path):
    """Commits no longer checkpoint (threshold raised); the thread does, completely."""
    import time

    from serving.store._checkpoint import SAFETY_NET_PAGES

    store = Store(f"sqlite:///{tmp_path / 'amanah.db'}", checkpoint_seconds=0.05)
    store.upgrade()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == SAFETY_NET_PAGES
    for i in range(20):
        with store.transaction() as session:
            session.execute(
                sa.text(
                    "INSERT INTO service_settings VALUES (:k, '1', '2026-01-01 00:00:00', NULL)"
                ),
                {"k": f"k{i}"},
            )
    checkpointer = store.checkpointer
    seen = checkpointer.runs
    deadline = time.monotonic() + 30
    while checkpointer.runs < seen + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    busy, frames, copied = checkpointer.last
    assert (busy, copied) == (0, frames) and frames > 0  # every committed frame copied back
    store.dispose()
    assert not checkpointer.is_alive()


def test_other_stores_keep_sqlite_automatic_checkpoints(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'amanah.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    assert store.checkpointer is None
    store.dispose()


def test_the_app_runs_its_own_store_with_a_checkpointer_and_closes_it(tmp_path):
    from fastapi.testclient import TestClient

    from risk.settings import Settings
    from serving import create_app

    settings = Settings(data_dir=tmp_path)
    settings.serving.model_source = "none"
    upgrade_store(settings)
    app = create_app(settings)
    checkpointer = app.state.store.checkpointer
    assert checkpointer is not None and checkpointer.seconds == 1.0
    with TestClient(app) as client:
        assert client.get("/v1/health").status_code == 200
        assert checkpointer.is_alive()
    assert not checkpointer.is_alive()  # stopped at shutdown


@pytest.mark.parametrize("store", ["postgres"], indirect=True)  # a PostgreSQL collation
def test_primary_documents_are_chosen_by_code_point_whatever_the_collation(store, settings, world):
    """Under a language collation 'a-1' sorts before 'Z-1'; the features use code points.

    The document ids get an ICU English collation, as a database created with an
    English locale would give them.  By code point (batch, ``lookups_from_tables``)
    the first application's primary document is 'Z-1' (IDN), so the agent's two
    earlier applications share one issuing state; by the collation it would be
    'a-1' (MYS), two states.
    """
    import datetime as dt

    from features import lookups_from_tables
    from risk.contract import TABLES
    from risk.io import RawTables
    from serving.services import load_lookups, save_raw_rows

    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            'ALTER TABLE documents ALTER COLUMN document_id TYPE varchar(200) COLLATE "en-x-icu"'
        )
    base, doc = world["payloads"][0]["application"], world["payloads"][0]["documents"][0]
    at = dt.datetime(2024, 1, 10, 12, 0)
    first, second = (
        {**base, "application_id": name, "agent_id": "AG-X", "sponsor_id": None,
         "submitted_at": at - dt.timedelta(days=days)}
        for name, days in (("FIRST", 3), ("SECOND", 2))
    )  # fmt: skip
    new = {**first, "application_id": "NEW", "submitted_at": at}
    docs = [
        {**doc, "application_id": "FIRST", "document_id": "Z-1",
         "document_type": "national_id", "issuing_state": "IDN"},
        {**doc, "application_id": "FIRST", "document_id": "a-1",
         "document_type": "visa", "issuing_state": "MYS"},
        {**doc, "application_id": "SECOND", "document_id": "P-9",
         "document_type": "passport", "issuing_state": "IDN"},
    ]  # fmt: skip
    with store.transaction() as session:
        save_raw_rows(session, "applications", [first, second])
        save_raw_rows(session, "documents", docs)
    with store.reading() as session:
        got = load_lookups(session, new, settings)

    def frame(name, rows):
        return pl.DataFrame(rows, schema=TABLES[name].schema).lazy()

    rows = {"applications": [first, second], "documents": docs}
    tables = RawTables(**{name: frame(name, rows.get(name, [])) for name in TABLES})
    want = lookups_from_tables(new, tables, settings=settings)
    assert got.counts["agent_issuing_states"] == want.counts["agent_issuing_states"] == 1
    assert dict(got.counts) == dict(want.counts)


def test_the_checkpointer_finds_the_database_file_in_any_sqlite_url(tmp_path):
    path = tmp_path / "amanah.db"
    store = Store(f"sqlite:///{path}?timeout=5", checkpoint_seconds=5)
    store.upgrade()
    assert store.checkpointer.path == str(path)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("amanah.db-")) == [
        "amanah.db"
    ]  # no stray file named after the query string
    store.dispose()
    for url in ("sqlite://", "sqlite:///:memory:"):
        memory = Store(url, checkpoint_seconds=5)
        assert memory.checkpointer is None
        memory.dispose()


@pytest.mark.xdist_group("serving_model")
def test_swapping_the_model_under_load_fails_no_request(scoring_client, tokens, world, holder):
    """Scores keep answering while the model is swapped (what the registry poll does)."""
    import threading

    answers: list[int] = []
    payloads = world["payloads"][:12]

    def client_thread(part):
        for payload in part:
            r = scoring_client.post(
                "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
            )
            answers.append(r.status_code)

    threads = [threading.Thread(target=client_thread, args=(payloads[i::2],)) for i in (0, 1)]
    for t in threads:
        t.start()
    swaps = 0
    while any(t.is_alive() for t in threads):
        holder.load_path(world["bundle"])
        swaps += 1
    for t in threads:
        t.join()
    assert answers == [200] * len(payloads) and swaps >= 1
