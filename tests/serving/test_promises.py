"""The workflow's promises, tried through the API as a second officer would try them:
decision authority, independent complaints, a kill switch with a reason, one rating."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from serving.services import verify_chain
from serving.store import Case, Feedback, Score

pytestmark = pytest.mark.xdist_group("serving_model")

ON = {"enabled": True, "reason": "Drift alarm on the sponsor signals"}


@pytest.fixture
def cases(scoring_client, tokens, world):
    """Three cases opened under the kill switch."""
    scoring_client.put("/v1/settings/kill-switch", headers=auth(tokens["supervisor"]), json=ON)
    return [
        scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(p)
        ).json()["case_id"]
        for p in world["payloads"][:3]
    ]


def _post(client, token, path, json=None, **headers):
    return client.post(path, headers={**auth(token), **headers}, json=json)


def _decide(client, token, case_id, **body):
    body = {"outcome": "violation_confirmed", "violation_types": ["overstay"], **body}
    body.setdefault("reason", "Exit record shows a 40-day overstay.")
    return _post(client, token, f"/v1/cases/{case_id}/decisions", body)


def _decided_by_officer(client, tokens, case_id) -> int:
    _post(client, tokens["officer"], f"/v1/cases/{case_id}/claim")
    first = _decide(client, tokens["officer"], case_id)
    assert first.status_code == 201, first.text
    return first.json()["decision_id"]


def test_another_officer_cannot_overturn_a_decision_and_a_supervisor_amends_it(
    scoring_client, tokens, cases
):
    c = cases[0]
    first = _decided_by_officer(scoring_client, tokens, c)
    flip = {"outcome": "no_violation", "violation_types": [], "amends": first}
    refused = _decide(scoring_client, tokens["officer2"], c, **flip, reason="I disagree.")
    assert refused.status_code == 403
    rule = f"only the officer who claimed case {c} or a supervisor may amend its decision"
    assert refused.json() == {"error": "forbidden", "detail": rule}
    in_id = _post(
        scoring_client,
        tokens["officer2"],
        f"/v1/cases/{c}/decisions",
        {"outcome": "no_violation", "reason": "x", "amends": first},
        **{"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"},
    )
    assert in_id.json()["detail"] == (
        f"hanya petugas yang mengambil kasus {c} atau penyelia yang boleh mengubah keputusannya"
    )
    case = scoring_client.get(f"/v1/cases/{c}", headers=auth(tokens["officer"])).json()
    assert [d["outcome"] for d in case["decisions"]] == ["violation_confirmed"]
    amended = _decide(
        scoring_client, tokens["supervisor"], c, **flip, reason="The exit record was wrong."
    )
    assert amended.status_code == 201
    assert (amended.json()["officer"], amended.json()["amends"]) == ("supervisor", first)
    case = scoring_client.get(f"/v1/cases/{c}", headers=auth(tokens["officer"])).json()
    assert case["status"] == "decided"  # an amendment re-opens nothing
    assert [(d["officer"], d["outcome"]) for d in case["decisions"]] == [
        ("officer", "violation_confirmed"),
        ("supervisor", "no_violation"),
    ]


def test_only_the_claim_holder_or_a_supervisor_decides(scoring_client, tokens, cases):
    c = cases[1]
    _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/claim")
    other = _decide(scoring_client, tokens["officer2"], c)
    assert other.json() == {
        "error": "forbidden",
        "detail": f"only the officer who claimed case {c} or a supervisor may decide it",
    }
    assert other.status_code == 403
    by_supervisor = _decide(scoring_client, tokens["supervisor"], c)
    assert (by_supervisor.status_code, by_supervisor.json()["officer"]) == (201, "supervisor")
    unclaimed = _decide(scoring_client, tokens["officer"], cases[2])
    assert (unclaimed.status_code, unclaimed.json()["detail"]) == (
        409,
        f"claim case {cases[2]} before deciding it",
    )


def _complaint(client, tokens, case_id) -> int:
    body = {"category": "decision", "description": "The finding is wrong.", "case_id": case_id}
    r = _post(client, tokens["officer2"], "/v1/complaints", body)
    assert r.status_code == 201, r.text
    return r.json()["complaint_id"]


def test_a_complaint_is_not_handled_by_the_officer_who_decided_the_case(
    scoring_client, tokens, cases
):
    c = cases[0]
    _decided_by_officer(scoring_client, tokens, c)
    k = _complaint(scoring_client, tokens, c)
    rule = (
        f"complaint {k} is about case {c}, which officer decided or amended; an officer who"
        " did not decide the case must handle it (a supervisor may override with a recorded"
        " reason)"
    )
    take = _post(scoring_client, tokens["officer"], f"/v1/complaints/{k}/take")
    assert (take.status_code, take.json()) == (403, {"error": "forbidden", "detail": rule})
    assign = _post(
        scoring_client, tokens["supervisor"], f"/v1/complaints/{k}/assign", {"username": "officer"}
    )
    assert (assign.status_code, assign.json()["detail"]) == (403, rule)
    answer = _post(
        scoring_client, tokens["officer"], f"/v1/complaints/{k}/respond", {"response": "Fine."}
    )
    assert answer.status_code == 403
    bell = {"username": "officer", "override_reason": "Because\x07"}
    bad = _post(scoring_client, tokens["supervisor"], f"/v1/complaints/{k}/assign", bell)
    assert bad.status_code == 422
    override = {"username": "officer", "override_reason": "Only officer reads Javanese."}
    ok = _post(scoring_client, tokens["supervisor"], f"/v1/complaints/{k}/assign", override)
    assert ok.status_code == 200
    body = ok.json()
    assert (body["handler"], body["override_reason"], body["override_by"]) == (
        "officer",
        "Only officer reads Javanese.",
        "supervisor",
    )
    answered = _post(
        scoring_client, tokens["officer"], f"/v1/complaints/{k}/respond", {"response": "Reviewed."}
    )
    assert (answered.status_code, answered.json()["status"]) == (200, "answered")
    log = scoring_client.get("/v1/audit-log?limit=1000", headers=auth(tokens["auditor"])).json()
    assigns = [e["details"] for e in log["data"] if e["action"] == "complaint.assign"]
    assert assigns[-1]["override_reason"] == "Only officer reads Javanese."


def test_a_handler_who_later_decides_the_case_may_not_answer_its_complaint(
    scoring_client, tokens, cases
):
    c = cases[1]
    k = _complaint(scoring_client, tokens, c)
    assert _post(scoring_client, tokens["officer"], f"/v1/complaints/{k}/take").status_code == 200
    _decided_by_officer(scoring_client, tokens, c)
    answer = _post(
        scoring_client, tokens["officer"], f"/v1/complaints/{k}/respond", {"response": "Fine."}
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith(f"complaint {k} is about case {c}, which officer")
    # an independent officer, assigned without any override, answers
    _post(
        scoring_client, tokens["supervisor"], f"/v1/complaints/{k}/assign", {"username": "officer2"}
    )
    ok = _post(
        scoring_client, tokens["officer2"], f"/v1/complaints/{k}/respond", {"response": "Seen."}
    )
    assert ok.status_code == 200


def test_an_amending_supervisor_cannot_answer_the_complaint_without_an_override(
    scoring_client, tokens, cases
):
    c = cases[2]
    first = _decided_by_officer(scoring_client, tokens, c)
    _decide(scoring_client, tokens["supervisor"], c, amends=first, reason="Type corrected.")
    k = _complaint(scoring_client, tokens, c)
    answer = _post(
        scoring_client, tokens["supervisor"], f"/v1/complaints/{k}/respond", {"response": "No."}
    )
    assert answer.status_code == 403
    assert "which supervisor decided or amended" in answer.json()["detail"]


def test_the_kill_switch_needs_a_reason_and_says_who_when_and_why(scoring_client, tokens):
    sup = auth(tokens["supervisor"])
    bare = scoring_client.put("/v1/settings/kill-switch", headers=sup, json={"enabled": True})
    assert bare.status_code == 422
    assert bare.json()["detail"][0]["loc"] == ["body", "reason"]
    blank = scoring_client.put(
        "/v1/settings/kill-switch", headers=sup, json={"enabled": True, "reason": "   "}
    )
    assert (blank.status_code, blank.json()["detail"][0]["loc"]) == (422, ["body", "reason"])
    spoof = scoring_client.put(  # shown on every officer's page: no direction overrides
        "/v1/settings/kill-switch",
        headers=sup,
        json={"enabled": True, "reason": "Drift \u202eedisni"},
    )
    assert (spoof.status_code, spoof.json()["detail"][0]["loc"]) == (422, ["body", "reason"])
    on = scoring_client.put("/v1/settings/kill-switch", headers=sup, json=ON)
    body = on.json()
    assert (body["kill_switch"], body["kill_switch_by"], body["kill_switch_reason"]) == (
        True,
        "supervisor",
        ON["reason"],
    )
    assert body["kill_switch_at"].endswith("Z") or body["kill_switch_at"].endswith("+00:00")
    off = scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["admin"]),
        json={"enabled": False, "reason": "Alarm cleared"},
    ).json()
    assert (off["kill_switch"], off["kill_switch_by"], off["kill_switch_reason"]) == (
        False,
        None,
        None,
    )
    log = scoring_client.get("/v1/audit-log?limit=1000", headers=auth(tokens["auditor"])).json()
    changes = [
        (e["actor"], e["details"])
        for e in log["data"]
        if e["action"] == "setting.change" and e["entity_id"] == "kill_switch"
    ]
    assert sorted(changes, key=str) == sorted(
        [
            ("supervisor", {"old": None, "new": True, "reason": ON["reason"]}),
            ("admin", {"old": True, "new": False, "reason": "Alarm cleared"}),
        ],
        key=str,
    )


def test_one_rating_per_decided_case_and_the_average_counts_it_once(
    scoring_client, tokens, cases, store, settings
):
    settings.fairness.min_group_size = 1  # a mean of one rating is shown only at threshold 1
    c = cases[0]
    _decided_by_officer(scoring_client, tokens, c)
    first = _post(scoring_client, tokens["officer"], f"/v1/cases/{c}/feedback", {"rating": 2})
    assert first.status_code == 201
    for who in ("officer", "officer2", "supervisor"):
        again = _post(scoring_client, tokens[who], f"/v1/cases/{c}/feedback", {"rating": 5})
        assert again.status_code == 409
        assert again.json() == {
            "error": "conflict",
            "detail": f"case {c} already has its satisfaction rating; each decided case is"
            " rated once",
        }
    kpis = scoring_client.get("/v1/kpis", headers=auth(tokens["auditor"])).json()
    assert (kpis["satisfaction_responses"], kpis["satisfaction_mean"]) == (1, 2.0)
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as session:
        session.add(Feedback(case_id=c, rating=5, comment=""))  # the store itself refuses
    with store.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 1
        assert verify_chain(session).ok


def test_a_complaint_naming_only_the_application_is_kept_from_its_decider(
    scoring_client, tokens, cases
):
    c = cases[1]
    _decided_by_officer(scoring_client, tokens, c)
    case = scoring_client.get(f"/v1/cases/{c}", headers=auth(tokens["officer"])).json()
    body = {
        "category": "conduct",
        "description": "Rude at the counter.",
        "application_id": case["application_id"],
    }
    k = _post(scoring_client, tokens["officer2"], "/v1/complaints", body).json()["complaint_id"]
    take = _post(scoring_client, tokens["officer"], f"/v1/complaints/{k}/take")
    assert take.status_code == 403
    assert take.json()["detail"].startswith(f"complaint {k} is about case {c}, which officer")
    assert _post(scoring_client, tokens["officer2"], f"/v1/complaints/{k}/take").status_code == 200


def test_the_api_case_carries_the_band_record_beside_the_calibrated_score(
    scoring_client, tokens, cases, holder, store
):
    c = cases[0]
    _decided_by_officer(scoring_client, tokens, c)  # confirmed: one live case in its band
    case = scoring_client.get(f"/v1/cases/{c}", headers=auth(tokens["officer"])).json()
    band = case["band"]
    validation = holder.bundle.meta["band_evidence"]
    n, k = validation[band]["cases"] + 1, validation[band]["confirmed"] + 1
    total = sum(v["cases"] for v in validation.values())
    average = sum(v["confirmed"] for v in validation.values()) / total
    record = case["band_record"]
    assert {key: record[key] for key in ("band", "cases", "confirmed", "live_cases")} == {
        "band": band,
        "cases": n,
        "confirmed": k,
        "live_cases": 1,
    }
    assert record["rate"] == pytest.approx(k / n, rel=1e-12)
    assert record["average"] == pytest.approx(average, rel=1e-12)
    z = 1.959963984540054  # the Wilson interval written out, independent of scipy
    centre = (k / n + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(k / n * (1 - k / n) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (record["low"], record["high"]) == pytest.approx((centre - half, centre + half))
    with store.transaction() as session:  # the calibrated probability stays in the API
        stored = session.get(Score, session.get(Case, c).score_id).score
    assert case["score"] == pytest.approx(stored, rel=1e-12)
