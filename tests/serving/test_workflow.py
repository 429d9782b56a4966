"""The review workflow, complaints, feedback and KPIs, end to end through the API."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from risk.clock import WallClock
from serving.services import verify_chain

pytestmark = pytest.mark.xdist_group("serving_model")

PROTECTED_KEYS = {
    "nationality",
    "sex",
    "birth_date",
    "marital_status",
    "printed_nationality",
    "printed_sex",
    "printed_birth_date",
    "mrz_line1",
    "mrz_line2",
    "mrz_line3",
}


@pytest.fixture
def cases(scoring_client, tokens, world):
    """Four cases opened under the kill switch; returns their ids in scoring order."""
    scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "Drift alarm"},
    )
    ids = []
    for payload in world["payloads"][:4]:
        body = scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        ).json()
        ids.append(body["case_id"])
    return ids


def _post(client, token, path, json=None):
    return client.post(path, headers=auth(token), json=json)


def _decide(client, token, case_id, **body):
    body = {"outcome": "no_violation", "reason": "Documents and history are consistent.", **body}
    return _post(client, token, f"/v1/cases/{case_id}/decisions", body)


def test_queue_orders_by_risk_then_waiting_time(scoring_client, tokens, cases):
    queue = scoring_client.get("/v1/cases", headers=auth(tokens["officer"])).json()
    assert queue["count"] == 4
    keys = [(-c["score"], c["created_at"], c["case_id"]) for c in queue["data"]]
    assert keys == sorted(keys)
    assert {c["case_id"] for c in queue["data"]} == set(cases)
    page = scoring_client.get("/v1/cases?limit=2&offset=1", headers=auth(tokens["officer"]))
    assert [c["case_id"] for c in page.json()["data"]] == [c["case_id"] for c in queue["data"][1:3]]


def test_claim_release_reassign(scoring_client, tokens, cases):
    c = cases[0]
    claimed = _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/claim").json()
    assert (claimed["status"], claimed["assigned_to"]) == ("claimed", "officer")
    other = _post(scoring_client, tokens["officer2"], f"/v1/cases/{c}/claim")
    assert other.status_code == 409
    assert other.json() == {"error": "conflict", "detail": f"case {c} is claimed by someone else"}
    mine = scoring_client.get("/v1/cases?assigned_to=officer", headers=auth(tokens["officer"]))
    assert [x["case_id"] for x in mine.json()["data"]] == [c]
    assert _post(scoring_client, tokens["officer2"], f"/v1/cases/{c}/release").status_code == 403
    released = _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/release").json()
    assert (released["status"], released["assigned_to"]) == ("open", None)
    moved = _post(
        scoring_client, tokens["supervisor"], f"/v1/cases/{c}/reassign", {"username": "officer2"}
    ).json()
    assert (moved["status"], moved["assigned_to"]) == ("claimed", "officer2")
    bad = _post(
        scoring_client, tokens["supervisor"], f"/v1/cases/{c}/reassign", {"username": "auditor"}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "username"]
    unknown = _post(
        scoring_client, tokens["supervisor"], f"/v1/cases/{c}/reassign", {"username": "nobody"}
    )
    assert unknown.json() == {"error": "not_found", "detail": "user 'nobody' does not exist"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"outcome": "refused"}, ["body", "outcome"]),
        ({"reason": ""}, ["body", "reason"]),
        ({"reason": "   "}, ["body", "reason"]),
        ({"outcome": "violation_confirmed"}, ["body", "violation_types"]),
        ({"violation_types": ["overstay"]}, ["body", "violation_types"]),
        (
            {"outcome": "violation_confirmed", "violation_types": ["smuggling"]},
            ["body", "violation_types", "0"],
        ),
    ],
    ids=[
        "refuse-does-not-exist",
        "empty-reason",
        "blank-reason",
        "confirmed-without-types",
        "types-without-confirmation",
        "unknown-type",
    ],
)
def test_invalid_decisions_are_422(scoring_client, tokens, cases, body, loc):
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[0]}/claim")
    response = _decide(scoring_client, tokens["officer"], cases[0], **body)
    assert response.status_code == 422
    assert any(d["loc"] == loc for d in response.json()["detail"]), response.json()


def test_decision_needs_a_claim_and_amendments_link(scoring_client, tokens, cases, store):
    c = cases[1]
    unclaimed = _decide(scoring_client, tokens["officer"], c)
    assert unclaimed.status_code == 409
    _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/claim")
    first = _decide(scoring_client, tokens["officer"], c)
    assert first.status_code == 201
    first = first.json()
    again = _decide(scoring_client, tokens["officer"], c)
    assert again.status_code == 409
    assert "amend it by sending 'amends' with that decision's id" in again.json()["detail"]
    amended = _decide(
        scoring_client,
        tokens["officer"],
        c,
        outcome="violation_confirmed",
        violation_types=["overstay", "document_fraud"],
        amends=first["decision_id"],
        reason="Exit record found later shows a 40-day overstay.",
    )
    assert amended.status_code == 201
    amended = amended.json()
    assert amended["amends"] == first["decision_id"]
    assert amended["violation_types"] == ["document_fraud", "overstay"]
    stale = _decide(scoring_client, tokens["officer"], c, amends=first["decision_id"])
    assert stale.status_code == 409
    case = scoring_client.get(f"/v1/cases/{c}", headers=auth(tokens["officer"])).json()
    assert case["status"] == "decided"
    assert [(d["decision_id"], d["outcome"], d["amends"]) for d in case["decisions"]] == [
        (first["decision_id"], "no_violation", None),
        (amended["decision_id"], "violation_confirmed", first["decision_id"]),
    ]
    with store.engine.connect() as conn:
        reason = conn.execute(
            sa.text("SELECT reason FROM decisions WHERE decision_id = :i"),
            {"i": first["decision_id"]},
        ).scalar_one()
    assert reason == "Documents and history are consistent."  # never overwritten


def test_case_view_is_audited_and_hides_protected_attributes(
    scoring_client, tokens, cases, world, store
):
    response = scoring_client.get(f"/v1/cases/{cases[0]}", headers=auth(tokens["officer"]))
    case = response.json()
    assert not PROTECTED_KEYS & set(case["application"])
    assert all(not PROTECTED_KEYS & set(d) for d in case["documents"])
    birth = world["payloads"][0]["application"]["birth_date"].isoformat()
    assert birth not in response.text
    with store.engine.connect() as conn:
        views = conn.execute(
            sa.text("SELECT actor, entity_id FROM audit_log WHERE action = 'case.view'")
        ).all()
    assert views == [("officer", str(cases[0]))]


def test_feedback_after_decision_only(scoring_client, tokens, cases):
    c = cases[2]
    early = _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/feedback", {"rating": 4})
    assert early.status_code == 409
    _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/claim")
    _decide(scoring_client, tokens["officer"], c)
    for bad in (0, 6):
        r = _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/feedback", {"rating": bad})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "rating"]
    ok = _post(
        scoring_client,
        tokens["officer"],
        f"/v1/cases/{c}/feedback",
        {"rating": 4, "comment": "Quick and clear."},
    )
    assert (ok.status_code, ok.json()["rating"]) == (201, 4)


def test_complaints_have_deadlines_handlers_and_answers(scoring_client, tokens, cases, world):
    app_id = world["payloads"][0]["application"]["application_id"]
    no_link = _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "delay", "description": "Waiting too long."},
    )
    assert no_link.status_code == 422
    unknown = _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "delay", "description": "x", "application_id": "NOPE"},
    )
    assert unknown.status_code == 404
    created = _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "decision", "description": "I disagree.", "case_id": cases[0]},
    )
    assert created.status_code == 201
    complaint = created.json()
    assert complaint["application_id"] == app_id
    opened = dt.datetime.fromisoformat(complaint["opened_at"])
    assert dt.datetime.fromisoformat(complaint["due_at"]) - opened == dt.timedelta(days=14)
    cid = complaint["complaint_id"]
    foreign = _post(
        scoring_client, tokens["officer2"], f"/v1/complaints/{cid}/assign", {"username": "officer"}
    )
    assert foreign.status_code == 403
    assigned = _post(
        scoring_client,
        tokens["supervisor"],
        f"/v1/complaints/{cid}/assign",
        {"username": "officer"},
    ).json()
    assert (assigned["status"], assigned["handler"]) == ("in_progress", "officer")
    not_mine = _post(
        scoring_client, tokens["officer2"], f"/v1/complaints/{cid}/respond", {"response": "x"}
    )
    assert not_mine.status_code == 403
    answered = _post(
        scoring_client,
        tokens["officer"],
        f"/v1/complaints/{cid}/respond",
        {"response": "We reviewed the file again."},
    ).json()
    assert (answered["status"], answered["within_sla"]) == ("answered", True)
    listed = scoring_client.get(
        "/v1/complaints?status=answered", headers=auth(tokens["supervisor"])
    ).json()
    assert [c["complaint_id"] for c in listed["data"]] == [cid]


def test_an_officer_takes_an_unassigned_complaint(scoring_client, tokens, cases):
    created = _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "conduct", "description": "Rude on the phone.", "case_id": cases[1]},
    ).json()
    cid = created["complaint_id"]
    assert created["handler"] is None
    taken = _post(scoring_client, tokens["officer"], f"/v1/complaints/{cid}/take")
    assert taken.status_code == 200
    assert (taken.json()["handler"], taken.json()["status"]) == ("officer", "in_progress")
    again = _post(scoring_client, tokens["officer"], f"/v1/complaints/{cid}/take")
    assert again.json()["handler"] == "officer"  # taking one's own again changes nothing
    other = _post(scoring_client, tokens["officer2"], f"/v1/complaints/{cid}/take")
    assert other.status_code == 409
    assert other.json() == {
        "error": "conflict",
        "detail": f"complaint {cid} is already handled by someone else;"
        " a supervisor can reassign it",
    }
    analyst = _post(scoring_client, tokens["analyst"], f"/v1/complaints/{cid}/take")
    assert analyst.status_code == 403
    log = scoring_client.get(
        "/v1/audit-log?action=complaint.take", headers=auth(tokens["auditor"])
    ).json()
    assert [(e["actor"], e["entity_id"]) for e in log["data"]] == [("officer", str(cid))]


def test_kpis_count_the_scenario_exactly(scoring_client, tokens, cases, store, settings):
    # Figures of one or two cases are given only with the disclosure threshold at 1.
    settings.fairness.min_group_size = 1
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[0]}/claim")
    _decide(
        scoring_client,
        tokens["officer"],
        cases[0],
        outcome="violation_confirmed",
        violation_types=["overstay"],
    )
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[1]}/claim")
    _decide(scoring_client, tokens["officer"], cases[1])
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[1]}/feedback", {"rating": 2})
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[0]}/feedback", {"rating": 5})
    _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "delay", "description": "Slow.", "case_id": cases[2]},
    )
    kpis = scoring_client.get("/v1/kpis", headers=auth(tokens["auditor"]))
    assert kpis.status_code == 200
    k = kpis.json()
    assert (k["scored"], k["review_rate"], k["decided_cases"], k["backlog"]) == (4, 1.0, 2, 2)
    # kill-switch cases are neither model flags nor blind samples
    assert (k["decided_model_flag"], k["hit_rate_model_flag"], k["override_rate"]) == (
        0,
        None,
        None,
    )
    assert (k["complaints_opened"], k["complaints_answered"], k["complaints_overdue"]) == (1, 0, 0)
    assert (k["satisfaction_responses"], k["satisfaction_mean"]) == (2, 3.5)
    # measured on the service clock from the score, not from the world's submission dates
    assert k["processing_days"]["p50"] < 1
    text = kpis.text
    assert "officer" not in text and "application_id" not in text  # aggregates only
    with store.transaction() as session:
        assert verify_chain(session).ok


def test_audit_log_lists_every_kind_of_change(scoring_client, tokens, cases):
    _post(scoring_client, tokens["officer"], f"/v1/cases/{cases[0]}/claim")
    _decide(scoring_client, tokens["officer"], cases[0])
    scoring_client.get(f"/v1/cases/{cases[0]}", headers=auth(tokens["officer"]))
    _post(
        scoring_client,
        tokens["officer"],
        "/v1/complaints",
        {"category": "other", "description": "x", "case_id": cases[0]},
    )
    _post(scoring_client, tokens["admin"], "/v1/model/reload")
    log = scoring_client.get("/v1/audit-log?limit=1000", headers=auth(tokens["auditor"])).json()
    actions = {e["action"] for e in log["data"]}
    assert {
        "score",
        "case.view",
        "case.claim",
        "decision",
        "complaint.create",
        "setting.change",
        "model.reload",
        "user.create",
        "token.create",
    } <= actions
    verify = scoring_client.get("/v1/audit-log/verify", headers=auth(tokens["auditor"])).json()
    entries = log["count"] + 1  # reading the log added an audit_log.read entry
    assert verify == {
        "ok": True,
        "entries": entries,
        "first_broken": None,
        "problem": "",
        "legacy": entries,  # the test store has no audit key
        "head": verify["head"],
        "checkpoints": 0,
    }


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_answer_carries_protected_attributes(scoring_client, tokens, cases, world):
    """Scan every kind of answer a workflow produces for protected keys and values."""
    c = cases[0]
    officer, supervisor = auth(tokens["officer"]), auth(tokens["supervisor"])
    _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/claim")
    responses = [
        scoring_client.post(
            "/v1/applications/score", headers=officer, json=as_json(world["payloads"][0])
        ),
        scoring_client.get("/v1/cases", headers=officer),
        scoring_client.get(f"/v1/cases/{c}", headers=officer),
        _decide(scoring_client, tokens["officer"], c),
        _post(
            scoring_client,
            tokens["officer"],
            "/v1/complaints",
            {"category": "other", "description": "x", "case_id": c},
        ),
        scoring_client.get("/v1/complaints", headers=supervisor),
        scoring_client.get("/v1/kpis", headers=supervisor),
        scoring_client.get("/v1/audit-log?limit=1000", headers=auth(tokens["auditor"])),
    ]
    birth_dates = {p["application"]["birth_date"].isoformat() for p in world["payloads"][:4]}
    for response in responses:
        assert response.status_code < 400, response.text
        assert not PROTECTED_KEYS & _keys(response.json()), response.request.url
        assert not any(b in response.text for b in birth_dates), response.request.url


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "weather", "description": "x"}, "complaint category 'weather' is not one of"),
        ({"category": "delay", "description": "   "}, "a complaint needs a description"),
    ],
)
def test_the_complaint_service_refuses_bad_input_from_any_caller(store, settings, fields, message):
    """The API's schemas check these too; screens and scripts call the service directly."""
    from risk.errors import RequestValidationError
    from serving.services import Principal, open_complaint

    with store.transaction() as session, pytest.raises(RequestValidationError, match=message):
        open_complaint(
            session,
            Principal(1, "officer", "officer"),
            settings,
            application_id="A1",
            **fields,
            clock=WallClock(),
        )
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM complaints")).scalar_one() == 0


