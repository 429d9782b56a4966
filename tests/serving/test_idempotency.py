"""Idempotent scoring: a re-sent request gets its original answer and stores nothing new.

Each test runs on SQLite and PostgreSQL.  "Nothing new" is checked as the row count
of every table of the store, before and after the re-send.
"""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from serving.store import Base

pytestmark = pytest.mark.xdist_group("serving_model")

KEY = "retry-7f1c2b9e-0d4a"
REPLAYED = "Idempotent-Replayed"


def _counts(store) -> dict[str, int]:
    """Rows in every table of the store (raw tables, scores, cases, audit log, ...)."""
    with store.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def _score(client, token, payload, key=None):
    headers = auth(token) | ({"Idempotency-Key": key} if key is not None else {})
    return client.post("/v1/applications/score", headers=headers, json=as_json(payload))


def _batch(client, token, payloads, key=None):
    headers = auth(token) | ({"Idempotency-Key": key} if key is not None else {})
    items = [as_json(p) for p in payloads]
    return client.post("/v1/applications/score-batch", headers=headers, json={"items": items})


def _same(answer) -> dict:
    """An answer without the applicant's access code (shown only by the score that issued it)."""
    return answer.json() | {"reference": None, "access_code": None}


def _crash_once(monkeypatch):
    """The route's answer fails once, after the store committed (a lost answer)."""
    import serving.routers.applications as route

    real, calls = route.json_answer, []

    def failing(model):
        calls.append(model)
        if len(calls) == 1:
            raise ConnectionResetError("the client went away before the answer")
        return real(model)

    monkeypatch.setattr(route, "json_answer", failing)
    return calls


@pytest.mark.parametrize("key", [KEY, None], ids=["with-key", "without-key"])
def test_a_resend_after_a_lost_answer_gets_the_original_score(
    scoring_client, tokens, world, store, monkeypatch, key
):
    payload = world["payloads"][0]
    sent = _crash_once(monkeypatch)
    lost = _score(scoring_client, tokens["officer"], payload, key)
    assert lost.status_code == 500
    after_crash = _counts(store)
    assert (after_crash["applications"], after_crash["scores"]) == (1, 1)
    again = _score(scoring_client, tokens["officer"], payload, key)
    assert again.status_code == 200, again.text
    assert again.headers[REPLAYED] == "true"
    assert _counts(store) == after_crash  # no second score, case, audit entry or input row
    # The answer that was lost, as built before the crash, is the answer given now, except
    # the applicant's access code: only its hash is kept, so it cannot be shown twice.
    lost_answer = sent[0].model_dump(mode="json")
    assert lost_answer["access_code"] is not None
    blank = {"reference": None, "access_code": None}
    assert again.json() == lost_answer | blank
    stored = scoring_client.get(
        f"/v1/scores/{again.json()['score_id']}", headers=auth(tokens["officer"])
    )
    assert stored.json() == again.json()
    # A third send is still the same answer.
    third = _score(scoring_client, tokens["officer"], payload, key)
    assert (third.json(), third.headers[REPLAYED]) == (again.json(), "true")
    assert _counts(store) == after_crash


def test_a_first_send_is_not_marked_as_a_replay(scoring_client, tokens, world, store):
    first = _score(scoring_client, tokens["officer"], world["payloads"][1], KEY)
    assert first.status_code == 200
    assert REPLAYED not in first.headers
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT idempotency_key FROM scores")).scalars().all()
    assert stored == [KEY]


def test_the_same_key_with_different_inputs_is_refused_naming_the_key(
    scoring_client, tokens, world, store
):
    first = _score(scoring_client, tokens["officer"], world["payloads"][2], KEY)
    assert first.status_code == 200
    before = _counts(store)
    other = world["payloads"][3]
    response = _score(scoring_client, tokens["officer"], other, KEY)
    assert response.status_code == 409
    app_id = world["payloads"][2]["application"]["application_id"]
    assert response.json() == {
        "error": "conflict",
        "detail": f"Idempotency-Key {KEY!r} was already used for a different request"
        f" (application {app_id!r}); send a new key with a new request",
    }
    # The same application in another language is a different request as well.
    payload = {**world["payloads"][2], "lang": "id"}
    assert _score(scoring_client, tokens["officer"], payload, KEY).status_code == 409
    assert _counts(store) == before


def test_keys_belong_to_their_caller(scoring_client, tokens, world, store):
    """Another caller's identical key names another request: it is scored, not refused."""
    mine = _score(scoring_client, tokens["officer"], world["payloads"][4], KEY)
    theirs = _score(scoring_client, tokens["officer2"], world["payloads"][5], KEY)
    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert REPLAYED not in theirs.headers
    assert theirs.json()["application_id"] == world["payloads"][5]["application"]["application_id"]
    assert _counts(store)["scores"] == 2


