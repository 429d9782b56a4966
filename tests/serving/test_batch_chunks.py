"""A batch is stored in short write transactions (``serving.batch_write_chunk``).

Refusals known before writing store nothing; a batch interrupted between two chunks
is completed by sending it again, with nothing stored twice.  The reference for an
interrupted batch is the same batch sent once, uninterrupted, to the same (emptied)
store; "nothing stored twice" is the row count of every table of the store.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import _empty, _point, _users, as_json, auth

from serving.services import verify_chain
from serving.store import Base

pytestmark = pytest.mark.xdist_group("serving_model")

KEY = "batch-3c1d"
#: What differs between two runs of one batch: ids, times and the once-shown access code.
VOLATILE = ("score_id", "case_id", "scored_at", "reference", "access_code")


def _counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def _batch(client, token, payloads, key=None):
    headers = auth(token) | ({"Idempotency-Key": key} if key is not None else {})
    items = [as_json(p) for p in payloads]
    return client.post("/v1/applications/score-batch", headers=headers, json={"items": items})


def _stable(answer) -> list[dict]:
    return [{k: v for k, v in item.items() if k not in VOLATILE} for item in answer.json()["data"]]


def _emptied(store) -> None:
    """The store as the fixture made it, before its users (ids counted from 1 again)."""
    # the pool's connections remember what they saw committed (the feature encodings):
    # emptied, the store is a new one to them
    store.engine.dispose()
    if store.dialect == "postgresql":
        _empty(store)
        return
    with store.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.exec_driver_sql(f"DELETE FROM {table.name}")
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").first():
            conn.exec_driver_sql("DELETE FROM sqlite_sequence")
        conn.exec_driver_sql(
            "INSERT INTO audit_head (head_id, seq, hash) VALUES (1, 0, '%s')" % ("0" * 64)
        )


def _chain_intact(store) -> None:
    with store.reading() as session:
        report = verify_chain(session)
    assert (report.ok, report.entries) == (True, _counts(store)["audit_log"])


def _fail_commit_of_chunk(monkeypatch, chunk: int):
    """The commit of the write transaction starting at item ``chunk`` fails, once."""
    import serving.services._batch as batch

    real, failed = batch._record_chunk, []

    def boom(session):
        failed.append(True)
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    def recording(session, *args):
        if args[4] == chunk and not failed:  # args: bundle, settings, principal, plans, start
            sa.event.listen(session, "before_commit", boom, once=True)
        return real(session, *args)

    monkeypatch.setattr(batch, "_record_chunk", recording)
    return failed


def test_a_batch_interrupted_between_chunks_is_completed_by_a_resend(
    shared_app, scoring_client, tokens, world, store, settings, holder, monkeypatch
):
    settings.serving.batch_write_chunk = 2
    payloads = world["payloads"][:5]
    reference = _batch(scoring_client, tokens["officer"], payloads, KEY)
    assert reference.status_code == 200, reference.text
    expected = _counts(store)
    assert (expected["applications"], expected["scores"]) == (5, 5)

    _emptied(store)
    fresh = _users(store)
    client = _point(shared_app, store, settings, holder)[1]
    failed = _fail_commit_of_chunk(monkeypatch, chunk=2)
    lost = _batch(client, fresh["officer"], payloads, KEY)
    assert failed == [True]
    assert lost.status_code == 503, lost.text
    assert (_counts(store)["applications"], _counts(store)["scores"]) == (2, 2)  # chunk 1 only

    again = _batch(client, fresh["officer"], payloads, KEY)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed-Items"] == "0,1"
    assert _counts(store) == expected  # no score, case, audit entry or input row twice
    assert _stable(again) == _stable(reference)
    _chain_intact(store)
    third = _batch(client, fresh["officer"], payloads, KEY)
    assert third.headers["Idempotent-Replayed-Items"] == "0,1,2,3,4"
    assert _counts(store) == expected


def _changed(payload: dict) -> dict:
    app = dict(payload["application"])
    app["declared_funds_usd"] = app["declared_funds_usd"] + 1000
    return {**payload, "application": app}


def test_a_refused_item_in_a_late_chunk_stores_nothing(
    scoring_client, tokens, world, store, settings
):
    settings.serving.batch_write_chunk = 2
    payloads = world["payloads"]
    first = _batch(scoring_client, tokens["officer"], payloads[:1])
    assert first.status_code == 200, first.text
    before = _counts(store)
    app_id = payloads[0]["application"]["application_id"]
    sent = [*payloads[1:5], _changed(payloads[0])]  # item 4: a changed re-send
    response = _batch(scoring_client, tokens["officer"], sent)
    message = (
        f"application {app_id!r} was already received with different contents;"
        " an application cannot be changed once received"
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": [{"loc": ["body", "items", 4], "msg": message}],
    }
    assert _counts(store) == before
    _chain_intact(store)


@pytest.mark.parametrize("clash", ["document", "application"])
def test_a_clash_between_items_of_one_batch_stores_nothing(
    scoring_client, tokens, world, store, settings, clash
):
    settings.serving.batch_write_chunk = 2
    payloads = [dict(p) for p in world["payloads"][:4]]
    if clash == "document":  # item 3 claims item 0's passport
        documents = [dict(d) for d in payloads[3]["documents"]]
        documents[0]["document_id"] = payloads[0]["documents"][0]["document_id"]
        payloads[3] = {**payloads[3], "documents": documents}
        message = f"document {documents[0]['document_id']!r} already belongs to another application"
    else:  # item 3 is item 0 changed
        payloads[3] = _changed(payloads[0])
        app_id = payloads[0]["application"]["application_id"]
        message = (
            f"application {app_id!r} was already received with different"
            " contents; an application cannot be changed once received"
        )
    before = _counts(store)
    response = _batch(scoring_client, tokens["officer"], payloads)
    assert response.status_code == 409
    assert response.json() == {
        "error": "conflict",
        "detail": [{"loc": ["body", "items", 3], "msg": message}],
    }
    assert _counts(store) == before


def test_rows_stored_between_two_chunks_are_counted(
    scoring_client, tokens, world, store, settings, holder, monkeypatch
):
    """A single score lands between chunk 0 and chunk 1: item 1 is recomputed under the lock.

    The reference is the one-by-one path: item 1's features from the store afterwards,
    which hold item 0 and the application stored in between.
    """
    import contextlib
    import datetime as dt

    import serving.services._batch as batch
    from risk.clock import WallClock
    from serving.services import Principal, compute_features, score_application
    from serving.store import Score

    settings.serving.batch_write_chunk = 1
    shared = ("phone_hash", "email_hash", "address_hash", "bank_account_hash", "agent_id")
    first = next(i for i, p in enumerate(world["payloads"]) if p["application"]["agent_id"])
    one, two, other = world["payloads"][first : first + 3]
    two = {**two, "application": {**two["application"]}}
    meanwhile = {**other["application"]}
    for column in shared:
        two["application"][column] = one["application"][column]
        meanwhile[column] = one["application"][column]
    two["application"]["submitted_at"] = one["application"]["submitted_at"] + dt.timedelta(hours=2)
    meanwhile["submitted_at"] = one["application"]["submitted_at"] + dt.timedelta(hours=1)

    real_transaction, chunks = store.transaction, []

    @contextlib.contextmanager
    def transaction(*args, **kwargs):
        if chunks is not None and len(chunks) == 1:  # after chunk 0, before chunk 1
            with real_transaction() as session:
                score_application(
                    session, holder.bundle, settings, Principal(1, "admin", "admin"),
                    meanwhile, other["documents"], clock=WallClock(),
                )  # fmt: skip
        chunks.append(True)
        with real_transaction(*args, **kwargs) as session:
            yield session

    real_compute = batch._compute

    def compute(*args):
        marks = real_compute(*args)
        monkeypatch.setattr(store, "transaction", transaction)  # only the batch's chunks
        return marks

    monkeypatch.setattr(batch, "_compute", compute)
    response = _batch(scoring_client, tokens["officer"], [one, two])
    assert response.status_code == 200, response.text
    assert len(chunks) == 2
    monkeypatch.undo()
    with store.reading() as session:
        logged = session.scalars(
            sa.select(Score.features).where(
                Score.application_id == two["application"]["application_id"]
            )
        ).one()
        reference = compute_features(session, two["application"], two["documents"], settings)
    assert logged["phone_shared_count"] == reference["phone_shared_count"] == 2  # item 0, meanwhile
    assert logged["agent_application_count"] == reference["agent_application_count"]
