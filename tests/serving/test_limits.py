"""Abuse limits: body size before parsing, field lengths, integer bounds, unsafe characters.

Each case here answered 200 (and stored the value) or 500 before these limits existed.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

pytestmark = pytest.mark.xdist_group("serving_model")

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the store
MAX_OFFSET = 2**63 - 1


def _count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _locs(response) -> list[list[str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_error"
    return [e["loc"] for e in body["detail"]]


# --- the body limit, before parsing ------------------------------------------------

LIMIT = 4 * 1024 * 1024  # serving.max_body_bytes by default


def _raw_post(client, path, token, content):
    headers = {**auth(token), "content-type": "application/json"}
    return client.post(path, headers=headers, content=content)


def test_a_declared_body_over_the_limit_answers_413_unparsed(client, tokens, store):
    body = b'{"application": "' + b"x" * LIMIT + b'"}'
    r = _raw_post(client, "/v1/applications/score", tokens["officer"], body)
    assert r.status_code == 413
    assert r.json() == {
        "error": "too_large",
        "detail": f"the request body is larger than the service accepts ({LIMIT} bytes)",
    }
    assert _count(store, "applications") == 0


def test_a_streamed_body_over_the_limit_answers_413(client, tokens):
    def chunks():  # no Content-Length: the body arrives chunked
        for _ in range(5):
            yield b"x" * (1024 * 1024)

    r = _raw_post(client, "/v1/applications/score-batch", tokens["officer"], chunks())
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


def test_a_web_form_over_the_limit_answers_413(client):
    r = client.post("/login", data={"username": "u", "password": "p" * LIMIT})
    assert r.status_code == 413


def test_a_body_at_the_limit_is_parsed(client, tokens):
    complaint = {"application_id": "A-none", "category": "other", "description": "d" * 4000}
    body = json.dumps(complaint).encode()
    body += b" " * (LIMIT - len(body))  # exactly at the limit
    r = _raw_post(client, "/v1/complaints", tokens["officer"], body)
    assert r.json() == {"error": "not_found", "detail": "application 'A-none' does not exist"}


# --- field lengths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("application", "application_id"),
        ("application", "residence_city"),
        ("document", "mrz_line1"),
        ("document", "printed_surname"),
    ],
)
def test_an_overlong_contract_field_answers_422_naming_it(
    client, tokens, world, store, where, field
):
    payload = as_json(world["payloads"][0])
    target = payload["application"] if where == "application" else payload["documents"][0]
    target[field] = "A" * 1_000_000
    r = client.post("/v1/applications/score", headers=auth(tokens["officer"]), json=payload)
    loc = ["body", "application", field] if where == "application" else None
    loc = loc or ["body", "documents", "0", field]
    assert loc in _locs(r)
    assert _count(store, "applications") == 0


def test_free_text_and_usernames_have_caps(client, tokens):
    r = client.post(
        "/v1/complaints",
        headers=auth(tokens["officer"]),
        json={"category": "other", "description": "d" * 5001},
    )
    assert _locs(r) == [["body", "description"]]
    r = client.post(
        "/v1/cases/1/reassign", headers=auth(tokens["supervisor"]), json={"username": "u" * 81}
    )
    assert _locs(r) == [["body", "username"]]


# --- integer bounds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "loc"),
    [
        ("get", f"/v1/cases/{2**63}", ["path", "case_id"]),
        ("get", f"/v1/cases/{MAX_ID + 1}", ["path", "case_id"]),
        ("post", f"/v1/cases/{2**63}/claim", ["path", "case_id"]),
        ("post", f"/v1/cases/{MAX_ID + 1}/release", ["path", "case_id"]),
        ("get", f"/v1/complaints/{2**63}", ["path", "complaint_id"]),
        ("post", f"/v1/complaints/{MAX_ID + 1}/take", ["path", "complaint_id"]),
        ("get", f"/v1/cases?offset={2**64}", ["query", "offset"]),
        ("get", f"/v1/complaints?offset={2**64}", ["query", "offset"]),
        ("get", "/v1/cases/0", ["path", "case_id"]),
    ],
)
def test_integers_out_of_range_answer_422(client, tokens, method, path, loc):
    r = getattr(client, method)(path, headers=auth(tokens["supervisor"]))
    assert _locs(r) == [loc]


def test_an_audit_log_offset_out_of_range_answers_422(client, tokens):
    r = client.get(f"/v1/audit-log?offset={2**64}", headers=auth(tokens["auditor"]))
    assert _locs(r) == [["query", "offset"]]


def test_the_largest_id_is_an_ordinary_404(client, tokens):
    r = client.get(f"/v1/cases/{MAX_ID}", headers=auth(tokens["supervisor"]))
    assert r.json() == {"error": "not_found", "detail": f"case {MAX_ID} does not exist"}
    r = client.get(f"/v1/complaints/{MAX_ID}", headers=auth(tokens["supervisor"]))
    assert r.status_code == 404
    r = client.get(f"/v1/cases?offset={MAX_OFFSET}", headers=auth(tokens["supervisor"]))
    assert r.json() == {"data": [], "count": 0}


@pytest.mark.parametrize("value", [2**64, MAX_ID + 1, -1, 0])
def test_body_ids_out_of_range_answer_422(client, tokens, value):
    r = client.post(
        "/v1/complaints",
        headers=auth(tokens["officer"]),
        json={"category": "other", "description": "late", "case_id": value},
    )
    assert _locs(r) == [["body", "case_id"]]
    r = client.post(
        "/v1/cases/1/decisions",
        headers=auth(tokens["officer"]),
        json={"outcome": "no_violation", "reason": "checked", "amends": value},
    )
    assert _locs(r) == [["body", "amends"]]


def test_an_unbounded_contract_integer_is_bounded_by_its_type(client, tokens, world):
    payload = as_json(world["payloads"][0])
    payload["application"]["intended_stay_days"] = 2**64
    r = client.post("/v1/applications/score", headers=auth(tokens["officer"]), json=payload)
    assert _locs(r) == [["body", "application", "intended_stay_days"]]


def test_non_finite_numbers_answer_422(client, tokens, world):
    payload = as_json(world["payloads"][0])
    text = json.dumps(payload).replace(
        f'"declared_funds_usd": {json.dumps(payload["application"]["declared_funds_usd"])}',
        '"declared_funds_usd": Infinity',
        1,
    )
    r = client.post(
        "/v1/applications/score",
        headers={**auth(tokens["officer"]), "content-type": "application/json"},
        content=text,
    )
    assert _locs(r) == [["body", "application", "declared_funds_usd"]]


# --- characters ----------------------------------------------------------------------

UNSAFE = {
    "NUL": "\x00",
    "BEL": "\x07",
    "CR": "\r",
    "LF": "\n",
    "RTL override": "\u202e",
    "lone surrogate": "\ud800",
}


@pytest.mark.parametrize("char", UNSAFE.values(), ids=UNSAFE.keys())
@pytest.mark.parametrize("field", ["application_id", "residence_city", "applicant_id"])
def test_unsafe_characters_in_one_line_fields_answer_422(client, tokens, world, store, char, field):
    payload = as_json(world["payloads"][0])
    payload["application"][field] = f"ab{char}cd"
    if field == "application_id":
        for doc in payload["documents"]:
            doc["application_id"] = payload["application"][field]
    r = client.post(
        "/v1/applications/score",
        headers={**auth(tokens["officer"]), "content-type": "application/json"},
        content=json.dumps(payload),  # \ud800 travels as the JSON escape it is
    )
    assert ["body", "application", field] in _locs(r)
    message = next(e["msg"] for e in r.json()["detail"] if e["loc"][-1] == field)
    assert f"(U+{ord(char):04X}) at position 2 is not allowed" in message
    assert _count(store, "applications") == 0


@pytest.mark.parametrize("char", ["\x00", "\x07", "\u202e", "\ud800"])
def test_unsafe_characters_in_free_text_answer_422(client, tokens, char):
    r = client.post(
        "/v1/complaints",
        headers={**auth(tokens["officer"]), "content-type": "application/json"},
        content=json.dumps({"category": "other", "description": f"late{char}"}),
    )
    assert _locs(r) == [["body", "description"]]


def test_free_text_keeps_line_breaks_and_tabs(scoring_client, tokens, world):
    payload = as_json(world["payloads"][0])
    r = scoring_client.post("/v1/applications/score", headers=auth(tokens["officer"]), json=payload)
    assert r.status_code == 200, r.text
    text = "first line\r\nsecond\tline\n"
    r = scoring_client.post(
        "/v1/complaints",
        headers=auth(tokens["officer"]),
        json={
            "application_id": payload["application"]["application_id"],
            "category": "other",
            "description": text,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["description"] == text.strip()


def test_a_lone_surrogate_in_a_field_name_answers_422(client, tokens):
    r = client.post(
        "/v1/complaints",
        headers={**auth(tokens["officer"]), "content-type": "application/json"},
        content=b'{"category": "other", "description": "x", "\\ud800": 1}',
    )
    assert _locs(r) == [["body"]]
    assert r.json()["detail"][0]["type"] == "string_unicode"


def test_a_username_with_a_line_break_answers_422(client, tokens):
    r = client.post(
        "/v1/complaints/1/assign",
        headers=auth(tokens["supervisor"]),
        json={"username": "officer\nadmin"},
    )
    assert _locs(r) == [["body", "username"]]
