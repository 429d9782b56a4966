"""The officers' queue: rows as caseworkers see them, search, filters, history, pages.

The expected lists are computed from the store's own rows (scores, cases, raw tables),
not from the queue's query.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from complaint_helpers import principal

from risk.errors import PermissionDeniedError, RequestValidationError
from serving.services import QueueQuery, search_queue
from serving.store import Case, Decision, Score, raw_table

NOW = dt.datetime(2100, 1, 1)  # later than every case: waiting times are all positive


def _cases(world) -> list[dict]:
    apps, docs = raw_table("applications"), raw_table("documents")
    with world.store.reading() as session:
        rows = session.execute(
            sa.select(
                Case.case_id,
                Case.status,
                Case.blind,
                Score.band,
                Case.created_at,
                Case.application_id,
                apps.c.applicant_id,
                apps.c.visa_type,
                Case.assigned_to,
            )
            .join(Score, Score.score_id == Case.score_id)
            .join(apps, apps.c.application_id == Case.application_id)
        ).all()
        documents = dict(
            session.execute(sa.select(docs.c.application_id, docs.c.document_id)).all()
        )
    names = (
        "case_id",
        "status",
        "blind",
        "band",
        "created_at",
        "application_id",
        "applicant_id",
        "visa_type",
        "assigned_to",
    )
    return [
        {**dict(zip(names, row, strict=True)), "document_id": documents.get(row[5])}
        for row in rows
    ]  # fmt: skip


def _all(world, who: str, **query) -> list[int]:
    out: list[int] = []
    page = 1
    with world.store.reading() as session:
        while True:
            found = search_queue(
                session, principal(world, who), QueueQuery(page=page, page_size=7, **query), now=NOW
            )
            out += [r.case_id for r in found.rows]
            if page >= found.pages:
                return out
            page += 1


def test_default_order_is_shown_band_then_oldest_and_never_the_route(web_world):
    undecided = [c for c in _cases(web_world) if c["status"] != "decided"]
    shown = {c["case_id"]: "high" if c["band"] == "high" and not c["blind"] else "standard"
             for c in undecided}  # fmt: skip
    expected = sorted(
        undecided, key=lambda c: (shown[c["case_id"]] != "high", c["created_at"], c["case_id"])
    )
    assert _all(web_world, "officer") == [c["case_id"] for c in expected]
    blind = [c["case_id"] for c in undecided if c["blind"]]
    assert blind and {shown[b] for b in blind} == {"standard"}


def test_blind_sample_rows_read_like_any_standard_row(client_factory, web_world):
    html = client_factory("officer").get("/queue?band=standard").text
    cases = [c for c in _cases(web_world) if c["status"] != "decided"]
    medium = next(c["case_id"] for c in cases if c["band"] == "medium" and not c["blind"])

    def cells(case_id: int) -> list[str]:
        row = re.search(rf'<tr data-case="{case_id}">(.*?)</tr>', html, re.S).group(1)
        return [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]

    blind_ids = [c["case_id"] for c in cases if c["blind"]]  # other tests decide some
    assert blind_ids
    for blind in blind_ids:
        assert cells(blind)[4] == cells(medium)[4] == "Standard"
        assert (
            "hidden"
            not in re.search(rf'<tr data-case="{blind}">(.*?)</tr>', html, re.S).group(1).lower()
        )


@pytest.mark.parametrize("field", ["application_id", "applicant_id", "document_id"])
def test_search_finds_a_case_by_any_of_its_ids(web_world, field):
    case = next(c for c in _cases(web_world) if c["status"] != "decided" and c[field])
    same = [c["case_id"] for c in _cases(web_world)
            if c[field] == case[field] and c["status"] != "decided"]  # fmt: skip
    assert sorted(_all(web_world, "officer", search=f"  {case[field]} ")) == sorted(same)


def test_search_for_an_unknown_id_finds_nothing(web_world):
    assert _all(web_world, "officer", search="NO-SUCH-ID") == []


def test_visa_and_assignment_filters_keep_exactly_the_matching_cases(web_world):
    cases = [c for c in _cases(web_world) if c["status"] != "decided"]
    visa = cases[0]["visa_type"]
    expected = {c["case_id"] for c in cases if c["visa_type"] == visa}
    assert set(_all(web_world, "officer", visa_type=visa)) == expected
    expected = {c["case_id"] for c in cases if c["assigned_to"] is None}
    assert set(_all(web_world, "officer", assigned="unassigned")) == expected


def test_decided_view_lists_the_callers_own_decisions_only(web_world, decided_case):
    with web_world.store.reading() as session:
        mine = set(session.scalars(
            sa.select(Decision.case_id).join(Case, Case.case_id == Decision.case_id)
            .where(Decision.officer_id == principal(web_world, "officer2").user_id,
                   Case.status == "decided")
        ))  # fmt: skip
    assert decided_case in mine
    assert set(_all(web_world, "officer2", view="decided")) == mine
    assert decided_case not in _all(web_world, "officer", view="decided")
    assert decided_case not in _all(web_world, "officer2")  # no longer to review


@pytest.mark.parametrize("role_user", ["auditor", "analyst"])
def test_only_caseworkers_may_list_cases(web_world, role_user):
    with web_world.store.reading() as session, pytest.raises(PermissionDeniedError):
        search_queue(session, principal(web_world, role_user), QueueQuery(), now=NOW)


def test_supervisor_sees_the_same_rows_as_an_officer(web_world):
    assert _all(web_world, "supervisor") == _all(web_world, "officer")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (QueueQuery(sort="score"), "queue sort 'score' is not one of priority, waiting, newest"),
        (QueueQuery(band="medium"), "queue band 'medium' is not one of high, standard"),
        (QueueQuery(view="everyone"), "queue view 'everyone' is not one of open, decided"),
        (
            QueueQuery(search="a\u202eb"),
            "queue search: a control character (U+202E) at position 1 is not allowed",
        ),
        (QueueQuery(page=0), "queue page must be 1 or more, page size 1 to 200"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(web_world, query, message):
    with web_world.store.reading() as session, pytest.raises(RequestValidationError) as err:
        search_queue(session, principal(web_world, "officer"), query, now=NOW)
    assert err.value.message == message


def test_a_page_past_the_end_offers_the_way_back(client_factory, web_world):
    from serving.web._officer import PAGE_SIZE

    standard = [c for c in _cases(web_world) if c["status"] != "decided"
                and (c["band"] != "high" or c["blind"])]  # fmt: skip
    last = max(1, -(-len(standard) // PAGE_SIZE))
    r = client_factory("officer").get(f"/queue?band=standard&page={last + 4}")
    assert r.status_code == 200
    assert f"There is no page {last + 4} of this list: its last page is {last}." in r.text
    assert f'href="/queue?band=standard&amp;page={last}"' in r.text
    assert 'data-case="' not in r.text


def test_the_page_shows_the_application_columns_in_indonesian(client_factory, web_world):
    from test_page_errors import _switch

    c = client_factory("officer2")
    _switch(c, "id")
    try:
        html = c.get("/queue").text
    finally:
        _switch(c, "en")
    for header in ("Permohonan", "Jenis visa", "Diajukan", "Tingkat"):
        assert f'<th scope="col">{header}</th>' in html
    assert "Standar" in html and "Standard<" not in html


def test_a_bad_sort_on_the_page_answers_the_error_page(client_factory):
    r = client_factory("officer").get("/queue?sort=score")
    assert r.status_code == 422
    assert "queue sort &#39;score&#39; is not one of priority, waiting, newest" in r.text


def test_the_lists_band_agrees_with_the_review_policy(web_world, decided_case):
    from models import ReviewPolicy

    cases = {c["case_id"]: c for c in _cases(web_world)}
    with web_world.store.reading() as session:
        for who, view in (("officer", "open"), ("officer2", "decided")):
            rows = search_queue(
                session, principal(web_world, who), QueueQuery(view=view, page_size=200), now=NOW
            ).rows
            for row in rows:
                case = cases[row.case_id]
                shows = ReviewPolicy.shows_model_output(
                    blind=case["blind"], decided=case["status"] == "decided"
                )
                expected = "high" if shows and case["band"] == "high" else "standard"
                assert row.band == expected, row.case_id
