"""/status: the applicant's page opened with a reference and an access code."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from status_helpers import decide, form_csrf, fresh_code, open_case, open_status

from serving.store import AuditEntry, Score

pytestmark = pytest.mark.xdist_group("web")

FAILED = "The reference and access code do not match any application."


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value=""', html)


def test_the_code_form_is_public_no_store_and_marks_its_csrf_cookie(client_factory):
    c = client_factory()
    page = c.get("/status")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert 'name="code" type="password"' in page.text
    cookie = page.headers["set-cookie"]
    assert "amanah_status_csrf=" in cookie and "HttpOnly" in cookie
    assert "Path=/status" in cookie and "SameSite=strict" in cookie
    assert "may select applications for an additional review" in page.text


def test_unknown_reference_and_wrong_code_answer_the_same_body(client_factory, web_world):
    case = open_case(web_world)
    reference, code = fresh_code(web_world, case.application_id)
    c = client_factory()
    wrong = open_status(c, reference, code[:-1] + ("A" if code[-1] != "A" else "B"))
    unknown = open_status(c, "AM-ZZZZ-ZZZZ", code)
    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert FAILED in wrong.text
    assert _without_tokens(wrong.text) == _without_tokens(unknown.text)
    assert wrong.headers["cache-control"] == unknown.headers["cache-control"] == "no-store"
    assert "amanah_applicant" not in c.cookies


def test_a_code_form_without_its_csrf_token_is_refused(client_factory):
    c = client_factory()
    c.get("/status")
    answer = c.post("/status", data={"reference": "AM-0000-0000", "code": "x", "csrf": "forged"})
    assert answer.status_code == 403


def _opened(client_factory, web_world, case, lang="en"):
    reference, code = fresh_code(web_world, case.application_id)
    c = client_factory()
    answer = open_status(c, reference, code, lang)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/status?lang={lang}"
    cookie = answer.headers["set-cookie"]
    assert "amanah_applicant=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    return c, reference, code


def _normalised(html: str, reference: str) -> str:
    html = _without_tokens(html).replace(reference, "REF")
    return re.sub(r"\d{1,2} [A-Z][a-z]{2} \d{4}", "DATE", html)


def test_a_blind_sample_case_and_a_flagged_case_look_the_same(client_factory, web_world):
    flagged, blind = open_case(web_world), open_case(web_world, blind=True)
    pages = []
    for case in (flagged, blind):
        c, reference, _ = _opened(client_factory, web_world, case)
        received = c.get("/status")
        decide(web_world, case.case_id)
        decided = c.get("/status")
        pages.append((_normalised(received.text, reference), _normalised(decided.text, reference)))
        assert "Received" in received.text and 'aria-current="step">Received' in received.text
        assert 'aria-current="step">Decided' in decided.text
    assert pages[0] == pages[1]
    with web_world.store.transaction() as session:
        scores = {
            s.route: s
            for s in session.scalars(
                sa.select(Score).where(
                    Score.application_id.in_([flagged.application_id, blind.application_id])
                )
            )
        }
    assert set(scores) == {"model_flag", "blind_sample"}
    main = pages[0][1].lower().split("<main", 1)[1].split("</main>", 1)[0]
    words = re.sub(r"<[^>]+>", " ", main)
    for leak in ("blind", "band", "score", "probab", "flag", "sample", "high", "medium"):
        assert leak not in words, leak
    for s in scores.values():
        for reason in s.reasons["raised"] + s.reasons["lowered"]:
            assert reason["text"].lower() not in main


def test_the_status_page_speaks_indonesian(client_factory, web_world):
    case = open_case(web_world)
    c, _, _ = _opened(client_factory, web_world, case, "id")
    page = c.get("/status?lang=id")
    assert page.headers["cache-control"] == "no-store"
    assert '<html lang="id">' in page.text
    assert 'aria-current="step">Diterima' in page.text
    assert "tidak pernah menolak siapa pun" in page.text
    assert "Mengadu atau meminta penjelasan" in page.text


def test_opening_and_closing_the_page_are_audited_without_the_code(client_factory, web_world):
    case = open_case(web_world)
    c, _, code = _opened(client_factory, web_world, case)
    page = c.get("/status")
    left = c.post("/status/leave", data={"csrf": form_csrf(page.text)})
    assert left.status_code == 303
    assert c.get("/status").text.count('name="code"') == 1  # the code form again
    with web_world.store.transaction() as session:
        entries = session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.entity_id == case.application_id,
                AuditEntry.action.in_(["status.open", "status.close"]),
            )
            .order_by(AuditEntry.seq)
        ).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("(applicant)", "status.open"),
        ("(applicant)", "status.close"),
    ]
    assert code.replace("-", "") not in str([e.details for e in entries])


def test_a_reissued_code_closes_the_open_page(client_factory, web_world):
    case = open_case(web_world)
    c, _, _ = _opened(client_factory, web_world, case)
    csrf = form_csrf(c.get("/status").text)
    fresh_code(web_world, case.application_id)
    answer = c.post(
        "/status/complaints",
        data={"csrf": csrf, "category": "delay", "description": "Still waiting."},
    )
    assert answer.status_code == 401
    assert "Your page was closed (it stays open for 30 minutes)." in answer.text


def test_the_status_page_shows_nothing_personal_the_applicant_did_not_type(
    client_factory, web_world
):
    case = open_case(web_world)
    c, reference, _ = _opened(client_factory, web_world, case)
    page = c.get("/status").text
    assert reference in page
    shown = [v for v in web_world.personal | {case.application_id} if str(v) in page]
    assert shown == []


def test_the_language_switch_replaces_the_pages_lang_parameter(client_factory, web_world):
    case = open_case(web_world)
    c, _, _ = _opened(client_factory, web_world, case)
    switched = c.post("/lang", data={"lang": "id", "next": "/status?lang=en&done=survey"})
    assert switched.headers["location"] == "/status?lang=id&done=survey"
    assert 'aria-current="step">Diterima' in c.get(switched.headers["location"]).text
    plain = c.post("/lang", data={"lang": "en", "next": "/queue?band=high"})
    assert plain.headers["location"] == "/queue?band=high"
