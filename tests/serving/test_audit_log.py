"""The audit chain detects edited and deleted entries on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa

from risk.clock import WallClock
from serving.services import append_audit, entry_hash, verify_chain
from serving.services._audit import GENESIS


def _append(store, n: int) -> None:
    with store.transaction() as session:
        for i in range(n):
            append_audit(
                session,
                actor="tester",
                action="case.view",
                entity_type="case",
                entity_id=str(i),
                details={"i": i, "note": "ü", "x": 0.1},
                clock=WallClock(),
            )


def _verify(store):
    with store.transaction() as session:
        return verify_chain(session)


def test_intact_chain_verifies(store):
    _append(store, 5)
    report = _verify(store)
    assert (report.ok, report.entries, report.first_broken, report.problem) == (True, 5, None, "")


def test_hash_is_sha256_of_prev_hash_and_canonical_entry(store):
    _append(store, 2)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash"
                " FROM audit_log ORDER BY seq"
            )
        ).all()
    prev = GENESIS
    for row in rows:
        details = row.details if isinstance(row.details, dict) else json.loads(row.details)
        at = dt.datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
        entry = {
            "seq": row.seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": row.actor,
            "action": row.action,
            "entity_type": row.entity_type,
            "entity_id": row.entity_id,
            "details": details,
        }
        assert row.prev_hash == prev
        canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row.hash == hashlib.sha256((prev + canonical).encode()).hexdigest()
        assert row.hash == entry_hash(prev, entry)
        prev = row.hash


@pytest.mark.parametrize(
    ("sql", "broken", "words"),
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", 3, "entry 3 was edited"),
        ("UPDATE audit_log SET details = '{\"i\": 99}' WHERE seq = 2", 2, "entry 2 was edited"),
        ("DELETE FROM audit_log WHERE seq = 3", 4, "entry 3 is missing (deleted)"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "entry 5 onwards was deleted"),
    ],
    ids=["edit-actor", "edit-details", "delete-middle", "delete-last"],
)
def test_tampering_is_detected_and_named(store, sql, broken, words):
    _append(store, 5)
    with store.engine.begin() as conn:
        conn.execute(sa.text(sql))
    report = _verify(store)
    assert report.ok is False
    assert report.first_broken == broken
    assert words in report.problem


def test_renumbered_deletion_is_detected(store):
    """Deleting an entry and renumbering the rest still breaks the hash links."""
    _append(store, 4)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 2"))
        # two steps, as PostgreSQL checks the primary key row by row
        conn.execute(sa.text("UPDATE audit_log SET seq = 1 - seq WHERE seq > 2"))
        conn.execute(sa.text("UPDATE audit_log SET seq = -seq WHERE seq < 0"))
    report = _verify(store)
    assert (report.ok, report.first_broken) == (False, 2)
    assert "does not follow its predecessor" in report.problem


def test_rolled_back_transaction_leaves_no_entry(store):
    with pytest.raises(RuntimeError), store.transaction() as session:
        append_audit(
            session,
            actor="t",
            action="score",
            entity_type="score",
            entity_id="x",
            clock=WallClock(),
        )
        raise RuntimeError("fail mid-request")
    _append(store, 1)
    report = _verify(store)
    assert (report.ok, report.entries) == (True, 1)


def test_concurrent_writers_keep_one_unbroken_chain(store):
    """Appends from parallel transactions serialise on the chain head (no fork, no gap)."""
    import threading

    errors = []

    def writer(k: int) -> None:
        try:
            for i in range(8):
                with store.transaction() as session:
                    append_audit(
                        session,
                        actor=f"w{k}",
                        action="case.view",
                        entity_type="case",
                        entity_id=f"{k}-{i}",
                        clock=WallClock(),
                    )
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(store)
    assert (report.ok, report.entries) == (True, 32)