def test_an_empty_answer_to_a_complaint_is_refused(store):
    from risk.errors import RequestValidationError
    from serving.services import Principal, respond_complaint

    with (
        store.transaction() as session,
        pytest.raises(RequestValidationError, match="needs a written response; response is empty"),
    ):
        respond_complaint(
            session, Principal(1, "supervisor", "supervisor"), 1, " \n", clock=WallClock()
        )


def test_complaints_list_by_handler(store, settings, world):
    from serving.services import (
        Principal,
        assign_complaint,
        create_user,
        list_complaints,
        open_complaint,
        save_raw_rows,
    )

    payload = world["payloads"][0]
    with store.transaction() as session:
        save_raw_rows(session, "applications", [payload["application"]])
        boss = create_user(session, "boss", "supervisor", clock=WallClock())
        ana = create_user(session, "ana", "officer", clock=WallClock())
        supervisor = Principal(boss.user_id, "boss", "supervisor")
        ids = [
            open_complaint(
                session, supervisor, settings, category="delay", description=f"late {i}",
                application_id=payload["application"]["application_id"],
                clock=WallClock(),
            ).complaint_id
            for i in range(3)
        ]  # fmt: skip
        assign_complaint(session, supervisor, ids[1], "ana", clock=WallClock())
        mine, count = list_complaints(session, handler_id=ana.user_id)
        assert ([c.complaint_id for c in mine], count) == ([ids[1]], 1)
        everyone, count = list_complaints(session, status="open")
        assert ([c.complaint_id for c in everyone], count) == ([ids[0], ids[2]], 2)
