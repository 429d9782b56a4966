"""The case screen's complaint and satisfaction-rating forms, in English and Indonesian."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import sqlalchemy as sa
from complaint_helpers import (
    CATEGORIES,
    audit,
    complaints_of,
    csrf_of,
    desk_row,
    feedback_of,
    open_complaint,
    principal,
)
from web_world import sign_in

from risk.clock import WallClock
from serving.store import Complaint, User

# ---------------------------------------------------------------- recording a complaint


def test_an_officer_records_a_complaint_from_the_case_screen(client_factory, web_world):
    case_id = web_world.case_ids[3]
    c = client_factory("officer")
    screen = c.get(f"/cases/{case_id}").text
    for en, _ in CATEGORIES.values():
        assert f"> {en}</option>" in screen or f">{en}</option>" in screen
    before = len(complaints_of(web_world, case_id))
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={
            "csrf": csrf_of(screen),
            "category": "conduct",
            "description": "  The officer at the counter was rude.  ",
        },
    )
    assert r.status_code == 303
    stored = complaints_of(web_world, case_id)
    assert len(stored) == before + 1
    new = stored[-1]
    assert r.headers["location"] == f"/cases/{case_id}?complaint={new.complaint_id}#complaints"
    assert (new.category, new.description, new.status) == (
        "conduct",
        "The officer at the counter was rude.",
        "open",
    )
    sla = web_world.settings.review.complaint_sla_days
    assert new.due_at - new.opened_at == dt.timedelta(days=sla)
    [entry] = audit(web_world, "complaint.create", str(new.complaint_id))
    assert entry.actor == "officer"
    assert entry.details["category"] == "conduct" and entry.details["case_id"] == case_id
    after = c.get(r.headers["location"]).text
    assert f"Complaint {new.complaint_id} was recorded." in after
    item = re.search(rf'<li data-complaint="{new.complaint_id}">(.*?)</li>', after, re.S).group(1)
    assert "Staff conduct, opened" in item and ": Open" in item
    desk = c.get("/complaints").text
    row = desk_row(desk, new.complaint_id)
    assert "Staff conduct" in row and f"/cases/{case_id}" in row
    assert new.application_id in row and "Unassigned" in row and "On time" in row


@pytest.mark.parametrize(
    ("category", "description", "message"),
    [
        ("delay", "", "A complaint needs a description."),
        ("delay", "   \n ", "A complaint needs a description."),
        ("", "Waited five months.", "Choose the complaint&#39;s category from the list."),
        ("refusal", "Waited five months.", "Choose the complaint&#39;s category from the list."),
        ("delay", "x" * 5001, "The text is too long: at most 5000 characters."),
    ],
)
def test_a_bad_complaint_is_refused_keeping_what_was_typed(
    client_factory, web_world, category, description, message
):
    case_id = web_world.case_ids[3]
    c = client_factory("officer")
    before = [x.complaint_id for x in complaints_of(web_world, case_id)]
    csrf = csrf_of(c.get(f"/cases/{case_id}").text)
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={"csrf": csrf, "category": category, "description": description},
    )
    assert r.status_code == 422
    error = re.search(r'id="complaint-error">(.*?)</p>', r.text).group(1)
    assert error == message
    assert [x.complaint_id for x in complaints_of(web_world, case_id)] == before
    typed = re.search(r'name="description"[^>]*>(.*?)</textarea>', r.text, re.S).group(1)
    assert html_lib.unescape(typed) == description
    if category == "delay":
        assert '<option value="delay" selected>' in r.text


# ---------------------------------------------------------------- CSRF


def test_every_new_form_refuses_a_forged_csrf_token(client_factory, web_world, decided_case):
    case_id = web_world.case_ids[3]
    complaint_id = open_complaint(web_world, case_id, "Forgery target.")
    c = client_factory("supervisor")
    posts = [
        (f"/cases/{case_id}/complaints", {"category": "delay", "description": "Forged one."}),
        (f"/cases/{decided_case}/feedback", {"rating": "5", "comment": "Forged rating."}),
        (f"/complaints/{complaint_id}/respond", {"response": "Forged answer."}),
        (f"/complaints/{complaint_id}/assign", {"username": "officer"}),
    ]
    for path, data in posts:
        for token in ("forged", ""):
            r = c.post(path, data={"csrf": token, **data})
            assert r.status_code == 403, path
            assert "The form has expired; reload the page and try again." in r.text
    assert "Forged one." not in [x.description for x in complaints_of(web_world, case_id)]
    assert "Forged rating." not in [f.comment for f in feedback_of(web_world, decided_case)]
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response, complaint.handler_id) == ("open", None, None)


# ---------------------------------------------------------------- satisfaction ratings


def test_a_rating_is_recorded_once_the_case_is_decided(client_factory, web_world, unrated_case):
    c = client_factory("officer")
    screen = c.get(f"/cases/{unrated_case}").text
    assert 'id="feedback-form"' in screen
    before = len(feedback_of(web_world, unrated_case))
    r = c.post(
        f"/cases/{unrated_case}/feedback",
        data={"csrf": csrf_of(screen), "rating": "4", "comment": " Clear letter, quick answer. "},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/cases/{unrated_case}?rated=1#feedback"
    stored = feedback_of(web_world, unrated_case)
    assert len(stored) == before + 1
    assert (stored[-1].rating, stored[-1].comment) == (4, "Clear letter, quick answer.")
    entries = audit(web_world, "feedback", str(unrated_case))
    assert {"rating": 4} in [e.details for e in entries]
    assert all(e.actor == "officer" for e in entries)
    after = c.get(r.headers["location"]).text
    assert 'id="feedback-saved">The rating was recorded.' in after
    item = re.search(rf'data-feedback="{stored[-1].feedback_id}">(.*?)</li>', after).group(1)
    assert item.startswith("Rated 4 of 5 on ") and item.endswith(": Clear letter, quick answer.")


@pytest.mark.parametrize("rating", ["0", "6", "-1", "4.5", "abc", ""])
def test_a_rating_outside_1_to_5_is_refused_keeping_the_comment(
    client_factory, web_world, decided_case, rating
):
    c = client_factory("officer")
    before = len(feedback_of(web_world, decided_case))
    r = c.post(
        f"/cases/{decided_case}/feedback",
        data={
            "csrf": csrf_of(c.get(f"/cases/{decided_case}").text),
            "rating": rating,
            "comment": "Kept <as typed>",
        },
    )
    assert r.status_code == 422
    error = re.search(r'id="feedback-error">(.*?)</p>', r.text).group(1)
    assert error == "The rating must be a whole number from 1 to 5."
    assert "Kept &lt;as typed&gt;</textarea>" in r.text
    assert len(feedback_of(web_world, decided_case)) == before


def test_a_too_long_rating_comment_is_refused(client_factory, web_world, decided_case):
    c = client_factory("officer")
    before = len(feedback_of(web_world, decided_case))
    csrf = csrf_of(c.get(f"/cases/{decided_case}").text)
    data = {"csrf": csrf, "rating": "5", "comment": "y" * 2001}
    r = c.post(f"/cases/{decided_case}/feedback", data=data)
    assert r.status_code == 422
    assert 'id="feedback-error">The comment is too long: at most 2000 characters.' in r.text
    assert 'value="5" required checked' in r.text
    assert len(feedback_of(web_world, decided_case)) == before


def test_an_undecided_case_takes_no_rating(client_factory, web_world):
    case_id = web_world.blind_case_ids[1]  # nobody decides it
    c = client_factory("officer")
    screen = c.get(f"/cases/{case_id}").text
    assert 'id="feedback-form"' not in screen
    assert "A satisfaction rating can be recorded once the case has a decision." in screen
    r = c.post(f"/cases/{case_id}/feedback", data={"csrf": csrf_of(screen), "rating": "3"})
    assert r.status_code == 409
    assert (
        'id="feedback-error">This case has no decision yet; a satisfaction rating comes after'
        " one.</p>" in r.text
    )
    assert feedback_of(web_world, case_id) == []
    assert audit(web_world, "feedback", str(case_id)) == []


# ---------------------------------------------------------------- Bahasa Indonesia


@pytest.fixture(scope="module")
def indonesian_officer(web_world, client_factory):
    """A signed-in officer of their own whose pages are in Bahasa Indonesia."""
    from serving.services import create_user

    with web_world.store.transaction() as session:
        if session.scalar(sa.select(User).where(User.username == "petugas")) is None:
            create_user(
                session, "petugas", "officer", password="kopi-tubruk-pagi", clock=WallClock()
            )
    c = client_factory()
    assert sign_in(c, "petugas", "kopi-tubruk-pagi").status_code == 303
    c.post("/lang", data={"lang": "id", "next": "/queue", "csrf": csrf_of(c.get("/queue").text)})
    return c


def test_the_new_screens_speak_indonesian(indonesian_officer, web_world, decided_case):
    c = indonesian_officer
    case_id = web_world.case_ids[3]
    complaint_id = open_complaint(
        web_world, case_id, "Berkas saya hilang.", category="data_accuracy"
    )
    screen = c.get(f"/cases/{case_id}").text
    assert 'lang="id"' in screen
    assert "Catat pengaduan atas kasus ini" in screen and "Uraian (wajib)" in screen
    for _, indonesian in CATEGORIES.values():
        assert f">{indonesian}</option>" in screen
    item = re.search(rf'<li data-complaint="{complaint_id}">(.*?)</li>', screen, re.S).group(1)
    assert "Ketepatan data, dibuka" in item and ": Terbuka" in item
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={"csrf": csrf_of(screen), "category": "delay", "description": " "},
    )
    assert r.status_code == 422
    assert 'id="complaint-error">Pengaduan harus disertai uraian.</p>' in r.text
    if not feedback_of(web_world, decided_case):  # whichever test runs first rates it
        from serving.services import add_feedback

        with web_world.store.transaction() as session:
            add_feedback(
                session, principal(web_world, "officer"), decided_case, 4, clock=WallClock()
            )
    decided = c.get(f"/cases/{decided_case}").text
    assert "Kepuasan pemohon" in decided  # rated: one rating per case
    assert "Kasus ini sudah dinilai; setiap kasus yang diputuskan dinilai satu kali." in decided
    r = c.post(f"/cases/{decided_case}/feedback", data={"csrf": csrf_of(decided), "rating": "9"})
    assert 'id="feedback-error">Nilai harus bilangan bulat dari 1 sampai 5.</p>' in r.text
    desk = c.get("/complaints").text
    assert "<h1>Meja pengaduan" in desk and ">Pengaduan</a>" in desk
    assert "Ketepatan data" in desk_row(desk, complaint_id)
    assert "Belum ditugaskan" in desk_row(desk, complaint_id)
    page = c.get(f"/complaints/{complaint_id}").text
    assert "Kembali ke meja pengaduan" in page and "Keterangan pengadu" in page
    r = c.post(
        f"/complaints/{complaint_id}/respond", data={"csrf": csrf_of(page), "response": "Ok"}
    )
    assert r.status_code == 403
    assert f"Pengaduan {complaint_id} ditangani orang lain;" in r.text
