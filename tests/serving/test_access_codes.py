"""Applicants' access codes: issued once at scoring, hashed, reissued, checked under throttles."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth

from risk.clock import WallClock
from risk.errors import NotFoundError
from serving.services import (
    check_access_code,
    read_applicant_session,
    reissue_code,
    revoke_codes,
)
from serving.store import ApplicantCode, AuditEntry, StatusFailure

pytestmark = pytest.mark.xdist_group("serving_model")

CLOCK = WallClock()


def _score(client, tokens, payload) -> dict:
    answer = client.post(
        "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _check(store, settings, reference, code, address="203.0.113.9"):
    with store.transaction() as session:
        return check_access_code(
            session, reference, code, address=address, settings=settings, clock=CLOCK
        )


@pytest.fixture
def issued(scoring_client, tokens, world) -> dict:
    return _score(scoring_client, tokens, world["payloads"][0])


def test_the_first_score_issues_a_reference_and_code_shown_once_and_stored_hashed(
    scoring_client, tokens, world, store, issued
):
    reference, code = issued["reference"], issued["access_code"]
    assert reference.startswith("AM-") and len(reference) == 12
    assert len(code) == 19 and code.count("-") == 3
    again = _score(scoring_client, tokens, world["payloads"][0])
    assert (again["reference"], again["access_code"]) == (None, None)
    read = scoring_client.get(f"/v1/scores/{issued['score_id']}", headers=auth(tokens["officer"]))
    assert read.json()["access_code"] is None
    with store.transaction() as session:
        rows = session.scalars(sa.select(ApplicantCode)).all()
        log = json.dumps([e.details for e in session.scalars(sa.select(AuditEntry))])
    assert [(r.application_id, r.reference) for r in rows] == [
        (world["payloads"][0]["application"]["application_id"], reference)
    ]
    normalised = code.replace("-", "")
    assert rows[0].code_hash == hashlib.sha256(normalised.encode()).hexdigest()
    assert normalised not in log and code not in log


def test_a_valid_code_opens_the_status_page_as_typed_by_hand(store, settings, issued):
    typed = issued["access_code"].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    check = _check(store, settings, issued["reference"].lower().replace("-", ""), typed)
    assert check.outcome == "ok"
    with store.transaction() as session:
        access = read_applicant_session(session, check.token, CLOCK.now())
        opened = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "status.open"))
        entries = [(e.actor, e.entity_id) for e in opened]
    assert access.reference == issued["reference"]
    assert access.application_id == issued["application_id"]
    assert entries == [("(applicant)", issued["application_id"])]


def _statements(store, action) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0])

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    return seen


def test_an_unknown_reference_and_a_wrong_code_are_the_same_answer_on_the_same_path(
    store, settings, issued
):
    wrong = []
    unknown = []
    path_wrong = _statements(
        store, lambda: wrong.append(_check(store, settings, issued["reference"], "AAAA-BBBB"))
    )
    path_unknown = _statements(
        store, lambda: unknown.append(_check(store, settings, "AM-ZZZZ-ZZZZ", "AAAA-BBBB"))
    )
    assert wrong == unknown == [type(wrong[0])("failed")]
    # the same statements in the same order: one hash compared, one failure recorded
    assert path_wrong == path_unknown
    with store.transaction() as session:
        failures = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "status.failed")
        ).all()
        keys = session.scalars(sa.select(StatusFailure.reference_key)).all()
    assert [(e.actor, e.entity_type) for e in failures] == [("(applicant)", "reference")] * 2
    assert issued["reference"] not in json.dumps([e.entity_id for e in failures])
    assert len(set(keys)) == 2


def test_wrong_codes_lock_the_reference_then_the_address(store, settings, issued):
    settings.security.status_reference_max_failures = 3
    settings.security.status_address_max_failures = 5
    outcomes = [_check(store, settings, issued["reference"], "X").outcome for _ in range(4)]
    assert outcomes == ["failed", "failed", "failed", "locked"]
    # the right code is refused too while the reference is locked
    locked = _check(store, settings, issued["reference"], issued["access_code"])
    assert (locked.outcome, locked.retry_after) == ("locked", 15 * 60)
    # the same reference from another address is locked as well (per-reference throttle)
    assert _check(store, settings, issued["reference"], "X", "198.51.100.1").outcome == "locked"
    # two more unknown references from the first address reach its limit of 5
    more = [_check(store, settings, f"AM-ZZZZ-000{i}", "X").outcome for i in range(3)]
    assert more == ["failed", "failed", "locked"]
    with store.transaction() as session:
        lockouts = session.execute(
            sa.select(AuditEntry.entity_type, AuditEntry.entity_id)
            .where(AuditEntry.action == "status.lockout")
            .order_by(AuditEntry.seq)
        ).all()
    assert [t for t, _ in lockouts] == ["reference", "address"]
    assert lockouts[1][1] == "203.0.113.9"


def test_reissue_revokes_the_old_code_and_ends_its_pages(store, settings, issued):
    first = _check(store, settings, issued["reference"], issued["access_code"])
    with store.transaction() as session:
        new = reissue_code(session, issued["reference"], clock=CLOCK, actor="cli")
    assert new.reference == issued["reference"] and new.code != issued["access_code"]
    assert _check(store, settings, issued["reference"], issued["access_code"]).outcome == "failed"
    with store.transaction() as session:
        assert read_applicant_session(session, first.token, CLOCK.now()) is None
    assert _check(store, settings, issued["reference"], new.code).outcome == "ok"
    with store.transaction() as session:
        assert revoke_codes(session, issued["reference"], clock=CLOCK, actor="cli") == 1
        actions = session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.action.like("access_code.%"))
            .order_by(AuditEntry.seq)
        ).all()
    issue, revoke = "access_code.issue", "access_code.revoke"
    assert actions == [issue, revoke, issue, revoke]
    assert _check(store, settings, issued["reference"], new.code).outcome == "failed"


def test_reissuing_an_unknown_reference_names_it(store):
    with store.transaction() as session, pytest.raises(NotFoundError) as err:
        reissue_code(session, "AM-0000-0000", clock=CLOCK, actor="cli")
    assert err.value.message == "no application has the reference or id 'AM-0000-0000'"


def test_risk_applicants_reissues_and_revokes_a_code(
    store, settings, issued, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    from risk.cli import app

    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    lower = issued["reference"].lower()
    result = CliRunner().invoke(app, ["applicants", "reissue-code", lower])
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first == f"reference {issued['reference']}"
    code = second.removeprefix("access code ")
    assert _check(store, settings, issued["reference"], code).outcome == "ok"
    revoked = CliRunner().invoke(app, ["applicants", "revoke-code", lower])
    assert revoked.output == f"1 access code of {issued['reference']} revoked\n"
    assert _check(store, settings, issued["reference"], code).outcome == "failed"
    unknown = CliRunner().invoke(app, ["applicants", "reissue-code", "AM-0000-0000"])
    assert unknown.exit_code == 1
    assert "error: no application has the reference or id 'AM-0000-0000'" in unknown.output
    by_id = CliRunner().invoke(app, ["applicants", "reissue-code", issued["application_id"]])
    assert by_id.output.splitlines()[0] == f"reference {issued['reference']}"


def test_the_status_page_answers_503_with_retry_after_when_the_store_is_down(shared_app, settings):
    import re

    from serving_helpers import _point

    from serving.store import Store

    down = Store("postgresql+psycopg://postgres@127.0.0.1:9/amanah?connect_timeout=1")
    try:
        client = _point(shared_app, down, settings)[1]
        form = client.get("/status")
        assert form.status_code == 200  # the code form needs no store
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post(
            "/status", data={"reference": "AM-0000-0000", "code": "X", "csrf": csrf}
        )
        assert answer.status_code == 503
        assert answer.headers["retry-after"].isdigit()
        assert answer.json()["error"] == "store_unavailable"
    finally:
        down.dispose()
