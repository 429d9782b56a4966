"""The workflow's promises on the screens: who may amend a decision, amendments shown with
their author and reason, complaints kept away from the case's decider, one rating."""

from __future__ import annotations

import math
import re

import pytest
import sqlalchemy as sa
from complaint_helpers import csrf_of, feedback_of, open_complaint, principal

from risk.clock import WallClock
from serving.store import Case, Complaint, Decision, Score


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
    assert 'id="decision-form"' not in screen  # the form is for the holder and supervisors
    assert (
        f'id="decide-rule">only the officer who claimed case {decided_case} or a supervisor'
        " may amend its decision</p>" in screen
    )
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
            add_feedback(
                session, principal(web_world, "officer"), decided_case, 3, clock=WallClock()
            )
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


# ---------------------------------------------------------------- the honest score

Z95 = 1.959963984540054


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval, written out (an oracle independent of scipy)."""
    p, z2 = k / n, Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def _live(world, version: str) -> dict[str, list[int]]:
    """Per band, [decided cases, confirmed] by walking every case's current decision."""
    out: dict[str, list[int]] = {}
    with world.store.transaction() as session:
        decisions = list(session.scalars(sa.select(Decision).order_by(Decision.decision_id)))
        amended = {d.amends_id for d in decisions}
        for d in decisions:
            if d.decision_id in amended:
                continue
            score = session.get(Score, session.get(Case, d.case_id).score_id)
            if score.model_version == version:
                n_k = out.setdefault(score.band, [0, 0])
                n_k[0] += 1
                n_k[1] += d.outcome == "violation_confirmed"
    return out


def test_the_case_screen_reads_the_band_as_confirmed_cases_not_as_a_probability(
    client_factory, web_world
):
    case_id = web_world.case_ids[3]
    with web_world.store.transaction() as session:
        score = session.get(Score, session.get(Case, case_id).score_id)
    bundle = web_world.holder.bundle
    validation = bundle.meta["band_evidence"]
    splits = bundle.meta["splits"]["valid"]
    assert sum(v["cases"] for v in validation.values()) == splits["rows"]
    assert sum(v["confirmed"] for v in validation.values()) == splits["positives"]
    live = _live(web_world, bundle.version)
    n = validation[score.band]["cases"] + live.get(score.band, [0, 0])[0]
    k = validation[score.band]["confirmed"] + live.get(score.band, [0, 0])[1]
    low, high = _wilson(k, n)
    digits = 1 if high * 100 < 10 else 0
    average = splits["positives"] / splits["rows"]
    html = client_factory("officer").get(f"/cases/{case_id}").text
    rate = re.search(r'id="band-rate"><strong>(.*?)</strong>', html).group(1)
    assert rate == (
        f"About {100 * k / n:.{digits}f} in 100 cases in this band were confirmed as violations"
        f" (95% interval {100 * low:.{digits}f} to {100 * high:.{digits}f} in 100; {k:,} of"
        f" {n:,} cases)."
    )
    relative = re.search(r'id="band-relative">(.*?)</p>', html).group(1)
    assert relative == (
        f"That is {(k / n) / average:.1f} times the average over all bands"
        f" ({100 * average:.1f} in 100)."
    )
    sources = re.search(r'id="band-sources">(.*?)</p>', html).group(1)
    assert sources == (
        f"Evidence (cases): {validation[score.band]['cases']:,} from the model&#39;s"
        f" validation, {live.get(score.band, [0, 0])[0]:,} decided here."
    )
    assert f"{100 * score.score:.1f}%" not in html  # the calibrated score is not shown
    assert "This is not the chance that this applicant broke the rules." in html


def test_the_band_record_pools_validation_with_decided_cases(web_world):
    from serving.services import band_record

    with web_world.store.transaction() as session:
        empty = band_record(session, "high", "no-such-version", None)
        assert (empty.cases, empty.rate, empty.low, empty.relative) == (0, None, None, None)
        validation = {
            "low": {"cases": 900, "confirmed": 9},
            "medium": {"cases": 80, "confirmed": 8},
            "high": {"cases": 20, "confirmed": 6},
        }
        record = band_record(session, "high", "no-such-version", validation)
    assert (record.cases, record.confirmed, record.validation_cases, record.live_cases) == (
        20,
        6,
        20,
        0,
    )
    assert record.rate == 0.3 and record.average == 23 / 1000
    assert record.relative == pytest.approx(0.3 / 0.023, rel=1e-12)
    assert (record.low, record.high) == pytest.approx(_wilson(6, 20), abs=1e-12)


def test_a_kill_switch_reason_that_would_spoof_the_banner_is_refused(client_factory, web_world):
    c = client_factory("supervisor")
    page = c.get("/supervisor").text
    state = "off" if "ON: every application" in page else "on"
    data = {"csrf": csrf_of(page), "enabled": state, "confirm": "yes", "reason": "ok \u202eevil"}
    r = c.post("/supervisor/kill-switch", data=data)
    assert r.status_code == 422
    assert (
        "The reason holds characters that cannot be shown safely (control characters or"
        " text-direction overrides)." in r.text
    )
