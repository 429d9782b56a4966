"""The pages through a test client: sign-in, queue, case screen, decisions, roles, languages."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from web_world import sign_in

from serving.store import AuditEntry, Case, Decision, Score


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _audit(world, action: str) -> list[AuditEntry]:
    with world.store.transaction() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def _score(world, case_id: int) -> Score:
    with world.store.transaction() as session:
        case = session.get(Case, case_id)
        return session.get(Score, case.score_id)


def test_pages_need_a_signed_in_user(client_factory):
    c = client_factory()
    r = c.get("/queue?band=high")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/queue%3Fband%3Dhigh"
    assert c.get("/").headers["location"] == "/login"


def test_a_wrong_password_is_refused_and_audited_without_the_typed_name(client_factory, web_world):
    c = client_factory()
    before = len(_audit(web_world, "web.sign_in_failed"))
    r = sign_in(c, "officer", "nope")
    assert r.status_code == 401
    assert "The username or password is wrong" in r.text
    assert "amanah_session" not in r.cookies
    entries = _audit(web_world, "web.sign_in_failed")
    assert len(entries) == before + 1
    assert (entries[-1].actor, entries[-1].entity_id) == ("(sign-in)", "1")
    # a password typed into the username field is never written down
    sign_in(c, "teal-harbour-41-typed-in-the-wrong-box", "x")
    entries = _audit(web_world, "web.sign_in_failed")
    assert (entries[-1].actor, entries[-1].entity_id) == ("(sign-in)", "unknown")
    assert "teal-harbour" not in str(entries[-1].details)
    assert sign_in(c, "officer").status_code == 303  # a success clears the account's count


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "queue"])
def test_sign_in_never_redirects_off_site(client_factory, target):
    c = client_factory()
    r = sign_in(c, "officer", next=target)
    assert r.status_code == 303
    assert r.headers["location"] == "/queue"


def test_roles_land_on_their_start_page_and_sign_out_ends_the_session(client_factory):
    c = client_factory("auditor")
    assert c.get("/").headers["location"] == "/oversight"
    r = c.post("/logout", data={"csrf": _csrf(c.get("/oversight").text)})
    assert r.headers["location"] == "/login?out=1"
    assert c.get("/oversight").status_code == 303


def test_queue_lists_cases_and_hides_blind_bands(client_factory, web_world):
    html = client_factory("officer").get("/queue").text
    listed = [int(i) for i in re.findall(r'data-case="(\d+)"', html)]
    assert set(listed) <= set(web_world.case_ids + web_world.blind_case_ids)
    assert len(listed) >= 10
    with web_world.store.transaction() as session:  # a test may have decided one already
        undecided = [
            b for b in web_world.blind_case_ids if session.get(Case, b).status != "decided"
        ]
    assert undecided
    for blind in undecided:
        row = re.search(rf'data-case="{blind}">(.*?)</tr>', html, re.S).group(1)
        # a blind-sample case reads like any other standard case (see tests/web/test_queue.py)
        assert ">Standard</span>" in row and "band-high" not in row and "blind" not in row


def test_queue_filters_by_band(client_factory, web_world):
    c = client_factory("officer")
    html = c.get("/queue?band=high").text
    listed = [int(i) for i in re.findall(r'data-case="(\d+)"', html)]
    assert listed, "the web world has high-band cases"
    for case_id in listed:
        assert _score(web_world, case_id).band == "high"
    assert not set(listed) & set(web_world.blind_case_ids)


def test_case_screen_shows_score_reasons_checks_and_history(client_factory, web_world):
    case_id = web_world.case_ids[3]
    score = _score(web_world, case_id)
    html = client_factory("officer").get(f"/cases/{case_id}").text
    assert "A flag is not a finding" in html
    assert 'id="calibrated-score"' not in html  # the band's record says what it means
    assert 'id="band-rate"' in html and 'id="band-note"' in html
    for reason in score.reasons["raised"] + score.reasons["lowered"]:
        # the page groups thousands (CLDR, through Babel) where the stored text may not
        shown = re.sub(r"\b(\d{4,})\b", lambda m: f"{int(m[1]):,}", reason["text"])
        assert shown.replace("'", "&#39;") in html
    assert html.count('data-check="check_number"') >= 1
    assert "This application" in html  # the timeline
    assert 'name="reason"' in html and "required" in html
    assert any(e.entity_id == str(case_id) for e in _audit(web_world, "case.view"))


def test_a_decision_needs_a_reason_and_leaves_the_queue_once_recorded(client_factory, web_world):
    case_id = web_world.case_ids[1]
    c = client_factory("officer")
    csrf = _csrf(c.get(f"/cases/{case_id}").text)
    r = c.post(
        f"/cases/{case_id}/decide",
        data={"csrf": csrf, "outcome": "violation_confirmed", "reason": "  "},
    )
    assert r.status_code == 422
    # each problem beside its field, and a summary at the top (exact texts: test_case_page)
    assert (
        '<p class="field-error" id="reason-error">Write the reason for your finding.</p>' in r.text
    )
    assert (
        '<p class="field-error" id="violation_types-error">A confirmed violation needs at least'
        " one violation type.</p>"
    ) in r.text
    with web_world.store.transaction() as session:
        assert session.get(Case, case_id).status == "open"  # the claim was rolled back too
    r = c.post(
        f"/cases/{case_id}/decide",
        data={
            "csrf": csrf,
            "outcome": "violation_confirmed",
            "violation_types": ["overstay"],
            "reason": "Overstayed 40 days in 2023 per entry records.",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{case_id}?saved=1"
    with web_world.store.transaction() as session:
        decision = session.scalar(sa.select(Decision).where(Decision.case_id == case_id))
        assert (decision.outcome, decision.violation_types) == ("violation_confirmed", ["overstay"])
    assert f'data-case="{case_id}"' not in c.get("/queue").text


def test_forms_without_the_session_csrf_token_are_refused(client_factory, web_world):
    c = client_factory("officer")
    r = c.post(
        f"/cases/{web_world.case_ids[4]}/decide",
        data={"csrf": "forged", "outcome": "no_violation", "reason": "x"},
    )
    assert r.status_code == 403
    assert "The form has expired" in r.text


@pytest.mark.parametrize("path", ["/queue", "/cases/1", "/supervisor"])
def test_auditors_cannot_reach_casework(client_factory, path):
    r = client_factory("auditor").get(path)
    assert r.status_code == 403
    assert "Your role (auditor) may not open this page." in r.text


def test_officers_cannot_reach_oversight_or_supervision(client_factory):
    c = client_factory("officer")
    assert c.get("/oversight").status_code == 403
    assert c.get("/supervisor").status_code == 403


AUDITOR_PAGES = [
    "/oversight",
    "/oversight/fairness",
    "/oversight/fairness?attribute=sex",
    "/oversight/fairness?attribute=age_band",
    "/oversight/model",
    "/oversight/features",
    "/oversight/monitoring",
    "/transparency",
    "/transparency?lang=id",
    "/transparency/report.html",
    "/transparency/report.csv?lang=id",
]


def test_no_auditor_page_shows_personal_data(client_factory, web_world):
    c = client_factory("auditor")
    for path in AUDITOR_PAGES:
        r = c.get(path)
        assert r.status_code == 200, path
        leaked = [v for v in web_world.personal if str(v) in r.text]
        assert leaked == [], path


@pytest.mark.parametrize(
    ("attribute", "section"), [("nationality", "Nationality"), ("marital_status", "Marital status")]
)
def test_transparency_csv_pools_small_groups_so_none_can_be_subtracted(
    client_factory, web_world, attribute, section
):
    text = client_factory().get("/transparency/report.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    scored = [
        r for r in rows if r["section"] == section and r["measure"] == "Applications screened"
    ]
    apps = sa.text(
        f"SELECT a.{attribute}, count(*) FROM scores s JOIN applications a"
        f" ON a.application_id = s.application_id GROUP BY a.{attribute}"
    )
    with web_world.store.transaction() as session:
        expected = {str(g): n for g, n in session.execute(apps).all()}
    minimum = web_world.settings.fairness.min_group_size
    named = {r["group"]: int(r["value"]) for r in scored if r["group"] != "other (suppressed)"}
    other = [int(r["value"]) for r in scored if r["group"] == "other (suppressed)"]
    assert named == {g: expected[g] for g in named}  # exact counts, only groups that exist
    assert all(n >= minimum for n in named.values())
    pooled = set(expected) - set(named)
    assert {g for g, n in expected.items() if n < minimum} <= pooled
    if pooled:  # one line, at least two groups and the threshold: no subtraction reveals one
        assert other == [sum(expected[g] for g in pooled)]
        assert len(pooled) >= 2 and other[0] >= minimum
    else:
        assert other == []
    listed = {r["group"] for r in rows if r["section"] == section}
    assert not pooled & listed  # never named
    total = next(
        r for r in rows if r["measure"] == "Applications screened" and r["section"] == "Totals"
    )
    assert int(total["value"]) == sum(expected.values()) == sum(named.values()) + sum(other)


def test_language_switch_rewords_reasons_and_persists_per_user(client_factory, web_world):
    from features import catalogue

    case_id = web_world.case_ids[5]
    reason = _score(web_world, case_id).reasons["raised"][0]
    c = client_factory("officer2")
    html = c.get(f"/cases/{case_id}").text
    r = c.post("/lang", data={"lang": "id", "next": f"/cases/{case_id}", "csrf": _csrf(html)})
    assert r.headers["location"] == f"/cases/{case_id}"
    html = c.get(f"/cases/{case_id}").text
    id_text = catalogue().get(reason["feature"]).reason(reason["value"], lang="id")
    assert id_text != reason["text"]
    assert id_text.replace("'", "&#39;") in html and "Penandaan bukan temuan" in html
    fresh = client_factory("officer2")  # a new browser: the choice follows the user
    assert 'lang="id"' in fresh.get("/queue").text
    fresh.post(
        "/lang", data={"lang": "en", "next": "/queue", "csrf": _csrf(fresh.get("/queue").text)}
    )


def test_supervisor_reassigns_and_kill_switch_needs_confirmation_and_reason(
    client_factory, web_world
):
    c = client_factory("supervisor")
    csrf = _csrf(c.get("/supervisor").text)
    case_id = web_world.case_ids[6]
    r = c.post(
        "/supervisor/reassign", data={"csrf": csrf, "case_id": case_id, "username": "officer2"}
    )
    assert r.status_code == 303
    with web_world.store.transaction() as session:
        assert session.get(Case, case_id).status == "claimed"
    r = c.post("/supervisor/kill-switch", data={"csrf": csrf, "enabled": "on", "reason": "drift"})
    assert r.status_code == 422 and "Tick the confirmation box." in r.text
    r = c.post("/supervisor/kill-switch", data={"csrf": csrf, "enabled": "on", "confirm": "yes"})
    assert r.status_code == 422 and "Give a reason." in r.text
    r = c.post(
        "/supervisor/kill-switch",
        data={"csrf": csrf, "enabled": "on", "confirm": "yes", "reason": "Drift alarm"},
    )
    assert r.status_code == 303
    assert "ON: every application goes to manual review" in c.get("/supervisor").text
    changes = [e for e in _audit(web_world, "setting.change") if e.entity_id == "kill_switch"]
    assert changes[-1].details == {"old": None, "new": True, "reason": "Drift alarm"}
    at = changes[-1].at
    when = f"{at.day} {at:%b %Y %H:%M}"
    banner = (
        f"Manual review of everything is ON since {when}, switched on by supervisor: Drift"
        " alarm. Every application comes to an officer without the model&#39;s routing."
    )
    officer = client_factory("officer")
    for page in ("/queue", f"/cases/{case_id}", "/complaints"):
        assert banner in officer.get(page).text, page  # every officer page
    assert banner in c.get("/supervisor").text
    assert 'id="kill-banner"' not in client_factory("auditor").get("/oversight").text
    r = c.post(
        "/supervisor/kill-switch",
        data={"csrf": csrf, "enabled": "off", "confirm": "yes", "reason": "Alarm cleared"},
    )
    page = c.get("/supervisor").text
    assert "OFF: the model routes applications." in page
    assert 'id="kill-banner"' not in officer.get("/queue").text
    history = re.search(r'<ol class="history" id="kill-history"[^>]*>(.*?)</ol>', page, re.S)
    lines = re.findall(r"<li>(.*?)</li>", history.group(1))
    assert [re.sub(r"^[^:]+:\d\d: ", "", line) for line in lines] == [
        "switched off by supervisor: Alarm cleared",
        "switched on by supervisor: Drift alarm",
    ]


def test_plotly_is_served_locally(client_factory):
    r = client_factory().get("/vendor/plotly.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert len(r.content) > 1_000_000
    html = client_factory("auditor").get("/oversight").text
    assert '<script src="/vendor/plotly.min.js?v=' in html and "cdn" not in html.lower()


def test_a_decision_can_be_amended_with_a_linked_decision(client_factory, web_world):
    case_id = web_world.case_ids[8]
    c = client_factory("officer2")
    csrf = _csrf(c.get(f"/cases/{case_id}").text)
    first = {"csrf": csrf, "outcome": "insufficient_evidence", "reason": "Sponsor unreachable."}
    assert c.post(f"/cases/{case_id}/decide", data=first).status_code == 303
    html = c.get(f"/cases/{case_id}").text
    amends = re.search(r'name="amends" value="(\d+)"', html).group(1)
    second = {
        "csrf": csrf,
        "outcome": "no_violation",
        "reason": "Sponsor confirmed by phone.",
        "amends": amends,
    }
    assert c.post(f"/cases/{case_id}/decide", data=second).status_code == 303
    with web_world.store.transaction() as session:
        rows = session.scalars(
            sa.select(Decision).where(Decision.case_id == case_id).order_by(Decision.decision_id)
        ).all()
        assert [(d.outcome, d.amends_id) for d in rows] == [
            ("insufficient_evidence", None),
            ("no_violation", rows[0].decision_id),
        ]
    # without 'amends', a decided case refuses a second finding and says why
    again = c.post(f"/cases/{case_id}/decide", data=first)
    assert again.status_code == 409 and "already decided" in again.text


@pytest.mark.parametrize(
    ("user", "path", "message"),
    [
        ("officer", "/cases/999999", "Not found: case 999999"),
        (
            "auditor",
            "/oversight/fairness?attribute=religion",
            "Not found: attribute &#39;religion&#39;",
        ),
    ],
)
def test_unknown_pages_answer_404_pages_naming_what_is_missing(client_factory, user, path, message):
    r = client_factory(user).get(path)
    assert r.status_code == 404
    assert message in r.text


def test_model_page_says_not_available_without_a_registry(client_factory):
    html = client_factory("auditor").get("/oversight/model").text
    assert 'id="model-unavailable"' in html and "Not available yet." in html
