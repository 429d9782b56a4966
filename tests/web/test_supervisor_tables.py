"""The supervisor's undecided cases: band column, order, pages, team queues, reassignment."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
from complaint_helpers import csrf_of, principal

from risk.clock import WallClock
from serving.services import claim_case, create_team, set_team
from serving.store import Case


def _listed(page: str) -> list[int]:
    table = page[page.index('id="sup-cases"') :]
    return [int(i) for i in re.findall(r'<tr data-case="(\d+)">', table)]


def test_newest_first_is_the_store_order(client_factory, web_world):
    page = client_factory("supervisor").get("/supervisor?sort=newest").text
    with web_world.store.reading() as session:
        expected = session.scalars(
            sa.select(Case.case_id).where(Case.status != "decided")
            .order_by(Case.created_at.desc(), Case.case_id.desc()).limit(25)
        ).all()  # fmt: skip
    assert _listed(page) == list(expected)


def test_every_row_has_a_band_and_a_reassign_that_asks_for_an_officer(client_factory):
    page = client_factory("supervisor").get("/supervisor").text
    table = page[page.index('id="sup-cases"') :]
    rows = re.findall(r'<tr data-case="(\d+)">(.*?)</tr>', table, re.S)
    assert rows
    for case_id, row in rows:
        assert re.search(r'class="band band-(high|standard)">(High|Standard)</span>', row)
        first = re.search(
            rf'<select id="to-{case_id}" name="username" required>(<option[^>]*>[^<]*)', row
        )
        assert first.group(1) == '<option value="" selected disabled>choose an officer'


def test_reassigning_without_choosing_is_refused_and_changes_nothing(client_factory, web_world):
    c = client_factory("supervisor")
    page = c.get("/supervisor").text
    case_id = _listed(page)[0]
    with web_world.store.reading() as session:
        before = session.get(Case, case_id).assigned_to
    r = c.post(
        "/supervisor/reassign", data={"csrf": csrf_of(page), "case_id": case_id, "username": ""}
    )
    assert r.status_code == 422
    problem = re.search(r'id="problem">(.*?)</p>', r.text, re.S).group(1)
    assert html.unescape(problem) == f"Choose the officer who should take case {case_id}."
    with web_world.store.reading() as session:
        assert session.get(Case, case_id).assigned_to == before


def test_a_team_queue_holds_exactly_its_members_cases(client_factory, web_world):
    admin, officer = principal(web_world, "admin"), principal(web_world, "officer")
    with web_world.store.transaction() as session:
        create_team(session, admin, "Harbour", clock=WallClock())
        set_team(session, admin, "officer", "Harbour", clock=WallClock())
        # an open case no other test names by index (they use case_ids[:10])
        open_case = next(
            c for c in reversed(web_world.case_ids[10:]) if session.get(Case, c).status == "open"
        )
        claim_case(session, officer, open_case, clock=WallClock())
    c = client_factory("supervisor")
    page = c.get("/supervisor?team=Harbour").text
    officer_id = officer.user_id
    with web_world.store.reading() as session:
        held = session.scalars(
            sa.select(Case.case_id).where(Case.assigned_to == officer_id, Case.status != "decided")
        ).all()  # fmt: skip
    assert open_case in held
    assert sorted(_listed(page)) == sorted(held)
    assert "Cases held by the members of team Harbour." in page
    load = page[page.index('id="team"') : page.index("</table>", page.index('id="team"'))]
    assert re.findall(r'<th scope="row">([^<]+)</th><td>Harbour</td>', load) == ["officer"]


def test_an_unknown_team_answers_the_error_page(client_factory):
    r = client_factory("supervisor").get("/supervisor?team=Nowhere")
    assert r.status_code == 422
    assert "queue team &#39;Nowhere&#39; does not exist" in r.text


def test_a_page_past_the_end_offers_the_way_back(client_factory):
    r = client_factory("supervisor").get("/supervisor?page=30")
    assert r.status_code == 200
    assert "There is no page 30 of this list: its last page is 1." in r.text
    assert 'href="/supervisor?team=&amp;sort=priority&amp;page=1"' in r.text


def test_the_load_table_counts_every_undecided_case_in_the_store(client_factory, web_world):
    import datetime as dt
    from collections import Counter

    from serving.store import User

    page = client_factory("supervisor").get("/supervisor").text
    with web_world.store.reading() as session:
        rows = session.execute(
            sa.select(Case.created_at, User.username)
            .outerjoin(User, User.user_id == Case.assigned_to)
            .where(Case.status != "decided")
        ).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    held = Counter(name or "" for _, name in rows)
    days = web_world.settings.review.case_sla_days
    late = sum(1 for created, _ in rows if (now - created).total_seconds() / 86400 > days)
    load = page[page.index('id="team"') : page.index("</table>", page.index('id="team"'))]
    shown = {
        name: int(cases)
        for name, cases in re.findall(
            r'<th scope="row">([^<]+)</th><td>[^<]*</td><td>(\d+)</td>', load
        )
    }
    assert shown["Unassigned"] == held[""]
    for name in ("officer", "officer2", "supervisor"):
        assert shown[name] == held[name]
    assert re.search(r'id="breach-count">(\d+)<', page).group(1) == str(late)
