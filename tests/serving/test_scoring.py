"""Scoring through the API: the answer, the inference log, routing, atomicity, bad input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from models import load_bundle
from serving.services import input_fingerprint, verify_chain
from serving.store import Score

pytestmark = pytest.mark.xdist_group("serving_model")

PROTECTED = ("nationality", "sex", "birth_date", "marital_status")


def _count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _score(client, token, payload, **extra):
    return client.post(
        "/v1/applications/score", headers=auth(token), json={**as_json(payload), **extra}
    )


def test_score_answer_and_inference_log(scoring_client, tokens, world, store, holder):
    payload = world["payloads"][0]
    response = _score(scoring_client, tokens["officer"], payload)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["application_id"] == payload["application"]["application_id"]
    assert body["model_version"] == holder.version
    # A bundle served outside the registry goes by its short fingerprint alone.
    assert body["model_name"] == holder.bundle.fingerprint[:8] == holder.name
    assert body["outcome"] in ("review", "no_flag")
    assert (body["outcome"] == "review") == (body["case_id"] is not None)
    assert 0.0 <= body["score"] <= 1.0
    assert body["band"] in ("low", "medium", "high")
    assert all(r["contribution"] > 0 for r in body["raised"])
    assert all(r["contribution"] < 0 for r in body["lowered"])
    assert not set(PROTECTED) & set(body)
    with store.transaction() as session:
        row = session.get(Score, body["score_id"])
        assert row.input_fingerprint == input_fingerprint(
            payload["application"], payload["documents"]
        )
        # Independent check: rescoring the logged feature values gives the logged score.
        again = load_bundle(world["bundle"]).score_one(row.features, top=5)
        assert again.probability == pytest.approx(row.score, abs=1e-12)
        assert again.margin == pytest.approx(row.margin, abs=1e-9)
        assert row.reasons == {"raised": body["raised"], "lowered": body["lowered"]}
        assert verify_chain(session).ok
    with store.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action, entity_id FROM audit_log")).all()
    assert ("score", body["score_id"]) in actions


def test_reasons_follow_the_requested_language(scoring_client, tokens, world):
    payload = world["payloads"][1]
    en = _score(scoring_client, tokens["officer"], payload).json()
    id_ = _score(scoring_client, tokens["officer"], payload, lang="id").json()
    assert [r["feature"] for r in en["raised"]] == [r["feature"] for r in id_["raised"]]
    texts = [
        (a["text"], b["text"])
        for a, b in zip(en["raised"] + en["lowered"], id_["raised"] + id_["lowered"], strict=True)
    ]
    assert texts and any(a != b for a, b in texts)


def test_kill_switch_sends_everything_to_review(scoring_client, tokens, world):
    r = scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Drift alarm"},
    )
    assert r.json()["kill_switch"] is True
    bodies = [_score(scoring_client, tokens["officer"], p).json() for p in world["payloads"][:4]]
    assert [b["outcome"] for b in bodies] == ["review"] * 4
    assert [b["route"] for b in bodies] == ["kill_switch"] * 4
    assert len({b["case_id"] for b in bodies}) == 4


def test_blind_sample_goes_to_review_without_its_score(scoring_client, tokens, world):
    scoring_client.put(
        "/v1/settings/review",
        headers=auth(tokens["admin"]),
        json={"threshold": 0.999, "blind_sample_rate": 0.99},
    )
    bodies = [_score(scoring_client, tokens["officer"], p).json() for p in world["payloads"][:6]]
    blind = [b for b in bodies if b["route"] == "blind_sample"]
    assert blind, bodies
    case = scoring_client.get(
        f"/v1/cases/{blind[0]['case_id']}", headers=auth(tokens["officer"])
    ).json()
    assert case["blind"] is True
    assert (
        case["score"],
        case["band"],
        case["raised"],
        case["lowered"],
        case["model_version"],
        case["model_name"],
    ) == (None, None, None, None, None, None)
    queue = scoring_client.get("/v1/cases", headers=auth(tokens["officer"])).json()
    row = next(c for c in queue["data"] if c["case_id"] == blind[0]["case_id"])
    assert (row["score"], row["band"]) == (None, None)


def test_threshold_override_flags_by_calibrated_score(scoring_client, tokens, world):
    scoring_client.put(
        "/v1/settings/review",
        headers=auth(tokens["admin"]),
        json={"threshold": 0.000001, "blind_sample_rate": 0.0},
    )
    body = _score(scoring_client, tokens["officer"], world["payloads"][2]).json()
    assert (body["outcome"], body["route"], body["threshold"]) == ("review", "model_flag", 1e-06)


def test_no_model_answers_503_and_stores_nothing(client, tokens, world, store):
    before = _count(store, "audit_log")
    response = _score(client, tokens["officer"], world["payloads"][0])
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "model_unavailable"
    assert body["detail"]["message"] == "no model is loaded; scoring is unavailable"
    assert (_count(store, "applications"), _count(store, "scores")) == (0, 0)
    assert _count(store, "audit_log") == before
    assert client.get("/v1/cases", headers=auth(tokens["officer"])).status_code == 200


def test_failure_mid_request_leaves_nothing(scoring_client, tokens, world, store, monkeypatch):
    import serving.services._scoring as scoring

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Drift alarm"},
    )
    before = _count(store, "audit_log")
    monkeypatch.setattr(scoring, "append_audit", broken)
    response = _score(scoring_client, tokens["officer"], world["payloads"][0])
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "an internal error occurred; it has been logged",
    }
    assert "disk full" not in response.text
    counts = [_count(store, t) for t in ("applications", "documents", "scores", "cases")]
    assert counts == [0, 0, 0, 0]
    assert _count(store, "audit_log") == before


def test_an_identical_resend_is_answered_again_but_a_change_is_refused(
    scoring_client, tokens, world
):
    """Re-sending is a retry (tests/serving/test_idempotency.py covers it in depth)."""
    payload = world["payloads"][3]
    first = _score(scoring_client, tokens["officer"], payload)
    second = _score(scoring_client, tokens["officer"], payload)
    # the same answer; only the access code is not shown twice (only its hash is kept)
    assert second.json() == first.json() | {"reference": None, "access_code": None}
    assert second.headers["Idempotent-Replayed"] == "true"
    changed = {**payload, "application": {**payload["application"], "intended_stay_days": 999}}
    response = _score(scoring_client, tokens["officer"], changed)
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert "already received with different contents" in response.json()["detail"]


def test_a_utc_offset_names_the_same_instant(scoring_client, tokens, world, store):
    """+07:00 late in the evening UTC is the next local day: features use the UTC instant."""
    import datetime as dt

    payload = as_json(world["payloads"][5])
    instant = dt.datetime.fromisoformat(payload["application"]["submitted_at"])
    jakarta = dt.timezone(dt.timedelta(hours=7))
    # 20:30 UTC is 03:30 the next day in Jakarta: a different calendar day, the same instant.
    evening = instant.replace(hour=20, minute=30)
    local = {**payload["application"], "submitted_at": evening.replace(tzinfo=dt.UTC)
             .astimezone(jakarta).isoformat()}  # fmt: skip
    utc = {**payload["application"], "submitted_at": evening.isoformat() + "Z"}
    naive = {**payload["application"], "submitted_at": evening.isoformat()}
    answers = [
        scoring_client.post(
            "/v1/applications/score",
            headers=auth(tokens["officer"]),
            json={**payload, "application": application},
        )
        for application in (local, utc, naive)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]  # one application, re-scored
    with store.transaction() as session:
        rows = [session.get(Score, a.json()["score_id"]) for a in answers]
        assert len({r.input_fingerprint for r in rows}) == 1
        assert rows[0].features == rows[1].features == rows[2].features
        assert rows[0].features["submitted_at"] == evening.isoformat()
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT submitted_at FROM applications WHERE application_id = :a"),
            {"a": payload["application"]["application_id"]},
        ).scalar_one()
    assert str(stored).startswith(evening.strftime("%Y-%m-%d %H:%M:%S"))


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        (
            lambda p: p["application"].update(visa_type="tourist"),
            ["body", "application", "visa_type"],
            "Input should be",
        ),
        (
            lambda p: p["application"].pop("submitted_at"),
            ["body", "application", "submitted_at"],
            "Field required",
        ),
        (
            lambda p: p["application"].update(phone_hash="XYZ"),
            ["body", "application", "phone_hash"],
            "String should match pattern",
        ),
        (
            lambda p: p["application"].update(intended_stay_days=0),
            ["body", "application", "intended_stay_days"],
            "greater than or equal to 1",
        ),
        (
            lambda p: p["application"].update(extra_field=1),
            ["body", "application", "extra_field"],
            "Extra inputs are not permitted",
        ),
        (
            lambda p: p["documents"][0].update(tamper_score=1.5),
            ["body", "documents", "0", "tamper_score"],
            "less than or equal to 1",
        ),
        (
            lambda p: p["documents"][0].update(application_id="OTHER"),
            ["body"],
            "documents[0].application_id 'OTHER' is not the application's id",
        ),
    ],
    ids=["enum", "missing", "pattern", "range", "extra", "document-range", "document-owner"],
)
def test_invalid_fields_answer_422_with_path(
    scoring_client, tokens, world, store, change, loc, words
):
    payload = as_json(world["payloads"][0])
    change(payload)
    response = scoring_client.post(
        "/v1/applications/score", headers=auth(tokens["officer"]), json=payload
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert any(d["loc"] == loc and words in d["msg"] for d in body["detail"]), body
    assert _count(store, "applications") == 0


def test_malformed_json_answers_422(scoring_client, tokens):
    response = scoring_client.post(
        "/v1/applications/score",
        content=b"{not json",
        headers={**auth(tokens["officer"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert "Traceback" not in response.text


def test_batch_scores_in_order_and_is_all_or_nothing(scoring_client, tokens, world, store):
    items = [as_json(p) for p in world["payloads"][5:8]]
    response = scoring_client.post(
        "/v1/applications/score-batch", headers=auth(tokens["officer"]), json={"items": items}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [d["application_id"] for d in body["data"]] == [
        i["application"]["application_id"] for i in items
    ]
    changed = as_json(world["payloads"][6])
    changed["application"]["intended_stay_days"] = 999
    fresh = as_json(world["payloads"][9])
    response = scoring_client.post(
        "/v1/applications/score-batch",
        headers=auth(tokens["officer"]),
        json={"items": [fresh, changed]},
    )
    assert response.status_code == 409
    message = (
        f"application {changed['application']['application_id']!r} was already received with"
        " different contents; an application cannot be changed once received"
    )
    assert response.json() == {
        "error": "conflict",
        "detail": [{"loc": ["body", "items", 1], "msg": message}],
    }
    assert _count(store, "applications") == 3
    assert _count(store, "scores") == 3


def test_logged_score_is_readable_and_unknown_ids_are_404(scoring_client, tokens, world):
    body = _score(scoring_client, tokens["officer"], world["payloads"][4]).json()
    got = scoring_client.get(f"/v1/scores/{body['score_id']}", headers=auth(tokens["officer"]))
    # the applicant's reference and access code are answered once, with the first score
    assert body["access_code"] is not None
    assert got.json() == {**body, "reference": None, "access_code": None}
    missing = scoring_client.get("/v1/scores/nope", headers=auth(tokens["officer"]))
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "detail": "score 'nope' does not exist"}


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # the inline path is SQLite's
def test_a_score_waits_in_a_thread_while_another_process_writes(
    scoring_client, tokens, world, store
):
    """The inline path finds the store locked, the thread pool waits; the loop stays free."""
    import sqlite3
    import threading

    assert store.embedded
    other = sqlite3.connect(store.url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    answers = []
    scoring = threading.Thread(
        target=lambda: answers.append(
            _score(scoring_client, tokens["officer"], world["payloads"][1])
        )
    )
    scoring.start()
    scoring.join(0.5)
    assert scoring.is_alive()  # waiting for the other writer ...
    assert scoring_client.get("/v1/health").status_code == 200  # ... without blocking the loop
    other.rollback()
    other.close()
    scoring.join(30)
    assert answers and answers[0].status_code == 200, answers
    assert _count(store, "scores") == 1


def test_a_batch_conflict_names_the_item(scoring_client, tokens, world, store):
    first, second = as_json(world["payloads"][10]), as_json(world["payloads"][11])
    taken = first["documents"][0]["document_id"]
    second["documents"][0]["document_id"] = taken  # a scan already sent with item 0
    response = scoring_client.post(
        "/v1/applications/score-batch",
        headers=auth(tokens["officer"]),
        json={"items": [first, second]},
    )
    assert response.status_code == 409
    message = f"document {taken!r} already belongs to another application"
    assert response.json() == {
        "error": "conflict",
        "detail": [{"loc": ["body", "items", 1], "msg": message}],
    }
    assert _count(store, "scores") == 0
