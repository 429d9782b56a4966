"""The workflow's promises on the screens: who may amend a decision, amendments shown with
their author and reason, complaints kept away from the case's decider, one rating."""

from __future__ import annotations

import re

import sqlalchemy as sa
from complaint_helpers import csrf_of, feedback_of, open_complaint, principal

from serving.store import Complaint, Decision


def _current_decision(world, case_id: int) -> Decision:
    with world.store.transaction() as session:
        rows = session.scalars(
            sa.select(Decision).where(Decision.case_id == case_id).order_by(Decision.decision_id)
        )
        return list(rows)[-1]


def test_only_the_claim_holder_or_a_supervisor_amends_and_the_case_says_who_and_why(
    client_factory, web_world, decided_case
):
    before = _current_decision(web_world, decided_case)  # decided by officer2
    officer = client_factory("officer")
    screen = officer.get(f"/cases/{decided_case}").text
    flip = {
        "csrf": csrf_of(screen),
        "outcome": "violation_confirmed",
        "violation_types": "overstay",
        "reason": "I think it is an overstay.",
        "amends": str(before.decision_id),
    }
    r = officer.post(f"/cases/{decided_case}/decide", data=flip)
    assert r.status_code == 403
    assert (
        f"The case could not be changed: only the officer who claimed case {decided_case} or a"
        " supervisor may amend its decision" in r.text
    )
    officer.post("/lang", data={"lang": "id", "next": "/queue", "csrf": flip["csrf"]})
    try:
        r = officer.post(f"/cases/{decided_case}/decide", data=flip)
    finally:
        officer.post("/lang", data={"lang": "en", "next": "/queue", "csrf": flip["csrf"]})
    assert r.status_code == 403
    assert (
        f"Kasus tidak dapat diubah: hanya petugas yang mengambil kasus {decided_case} atau"
        " penyelia yang boleh mengubah keputusannya" in r.text
    )
    assert _current_decision(web_world, decided_case).decision_id == before.decision_id
    supervisor = client_factory("supervisor")
    page = supervisor.get(f"/cases/{decided_case}").text
    amends = re.search(r'name="amends" value="(\d+)"', page).group(1)
    r = supervisor.post(
        f"/cases/{decided_case}/decide",
        data={
            "csrf": csrf_of(page),
            "outcome": "insufficient_evidence",
            "reason": "The employer letter cannot be verified.",
            "amends": amends,
        },
    )
    assert r.status_code == 303
    latest = _current_decision(web_world, decided_case)
    html = officer.get(f"/cases/{decided_case}").text
    item = re.search(
        rf'<li class="amendment" data-decision="{latest.decision_id}">(.*?)</li>', html
    )
    assert re.fullmatch(
        r"<strong>Amended by supervisor on \d+ \w{3} \d{4} \d\d:\d\d to Insufficient evidence,"
        r" because: The employer letter cannot be verified\.</strong>"
        r' <span class="status">current</span>',
        item.group(1),
    ), item.group(1)


def test_a_complaint_stays_away_from_the_officer_who_decided_its_case(
    client_factory, web_world, decided_case
):
    complaint_id = open_complaint(web_world, decided_case, "The decision ignored my letter.")
    decider = client_factory("officer2")  # decided the case
    page = decider.get(f"/complaints/{complaint_id}").text
    assert 'id="take"' not in page and 'id="respond-form"' not in page
    assert "officer2" in re.search(r'id="cp-deciders">(.*?)</dd>', page).group(1)
    r = decider.post(f"/complaints/{complaint_id}/take", data={"csrf": csrf_of(page)})
    assert r.status_code == 403
    rule = (
        f"Refused: complaint {complaint_id} is about case {decided_case}, which officer2"
        " decided or amended; an officer who did not decide the case must handle it (a"
        " supervisor may override with a recorded reason)."
    )
    assert f'id="problem">{rule}</p>' in r.text
    supervisor = client_factory("supervisor")
    page = supervisor.get(f"/complaints/{complaint_id}").text
    assert 'id="cp-override-reason"' in page
    r = supervisor.post(
        f"/complaints/{complaint_id}/assign",
        data={"csrf": csrf_of(page), "username": "officer2"},
    )
    assert r.status_code == 403 and f'id="problem">{rule}</p>' in r.text
    r = supervisor.post(
        f"/complaints/{complaint_id}/assign",
        data={
            "csrf": csrf_of(page),
            "username": "officer2",
            "override_reason": "Only officer2 reads the applicant's language.",
        },
    )
    assert r.status_code == 303
    with web_world.store.transaction() as session:
        stored = session.get(Complaint, complaint_id)
        assert stored.override_reason == "Only officer2 reads the applicant's language."
    page = decider.get(f"/complaints/{complaint_id}").text
    assert (
        'id="cp-override">Handled by the officer who decided the case, allowed by supervisor'
        " because: Only officer2 reads the applicant&#39;s language.</dd>" in page
    )
    assert 'id="respond-form"' in page


def test_a_decided_case_is_rated_once_on_the_screen(client_factory, web_world, decided_case):
    from serving.services import add_feedback

    if not feedback_of(web_world, decided_case):
        with web_world.store.transaction() as session:
            add_feedback(session, principal(web_world, "officer"), decided_case, 3)
    c = client_factory("supervisor")
    screen = c.get(f"/cases/{decided_case}").text
    assert 'id="feedback-form"' not in screen
    assert 'id="feedback-once">This case has its rating; each decided case is rated once.' in screen
    before = len(feedback_of(web_world, decided_case))
    r = c.post(f"/cases/{decided_case}/feedback", data={"csrf": csrf_of(screen), "rating": "5"})
    assert r.status_code == 409
    assert (
        'id="feedback-error">This case has its rating; each decided case is rated once.</p>'
        in r.text
    )
    assert len(feedback_of(web_world, decided_case)) == before == 1
