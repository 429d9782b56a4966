"""The case screen: refused decisions, reasons (merged, typical values, one scale),
the timeline split at the submission, hashed contact fields and labelled codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from serving.store import Case, raw_table
from serving.web._case_view import HASHED_FIELDS, timeline
from serving.web._reasons_view import BAR_SCALE, reason_bars, typical_values


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _application(world, case_id: int) -> dict:
    t = raw_table("applications")
    with world.store.transaction() as session:
        app_id = session.get(Case, case_id).application_id
        return dict(
            session.execute(sa.select(t).where(t.c.application_id == app_id)).mappings().one()
        )


@pytest.mark.parametrize(
    ("lang", "summary", "types_error", "reason_error"),
    [
        (
            "en",
            "The decision was not recorded: fix the marked fields.",
            "A confirmed violation needs at least one violation type.",
            "Write the reason for your finding.",
        ),
        (
            "id",
            "Keputusan tidak dicatat: perbaiki isian yang ditandai.",
            "Pelanggaran terbukti memerlukan sedikitnya satu jenis pelanggaran.",
            "Tuliskan alasan temuan Anda.",
        ),
    ],
)
def test_a_refused_decision_names_each_problem_beside_its_field_and_sums_them_up_top(
    client_factory, indonesian_client, web_world, lang, summary, types_error, reason_error
):
    c = client_factory("officer") if lang == "en" else indonesian_client("officer")
    case_id = web_world.case_ids[2]
    page = c.get(f"/cases/{case_id}").text
    r = c.post(
        f"/cases/{case_id}/decide",
        data={"csrf": _csrf(page), "outcome": "violation_confirmed", "reason": " "},
    )
    assert r.status_code == 422
    html = r.text
    summary_at = html.index('id="error-summary"')
    # the summary comes before the score, like the success note; its links reach the fields
    assert summary_at < html.index('id="score"')
    assert f'<h2 id="error-summary-h">{summary}</h2>' in html
    assert f'<li><a href="#violation_types-field">{types_error}</a></li>' in html
    assert f'<li><a href="#reason-field">{reason_error}</a></li>' in html
    assert f'<p class="field-error" id="violation_types-error">{types_error}</p>' in html
    assert f'<p class="field-error" id="reason-error">{reason_error}</p>' in html
    assert 'aria-describedby="reason-error reason-help" aria-invalid="true"' in html
    assert 'value="violation_confirmed" required checked' in html  # the choice is kept
    with web_world.store.transaction() as session:
        assert session.get(Case, case_id).status == "open"


def test_reasons_saying_the_same_sentence_are_shown_once_with_their_pushes_added():
    reasons = [
        {"feature": "has_agent", "value": False, "contribution": 0.30, "text": ""},
        {"feature": "agent_application_count", "value": None, "contribution": 0.25, "text": ""},
        {"feature": "intended_stay_days", "value": 40.0, "contribution": 0.5, "text": ""},
    ]
    bars = reason_bars(reasons, "en", {})
    assert [(b.text, round(b.contribution, 10)) for b in bars] == [
        ("Lodged without an agent", 0.55),
        ("Intended stay of 40 days", 0.5),
    ]
    bars = reason_bars(reasons, "id", {})
    assert [b.text for b in bars] == ["Diajukan tanpa agen", "Rencana tinggal 40 hari"]


def test_bars_share_one_stated_scale_and_mark_pushes_beyond_it():
    reasons = [
        {"feature": "intended_stay_days", "value": 40.0, "contribution": 0.07, "text": ""},
        {"feature": "tamper_score", "value": 0.91, "contribution": 3.03, "text": ""},
    ]
    bars = {b.text: b for b in reason_bars(reasons, "en", {})}
    assert BAR_SCALE == 2.0
    assert bars["Intended stay of 40 days"].width == 3.5  # 0.07 / 2.0, in %
    assert bars["Intended stay of 40 days"].capped is False
    assert bars["Tamper score of 0.91"].width == 100.0
    assert bars["Tamper score of 0.91"].capped is True


def test_typical_values_come_from_the_reference_profile():
    reference = {
        "features": {
            "intended_stay_days": {
                "kind": "numeric",
                "treated_as": "numeric",
                "counts": [3, 4, 1],
                "sample": [5.0, 30.0, 7.0, 9.0, 200.0],
            },
            "sponsor_recent_applications": {  # most applications name no sponsor
                "kind": "numeric",
                "treated_as": "numeric",
                "counts": [2, 1, 9],
                "sample": [1.0, 3.0, 2.0],
            },
            "visa_type": {
                "kind": "categorical",
                "treated_as": "categorical",
                "counts": [4, 9, 1],
                "categories": ["business", "visit", "work"],
            },
            "has_agent": {
                "kind": "boolean",
                "treated_as": "categorical",
                "counts": [7, 2],
                "categories": ["false", "true"],
            },
        }
    }
    assert typical_values(reference) == {
        "intended_stay_days": 9.0,
        "sponsor_recent_applications": None,
        "visa_type": "visit",
        "has_agent": False,
    }
    assert typical_values(None) == {}
    reasons = [{"feature": "visa_type", "value": "business", "contribution": 0.4, "text": ""}]
    (bar,) = reason_bars(reasons, "id", typical_values(reference))
    assert (bar.text, bar.typical) == (
        "Jenis visa yang dimohon: Bisnis",
        "Jenis visa yang dimohon: Kunjungan",
    )


def test_the_case_page_shows_the_typical_value_beside_each_reason(client_factory, web_world):
    case_id = web_world.case_ids[3]
    html = client_factory("officer").get(f"/cases/{case_id}").text
    reasons = html[html.index('id="reasons"') : html.index('id="application"')]
    items = reasons.count('<span class="reason-text">')
    assert items >= 1
    assert reasons.count('<span class="typical">') == items  # the web world's model has a profile
    assert "Bar scale, the same on every case: a full bar is a push of 2.0 log-odds." in html


def test_the_timeline_holds_only_what_was_on_file_when_the_application_arrived(web_world):
    apps = [_application(web_world, c) for c in web_world.case_ids + web_world.blind_case_ids]
    with web_world.store.transaction() as session:
        for app in apps:
            before, since = timeline(session, app)
            day = app["submitted_at"].date()
            as_day = lambda d: d.date() if isinstance(d, dt.datetime) else d  # noqa: E731
            assert before[-1][1] == "ev_this_application"
            assert all(as_day(e[0]) < day for e in before[:-1])
            assert all(as_day(e[0]) >= day for e in since)
    # the synthetic world records an application's own outcome as a prior decision: it must
    # sit under "since this application", never in the history. The case is the first whose
    # applicant has a decision on file from that day on (read from the table itself).
    p = raw_table("prior_decisions")
    with web_world.store.transaction() as session:

        def decided_since(app: dict) -> bool:
            rows = session.execute(sa.select(p).where(p.c.applicant_id == app["applicant_id"]))
            day = app["submitted_at"].date()
            return any(as_day(r.decided_at or r.applied_at) >= day for r in rows)

        app = next(a for a in apps if decided_since(a))
        before, since = timeline(session, app)
    assert "ev_prior" in [e[1] for e in since]


def test_hashed_contact_fields_read_on_file_with_an_exact_match_count(client_factory, web_world):
    case_id = web_world.case_ids[1]
    app = _application(web_world, case_id)
    html = client_factory("officer").get(f"/cases/{case_id}").text
    t = raw_table("applications")
    with web_world.store.transaction() as session:
        rows = [dict(r) for r in session.execute(sa.select(t)).mappings()]
    for field in HASHED_FIELDS:
        if app[field] is None:
            continue
        assert app[field] not in html  # never the hex
        others = sum(
            1
            for r in rows
            if r[field] == app[field] and r["application_id"] != app["application_id"]
        )
        assert f'<span class="hashed" data-matches="{others}">on file (hashed)</span>' in html


def test_coded_values_are_shown_through_the_label_tables(client_factory, web_world):
    case_id = web_world.case_ids[0]
    app = _application(web_world, case_id)
    html = client_factory("officer").get(f"/cases/{case_id}").text
    fields = html[html.index('id="application"') : html.index('id="history"')]
    for code in (app["visa_type"], app["purpose"], app["residence_country"]):
        assert f"<dd>{code}</dd>" not in fields
    assert "<dt>Language of the page</dt><dd>" in fields
    page_language = re.search(r"<dt>Language of the page</dt><dd>([^<]*)</dd>", fields)[1]
    assert len(page_language) > 3 and page_language[0].isupper()  # a name, not "ja"


def test_a_refused_complaint_is_summed_up_at_the_top_too(client_factory, web_world):
    c = client_factory("officer")
    case_id = web_world.case_ids[2]
    page = c.get(f"/cases/{case_id}").text
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={"csrf": _csrf(page), "category": "delay", "description": "  "},
    )
    assert r.status_code == 422
    html = r.text
    assert html.index('id="error-summary"') < html.index('id="score"')
    assert (
        '<h2 id="error-summary-h">The complaint was not recorded: see the complaint form'
        " below.</h2>"
    ) in html
    assert '<li><a href="#complaint-error">A complaint needs a description.</a></li>' in html
    assert 'id="complaint-error">A complaint needs a description.</p>' in html
