"""The audit chain detects edited and deleted entries on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from risk.clock import WallClock
from serving.services import append_audit, entry_hash, verify_chain
from serving.services._audit import GENESIS
from serving.store import AuditEntry


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


# --- the keyed chain: an HMAC whose key is not in the database ----------------------

import hmac  # noqa: E402
import os  # noqa: E402

from serving.services import (  # noqa: E402
    CheckpointLoop,
    key_id,
    load_audit_key,
    read_checkpoints,
    write_checkpoint,
)
from serving.store import Store  # noqa: E402

KEY = b"k" * 64
NOW = dt.datetime(2026, 12, 6, 6, 0, 0)


@pytest.fixture
def keyed(store):
    """The test's store opened with the audit key."""
    s = Store(store.url, audit_key=KEY)
    yield s
    s.dispose()


def _rows(store):
    with store.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash,"
                " key_id FROM audit_log ORDER BY seq"
            )
        ).all()


def _content(row) -> dict:
    details = row.details if isinstance(row.details, dict) else json.loads(row.details)
    at = dt.datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
    return {
        "seq": row.seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "details": details,
    }


def _canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_keyed_entries_are_an_hmac_chain(keyed):
    _append(keyed, 3)
    prev = GENESIS
    for row in _rows(keyed):
        message = (prev + _canonical(_content(row))).encode()
        assert row.hash == hmac.new(KEY, message, hashlib.sha256).hexdigest()
        assert row.key_id == hashlib.sha256(b"amanah audit key id:" + KEY).hexdigest()[:16]
        prev = row.hash
    report = _verify(keyed)
    assert (report.ok, report.entries, report.legacy, report.head) == (True, 3, 0, prev)


def _rewrite(store, *, edit_seq: int | None = None, keep: int | None = None) -> None:
    """What someone with write access to the database but not the key can do.

    Edit an entry and/or cut the chain after ``keep`` entries, recompute every hash
    from the genesis with SHA-256 (marking the entries legacy, the only chain they
    can compute), and move the head to the new end.
    """
    rows = [r for r in _rows(store) if keep is None or r.seq <= keep]
    prev = GENESIS
    with store.engine.begin() as conn:
        if keep is not None:
            conn.execute(sa.text("DELETE FROM audit_log WHERE seq > :k"), {"k": keep})
        for row in rows:
            content = _content(row)
            if row.seq == edit_seq:
                content["actor"] = "mallory"
            digest = hashlib.sha256((prev + _canonical(content)).encode()).hexdigest()
            conn.execute(
                sa.text(
                    "UPDATE audit_log SET actor = :actor, prev_hash = :prev, hash = :hash,"
                    " key_id = NULL WHERE seq = :seq"
                ),
                {"actor": content["actor"], "prev": prev, "hash": digest, "seq": row.seq},
            )
            prev = digest
        conn.execute(
            sa.text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE head_id = 1"),
            {"seq": len(rows), "hash": prev},
        )


def test_an_edit_recomputed_with_the_old_hash_is_detected_with_the_key(keyed):
    _append(keyed, 5)
    rows = _rows(keyed)
    prev = rows[1].hash
    with keyed.engine.begin() as conn:  # edit entry 3, recompute 3..5 as keyed would need
        for row in rows[2:]:
            content = _content(row)
            content["actor"] = "mallory" if row.seq == 3 else content["actor"]
            digest = hashlib.sha256((prev + _canonical(content)).encode()).hexdigest()
            conn.execute(
                sa.text(
                    "UPDATE audit_log SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": content["actor"], "p": prev, "h": digest, "s": row.seq},
            )
            prev = digest
        conn.execute(sa.text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = _verify(keyed)
    assert (report.ok, report.first_broken) == (False, 3)
    assert report.problem == "entry 3 was edited: its content no longer matches its hash"


def test_a_chain_rewritten_as_legacy_after_keyed_entries_is_detected(keyed):
    _append(keyed, 2)
    before = _verify(keyed)
    published = [(before.entries, before.head)]  # what the transparency report showed
    _append(keyed, 2)
    _rewrite(keyed, edit_seq=1)
    with keyed.transaction() as session:
        report = verify_chain(session, checkpoints=published)
    assert (report.ok, report.first_broken) == (False, 2)
    assert report.problem.startswith("entry 2 differs from the published checkpoint")


@pytest.mark.parametrize(
    ("edit_seq", "keep", "broken", "problem"),
    [
        (3, None, 5, "entry 5 differs from the published checkpoint"),
        (None, 3, 4, "entry 4 onwards was deleted: the chain ends at 3 but a published"),
        (None, 0, 1, "entry 1 onwards was deleted: the chain ends at 0 but a published"),
    ],
    ids=["edit-recompute-move-head", "tail-deleted-head-moved-back", "full-wipe"],
)
def test_rewrites_are_detected_against_a_published_head(
    keyed, tmp_path, edit_seq, keep, broken, problem
):
    """Each rewrite recomputes the chain and moves the head, so it verifies on its own
    (as legacy entries); the head published before it catches it."""
    _append(keyed, 5)
    path = tmp_path / "audit-checkpoints.jsonl"
    with keyed.transaction() as session:
        checkpoint = write_checkpoint(session, path, now=lambda: NOW)
    assert checkpoint.count == 5
    _rewrite(keyed, edit_seq=edit_seq, keep=keep)
    with keyed.transaction() as session:
        alone = verify_chain(session, key=None)
        assert alone.ok is True  # without the published head, the rewrite would pass
        heads = [(c.count, c.hash) for c in read_checkpoints(path)]
        report = verify_chain(session, checkpoints=heads)
    assert (report.ok, report.first_broken) == (False, broken)
    assert report.problem.startswith(problem), report.problem


def test_legacy_entries_verify_before_keyed_ones_but_not_after(store, keyed):
    _append(store, 2)  # made before the store had a key
    _append(keyed, 3)
    report = _verify(keyed)
    assert (report.ok, report.entries, report.legacy) == (True, 5, 2)
    assert [r.key_id for r in _rows(keyed)] == [None, None] + [key_id(KEY)] * 3
    _append(store, 1)  # an unkeyed entry after keyed ones: written without the key
    report = _verify(keyed)
    assert (report.ok, report.first_broken) == (False, 6)
    assert report.problem == "entry 6 is unkeyed although entries before it are keyed (forged)"


def test_keyed_entries_need_the_right_key(keyed, store):
    _append(keyed, 1)
    other = Store(store.url, audit_key=b"another key")
    with other.transaction() as session:
        report = verify_chain(session)
    other.dispose()
    assert report.problem == f"entry 1 was keyed with key {key_id(KEY)}, but a different key"
    report = _verify(store)
    assert report.problem == f"entry 1 was keyed with key {key_id(KEY)}, but no audit key was given"


def test_checkpoints_append_only_new_heads_to_a_private_file(keyed, tmp_path):
    path = tmp_path / "sub" / "audit-checkpoints.jsonl"
    _append(keyed, 2)
    with keyed.transaction() as session:
        first = write_checkpoint(session, path, now=lambda: NOW)
        again = write_checkpoint(session, path, now=lambda: NOW)
    _append(keyed, 1)
    loop = CheckpointLoop(keyed, path, 3600, now=lambda: NOW + dt.timedelta(hours=1))
    loop.start()
    loop.stop()
    heads = read_checkpoints(path)
    assert again is None
    assert [(c.at, c.count) for c in heads] == [
        ("2026-12-06T06:00:00", 2),
        ("2026-12-06T07:00:00", 3),
    ]
    assert heads[0] == first
    assert heads[1].hash == _rows(keyed)[-1].hash
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_the_key_file_is_made_once_and_private(tmp_path):
    from risk.settings import Settings

    settings = Settings(data_dir=tmp_path / "data")
    key = load_audit_key(settings)
    path = tmp_path / "data" / "audit.key"
    assert len(key) == 64 and int(key, 16) >= 0
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert load_audit_key(settings) == key
    from pydantic import SecretStr

    settings.serving.audit_key = SecretStr("from-a-secret-store")
    assert load_audit_key(settings) == b"from-a-secret-store"


# --- reads that are themselves audited ----------------------------------------------


def _log(store, action: str) -> list[tuple[str, str, dict]]:
    with store.transaction() as session:
        rows = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        ).all()
        return [(r.actor, r.entity_id, r.details) for r in rows]