def test_a_new_language_is_a_new_score_and_a_changed_application_a_conflict(
    scoring_client, tokens, world, store
):
    payload = world["payloads"][6]
    en = _score(scoring_client, tokens["officer"], payload).json()
    id_ = _score(scoring_client, tokens["officer"], {**payload, "lang": "id"})
    assert id_.status_code == 200 and REPLAYED not in id_.headers
    assert id_.json()["score_id"] != en["score_id"]
    assert id_.json()["score"] == en["score"]
    changed = {**payload, "application": {**payload["application"], "intended_stay_days": 999}}
    response = _score(scoring_client, tokens["officer"], changed, "another-key")
    assert response.status_code == 409
    app_id = payload["application"]["application_id"]
    assert response.json() == {
        "error": "conflict",
        "detail": f"application {app_id!r} was already received with different contents;"
        " an application cannot be changed once received",
    }
    assert _counts(store)["scores"] == 2


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # header checks touch no store
@pytest.mark.parametrize(
    ("key", "msg"),
    [
        ("k" * 65, "String should have at most 64 characters"),
        ("two words", "String should match pattern '^[A-Za-z0-9_.:\\-]+$'"),
        ("batch#1", "String should match pattern '^[A-Za-z0-9_.:\\-]+$'"),
        ("", "String should have at least 1 character"),
    ],
    ids=["too-long", "space", "hash", "empty"],
)
def test_a_malformed_key_is_refused_before_scoring(scoring_client, tokens, world, store, key, msg):
    response = _score(scoring_client, tokens["officer"], world["payloads"][7], key)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert [(e["loc"], e["msg"]) for e in body["detail"]] == [(["header", "Idempotency-Key"], msg)]
    assert _counts(store)["scores"] == 0


@pytest.mark.parametrize("key", [KEY, None], ids=["with-key", "without-key"])
def test_simultaneous_identical_first_sends_make_one_score(
    scoring_client, tokens, world, store, key
):
    payload, senders = world["payloads"][8], 4
    start, answers = threading.Barrier(senders), []

    def send():
        start.wait()
        answers.append(_score(scoring_client, tokens["officer"], payload, key))

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [200] * senders, [a.text for a in answers]
    assert len({json.dumps(_same(a)) for a in answers}) == 1  # equal answers
    assert [a.json()["access_code"] is not None for a in answers].count(True) == 1
    assert sorted(a.headers.get(REPLAYED, "") for a in answers) == [""] + ["true"] * 3
    counts = _counts(store)
    assert (counts["applications"], counts["scores"]) == (1, 1)
    with store.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_log")).scalars().all()
    assert actions.count("score") == 1


def test_a_second_transaction_waits_for_the_first_and_replays_it(store, settings, world, holder):
    """The lock, step by step: B starts while A's score is uncommitted, and answers A's score."""
    from serving_helpers import _users

    from risk.clock import WallClock
    from serving.services import Principal, score_application

    _users(store)
    payload = world["payloads"][9]
    caller = Principal(1, "admin", "admin")
    run = dict(clock=WallClock(), idempotency_key=KEY)
    a_scored, release, b_answer = threading.Event(), threading.Event(), []

    def a():
        with store.transaction() as session:
            outcome = score_application(
                session, holder.bundle, settings, caller, payload["application"],
                payload["documents"], **run,
            )  # fmt: skip
            a_scored.set()
            release.wait(30)
        return outcome

    def b():
        a_scored.wait(30)
        with store.transaction() as session:
            outcome = score_application(
                session, holder.bundle, settings, caller, payload["application"],
                payload["documents"], **run,
            )  # fmt: skip
            b_answer.append(outcome)

    first: list = []
    ta = threading.Thread(target=lambda: first.append(a()))
    tb = threading.Thread(target=b)
    ta.start(), tb.start()
    tb.join(0.5)
    assert tb.is_alive()  # B waits for A's transaction ...
    release.set()
    ta.join(30), tb.join(30)
    (outcome_a,), (outcome_b,) = first, b_answer
    assert (outcome_a.replayed, outcome_b.replayed) == (False, True)  # ... and answers A's score
    assert outcome_b.score.score_id == outcome_a.score.score_id
    assert _counts(store)["scores"] == 1


def test_a_resent_batch_is_answered_item_by_item(scoring_client, tokens, world, store):
    payloads = world["payloads"][10:13]
    first = _batch(scoring_client, tokens["officer"], payloads, KEY)
    assert first.status_code == 200
    assert f"{REPLAYED}-Items" not in first.headers
    before = _counts(store)
    again = _batch(scoring_client, tokens["officer"], payloads, KEY)
    assert again.status_code == 200
    assert again.headers[f"{REPLAYED}-Items"] == "0,1,2"
    assert [d | {"reference": None, "access_code": None} for d in first.json()["data"]] == (
        again.json()["data"]
    )
    assert _counts(store) == before
    with store.engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT idempotency_key FROM scores")).scalars().all()
    assert sorted(keys) == [f"{KEY}#0", f"{KEY}#1", f"{KEY}#2"]
    # The same batch key with a different second item: refused, naming the item and the key.
    changed = [payloads[0], world["payloads"][13], payloads[2]]
    response = _batch(scoring_client, tokens["officer"], changed, KEY)
    assert response.status_code == 409
    msg = (
        f"Idempotency-Key {KEY!r} was already used for a different request"
        f" (application {payloads[1]['application']['application_id']!r}); send a new key"
        " with a new request"
    )
    assert response.json() == {
        "error": "conflict",
        "detail": [{"loc": ["body", "items", 1], "msg": msg}],
    }
    assert _counts(store) == before


def test_a_batch_that_repeats_an_application_scores_it_once(scoring_client, tokens, world, store):
    one, two = world["payloads"][14], world["payloads"][15]
    single = _score(scoring_client, tokens["officer"], two).json()  # scored before the batch
    response = _batch(scoring_client, tokens["officer"], [one, one, two])
    assert response.status_code == 200
    data = response.json()["data"]
    assert response.headers[f"{REPLAYED}-Items"] == "1,2"
    assert data[1] == data[0] | {"reference": None, "access_code": None}
    assert data[2] == single | {"reference": None, "access_code": None}
    assert _counts(store)["scores"] == 2