def test_an_auditors_reads_of_the_log_are_audited(client, tokens, store):
    _append(store, 3)
    last = len(_rows(store))  # the users and tokens made entries too
    page = client.get("/v1/audit-log?limit=2&offset=1", headers=auth(tokens["auditor"]))
    assert [e["seq"] for e in page.json()["data"]] == [last - 1, last - 2]
    assert _log(store, "audit_log.read") == [
        ("auditor", "*", {"limit": 2, "offset": 1, "seqs": [last - 1, last - 2]})
    ]
    verified = client.get("/v1/audit-log/verify", headers=auth(tokens["admin"])).json()
    assert verified == {
        "ok": True,
        "entries": last + 1,
        "first_broken": None,
        "problem": "",
        "legacy": last + 1,  # the test store has no key
        "head": _rows(store)[-2].hash,  # the verification's own entry came after
        "checkpoints": 0,
    }
    assert _log(store, "audit_log.verify") == [
        ("admin", "*", {"ok": True, "entries": last + 1, "checkpoints": 0})
    ]


def test_api_reads_of_complaints_are_audited(scoring_client, tokens, world, store):
    payload = world["payloads"][0]
    r = scoring_client.post(
        "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
    )
    assert r.status_code == 200, r.text
    opened = scoring_client.post(
        "/v1/complaints",
        headers=auth(tokens["officer"]),
        json={
            "application_id": payload["application"]["application_id"],
            "category": "delay",
            "description": "No answer after three weeks.",
        },
    ).json()
    complaint_id = opened["complaint_id"]
    one = scoring_client.get(f"/v1/complaints/{complaint_id}", headers=auth(tokens["supervisor"]))
    assert one.status_code == 200
    listed = scoring_client.get("/v1/complaints?status=open", headers=auth(tokens["officer2"]))
    assert [c["complaint_id"] for c in listed.json()["data"]] == [complaint_id]
    assert _log(store, "complaint.view") == [("supervisor", str(complaint_id), {})]
    assert _log(store, "complaint.list") == [
        ("officer2", "open", {"complaint_ids": [complaint_id]})
    ]


def test_the_transparency_report_publishes_the_latest_head(client, store, settings):
    page = client.get("/transparency?lang=en").text
    assert "No head of the audit log has been published yet." in page
    _append(store, 2)
    path = settings.data_dir / "audit-checkpoints.jsonl"
    with store.transaction() as session:
        write_checkpoint(session, path, now=lambda: NOW)
    _append(store, 1)
    with store.transaction() as session:
        latest = write_checkpoint(session, path, now=lambda: NOW + dt.timedelta(minutes=5))
    page = client.get("/transparency?lang=en").text
    assert f'<code id="audit-head">{latest.hash}:{latest.count}</code>' in page
    assert f"On 2026-12-06T06:05:00 (UTC) the audit log held {latest.count} entries" in page
    download = client.get("/transparency/report.html?lang=id").text
    assert f'<code id="audit-head">{latest.hash}:{latest.count}</code>' in download
    assert f"Pada 2026-12-06T06:05:00 (UTC) log audit memuat {latest.count} entri" in download
