"""The complaints desk, the complaint page and the case screen's complaint and rating forms."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
import sqlalchemy as sa

from serving.store import AuditEntry, Case, Complaint, Feedback, User

CATEGORIES = {
    "decision": ("The decision", "Keputusan"),
    "delay": ("Delay", "Keterlambatan"),
    "conduct": ("Staff conduct", "Perilaku petugas"),
    "data_accuracy": ("Accuracy of the data", "Ketepatan data"),
    "discrimination": ("Discrimination", "Diskriminasi"),
    "other": ("Other", "Lainnya"),
}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _audit(world, action: str, entity_id: str) -> list[AuditEntry]:
    with world.store.transaction() as session:
        query = sa.select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.entity_id == entity_id
        )
        return list(session.scalars(query))


def _principal(world, username: str):
    from serving.services import Principal

    with world.store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        return Principal(user.user_id, user.username, user.role)


def _open(world, case_id: int, description: str, category: str = "delay") -> int:
    """A complaint recorded through the service (as the API would), for the page tests."""
    from serving.services import open_complaint

    with world.store.transaction() as session:
        complaint = open_complaint(
            session,
            _principal(world, "supervisor"),
            world.settings,
            category=category,
            description=description,
            case_id=case_id,
        )
        return complaint.complaint_id


def _complaints(world, case_id: int) -> list[Complaint]:
    with world.store.transaction() as session:
        query = sa.select(Complaint).where(Complaint.case_id == case_id)
        return list(session.scalars(query.order_by(Complaint.complaint_id)))


def _feedback(world, case_id: int) -> list[Feedback]:
    with world.store.transaction() as session:
        query = sa.select(Feedback).where(Feedback.case_id == case_id)
        return list(session.scalars(query.order_by(Feedback.feedback_id)))


def _row(page: str, complaint_id: int) -> str:
    return re.search(rf'<tr data-complaint="{complaint_id}">(.*?)</tr>', page, re.S).group(1)


@pytest.fixture(scope="module")
def decided_case(web_world) -> int:
    """A flagged case with a decision (claimed and decided by officer2 through the service)."""
    from serving.services import claim_case, decide_case

    case_id = web_world.case_ids[9]
    who = _principal(web_world, "officer2")
    with web_world.store.transaction() as session:
        if session.get(Case, case_id).status != "decided":
            claim_case(session, who, case_id)
            decide_case(
                session,
                who,
                case_id,
                outcome="no_violation",
                violation_types=[],
                reason="Employer letter verified.",
            )
    return case_id


# ---------------------------------------------------------------- who may see what


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_case_workers_open_the_desk_from_the_navigation(client_factory, web_world, role):
    complaint_id = _open(web_world, web_world.case_ids[3], f"Nobody called back ({role}).")
    c = client_factory(role)
    queue = c.get("/queue").text
    assert '<a href="/complaints" id="nav-complaints">Complaints</a>' in queue
    desk = c.get("/complaints")
    assert desk.status_code == 200
    assert "<h1>Complaints desk" in desk.text
    page = c.get(f"/complaints/{complaint_id}")
    assert page.status_code == 200
    assert f"Nobody called back ({role})." in page.text
    assert [e.actor for e in _audit(web_world, "complaint.view", str(complaint_id))] == [role]


@pytest.mark.parametrize("role", ["auditor", "analyst"])
def test_analysts_and_auditors_never_see_complaints(client_factory, web_world, role):
    secret = f"Private grievance seen by no {role}."
    complaint_id = _open(web_world, web_world.case_ids[3], secret)
    c = client_factory(role)
    home = c.get("/oversight").text
    assert 'id="nav-complaints"' not in home
    for path in ("/complaints", f"/complaints/{complaint_id}", "/complaints?status=open"):
        r = c.get(path)
        assert r.status_code == 403, path
        assert f"Your role ({role}) may not open this page." in r.text
        assert secret not in r.text
    csrf = _csrf(home)
    posts = [
        (f"/complaints/{complaint_id}/respond", {"response": "Sorted."}),
        (f"/complaints/{complaint_id}/assign", {"username": "officer"}),
        (f"/cases/{web_world.case_ids[3]}/complaints", {"category": "delay", "description": "x"}),
        (f"/cases/{web_world.case_ids[3]}/feedback", {"rating": "3"}),
    ]
    for path, data in posts:
        r = c.post(path, data={"csrf": csrf, **data})
        assert r.status_code == 403, path
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response, complaint.handler_id) == ("open", None, None)
    assert [c.description for c in _complaints(web_world, web_world.case_ids[3])].count("x") == 0


def test_an_unknown_complaint_answers_404(client_factory):
    r = client_factory("officer").get("/complaints/999999")
    assert r.status_code == 404
    assert "Not found: complaint 999999" in r.text


# ---------------------------------------------------------------- recording a complaint


def test_an_officer_records_a_complaint_from_the_case_screen(client_factory, web_world):
    case_id = web_world.case_ids[3]
    c = client_factory("officer")
    screen = c.get(f"/cases/{case_id}").text
    for en, _ in CATEGORIES.values():
        assert f"> {en}</option>" in screen or f">{en}</option>" in screen
    before = len(_complaints(web_world, case_id))
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={
            "csrf": _csrf(screen),
            "category": "conduct",
            "description": "  The officer at the counter was rude.  ",
        },
    )
    assert r.status_code == 303
    stored = _complaints(web_world, case_id)
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
    [entry] = _audit(web_world, "complaint.create", str(new.complaint_id))
    assert entry.actor == "officer"
    assert entry.details["category"] == "conduct" and entry.details["case_id"] == case_id
    after = c.get(r.headers["location"]).text
    assert f"Complaint {new.complaint_id} was recorded." in after
    item = re.search(rf'<li data-complaint="{new.complaint_id}">(.*?)</li>', after, re.S).group(1)
    assert "Staff conduct, opened" in item and ": Open" in item
    desk = c.get("/complaints").text
    row = _row(desk, new.complaint_id)
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
    before = [x.complaint_id for x in _complaints(web_world, case_id)]
    csrf = _csrf(c.get(f"/cases/{case_id}").text)
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={"csrf": csrf, "category": category, "description": description},
    )
    assert r.status_code == 422
    error = re.search(r'id="complaint-error">(.*?)</p>', r.text).group(1)
    assert error == message
    assert [x.complaint_id for x in _complaints(web_world, case_id)] == before
    typed = re.search(r'name="description"[^>]*>(.*?)</textarea>', r.text, re.S).group(1)
    assert html_lib.unescape(typed) == description
    if category == "delay":
        assert '<option value="delay" selected>' in r.text


# ---------------------------------------------------------------- CSRF


def test_every_new_form_refuses_a_forged_csrf_token(client_factory, web_world, decided_case):
    case_id = web_world.case_ids[3]
    complaint_id = _open(web_world, case_id, "Forgery target.")
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
    assert "Forged one." not in [x.description for x in _complaints(web_world, case_id)]
    assert "Forged rating." not in [f.comment for f in _feedback(web_world, decided_case)]
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response, complaint.handler_id) == ("open", None, None)


# ---------------------------------------------------------------- satisfaction ratings


def test_a_rating_is_recorded_once_the_case_is_decided(client_factory, web_world, decided_case):
    c = client_factory("officer")
    screen = c.get(f"/cases/{decided_case}").text
    assert 'id="feedback-form"' in screen
    before = len(_feedback(web_world, decided_case))
    r = c.post(
        f"/cases/{decided_case}/feedback",
        data={"csrf": _csrf(screen), "rating": "4", "comment": " Clear letter, quick answer. "},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/cases/{decided_case}?rated=1#feedback"
    stored = _feedback(web_world, decided_case)
    assert len(stored) == before + 1
    assert (stored[-1].rating, stored[-1].comment) == (4, "Clear letter, quick answer.")
    entries = _audit(web_world, "feedback", str(decided_case))
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
    before = len(_feedback(web_world, decided_case))
    r = c.post(
        f"/cases/{decided_case}/feedback",
        data={
            "csrf": _csrf(c.get(f"/cases/{decided_case}").text),
            "rating": rating,
            "comment": "Kept <as typed>",
        },
    )
    assert r.status_code == 422
    error = re.search(r'id="feedback-error">(.*?)</p>', r.text).group(1)
    assert error == "The rating must be a whole number from 1 to 5."
    assert "Kept &lt;as typed&gt;</textarea>" in r.text
    assert len(_feedback(web_world, decided_case)) == before


def test_a_too_long_rating_comment_is_refused(client_factory, web_world, decided_case):
    c = client_factory("officer")
    before = len(_feedback(web_world, decided_case))
    csrf = _csrf(c.get(f"/cases/{decided_case}").text)
    data = {"csrf": csrf, "rating": "5", "comment": "y" * 2001}
    r = c.post(f"/cases/{decided_case}/feedback", data=data)
    assert r.status_code == 422
    assert 'id="feedback-error">The comment is too long: at most 2000 characters.' in r.text
    assert 'value="5" required checked' in r.text
    assert len(_feedback(web_world, decided_case)) == before


def test_an_undecided_case_takes_no_rating(client_factory, web_world):
    case_id = web_world.blind_case_ids[1]  # nobody decides it
    c = client_factory("officer")
    screen = c.get(f"/cases/{case_id}").text
    assert 'id="feedback-form"' not in screen
    assert "A satisfaction rating can be recorded once the case has a decision." in screen
    r = c.post(f"/cases/{case_id}/feedback", data={"csrf": _csrf(screen), "rating": "3"})
    assert r.status_code == 409
    assert (
        'id="feedback-error">This case has no decision yet; a satisfaction rating comes after'
        " one.</p>" in r.text
    )
    assert _feedback(web_world, case_id) == []
    assert _audit(web_world, "feedback", str(case_id)) == []


# ---------------------------------------------------------------- handling a complaint


def test_a_supervisor_assigns_and_the_handler_answers(client_factory, web_world):
    complaint_id = _open(web_world, web_world.case_ids[3], "My file was lost twice.")
    officer, supervisor = client_factory("officer"), client_factory("supervisor")
    page = officer.get(f"/complaints/{complaint_id}").text
    assert 'id="respond-form"' not in page and 'id="assign-form"' not in page
    assert "ask a supervisor to assign it to you" in page
    r = officer.post(
        f"/complaints/{complaint_id}/respond", data={"csrf": _csrf(page), "response": "Found it."}
    )
    assert r.status_code == 403
    assert f"Complaint {complaint_id} is handled by someone else;" in r.text
    r = officer.post(
        f"/complaints/{complaint_id}/assign", data={"csrf": _csrf(page), "username": "officer"}
    )
    assert r.status_code == 403 and "Your role (officer) may not open this page." in r.text

    sup_page = supervisor.get(f"/complaints/{complaint_id}").text
    select = re.search(r'name="username">(.*?)</select>', sup_page, re.S).group(1)
    options = re.findall(r'<option value="([^"]+)"', select)
    with web_world.store.transaction() as session:
        staff = session.scalars(
            sa.select(User.username).where(User.role.in_(("officer", "supervisor")))
        ).all()
    assert options == sorted(staff)  # case workers only: no auditor, analyst or admin
    assert {"officer", "officer2", "supervisor"} <= set(options)
    r = supervisor.post(
        f"/complaints/{complaint_id}/assign",
        data={"csrf": _csrf(sup_page), "username": "officer"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/complaints/{complaint_id}?done=assigned"
    officer_id = _principal(web_world, "officer").user_id
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.handler_id, complaint.status) == (officer_id, "in_progress")
    [entry] = _audit(web_world, "complaint.assign", str(complaint_id))
    assert (entry.actor, entry.details) == ("supervisor", {"handler_id": officer_id})
    assert "The handler was changed." in supervisor.get(r.headers["location"]).text

    page = officer.get(f"/complaints/{complaint_id}").text
    assert 'id="respond-form"' in page and 'id="cp-handler">officer<' in page
    assert f'data-complaint="{complaint_id}"' in officer.get("/complaints?handler=me").text
    r = officer.post(
        f"/complaints/{complaint_id}/respond",
        data={"csrf": _csrf(page), "response": "  We found your file and apologise.  "},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/complaints/{complaint_id}?done=answered"
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response) == (
            "answered",
            "We found your file and apologise.",
        )
        assert complaint.answered_at is not None
    [entry] = _audit(web_world, "complaint.respond", str(complaint_id))
    assert (entry.actor, entry.details) == ("officer", {"within_sla": True})
    done = officer.get(r.headers["location"]).text
    assert "The response was recorded." in done
    assert 'id="cp-response">We found your file and apologise.</p>' in done
    assert 'id="respond-form"' not in done

    again = officer.post(
        f"/complaints/{complaint_id}/respond", data={"csrf": _csrf(done), "response": "Again."}
    )
    assert again.status_code == 409
    assert f'id="problem">Complaint {complaint_id} is already answered.</p>' in again.text
    late = supervisor.post(
        f"/complaints/{complaint_id}/assign",
        data={"csrf": _csrf(sup_page), "username": "officer2"},
    )
    assert late.status_code == 409
    assert f"Complaint {complaint_id} is already answered." in late.text
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.response, complaint.handler_id) == (
            "We found your file and apologise.",
            officer_id,
        )


@pytest.mark.parametrize(
    ("response", "status", "message"),
    [
        ("", 422, "A written response is required."),
        (" \n\t ", 422, "A written response is required."),
        ("z" * 5001, 422, "The text is too long: at most 5000 characters."),
    ],
)
def test_an_empty_response_is_refused_keeping_what_was_typed(
    client_factory, web_world, response, status, message
):
    complaint_id = _open(web_world, web_world.case_ids[3], "No reply for weeks.")
    c = client_factory("supervisor")
    csrf = _csrf(c.get(f"/complaints/{complaint_id}").text)
    r = c.post(f"/complaints/{complaint_id}/respond", data={"csrf": csrf, "response": response})
    assert r.status_code == status
    assert f'id="problem">{message}</p>' in r.text
    typed = re.search(r'name="response"[^>]*>(.*?)</textarea>', r.text, re.S).group(1)
    assert typed == response
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response) == ("open", None)
    assert _audit(web_world, "complaint.respond", str(complaint_id)) == []


@pytest.mark.parametrize(
    ("username", "status", "message"),
    [
        ("auditor", 422, "auditor is not an officer or supervisor; complaints go to case workers."),
        ("nobody", 404, "There is no user called nobody."),
    ],
)
def test_a_complaint_goes_only_to_a_case_worker(
    client_factory, web_world, username, status, message
):
    complaint_id = _open(web_world, web_world.case_ids[3], "Who handles this?")
    c = client_factory("supervisor")
    csrf = _csrf(c.get(f"/complaints/{complaint_id}").text)
    r = c.post(f"/complaints/{complaint_id}/assign", data={"csrf": csrf, "username": username})
    assert r.status_code == status
    assert f'id="problem">{message}</p>' in r.text
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.handler_id) == ("open", None)
    assert _audit(web_world, "complaint.assign", str(complaint_id)) == []


# ---------------------------------------------------------------- the desk


def _set_times(world, complaint_id: int, opened_days_ago: float, due_in_days: float) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        complaint.opened_at = now - dt.timedelta(days=opened_days_ago)
        complaint.due_at = now + dt.timedelta(days=due_in_days)


def test_the_desk_puts_the_most_urgent_first_and_filters(client_factory, web_world):
    from serving.services import respond_complaint

    case_id = web_world.case_ids[3]
    overdue = _open(web_world, case_id, "Overdue one.")
    soon = _open(web_world, case_id, "Due soon one.")
    fresh = _open(web_world, case_id, "Fresh one.")
    answered = _open(web_world, case_id, "Answered one.")
    _set_times(web_world, overdue, 20, -6)  # 6 days past its deadline
    _set_times(web_world, soon, 13, 1)  # 1 of 14 days left
    with web_world.store.transaction() as session:
        respond_complaint(session, _principal(web_world, "supervisor"), answered, "Done.")
    c = client_factory("officer2")
    desk = c.get("/complaints").text
    order = [int(i) for i in re.findall(r'<tr data-complaint="(\d+)">', desk)]
    mine = [i for i in order if i in (overdue, soon, fresh, answered)]
    assert mine == [overdue, soon, fresh, answered]
    assert 'class="sla sla_breached">Overdue<' in _row(desk, overdue)
    assert 'class="sla sla_due_soon">Due soon<' in _row(desk, soon)
    assert 'class="sla sla_ok">On time<' in _row(desk, fresh)
    assert 'class="sla sla_ok">Answered in time<' in _row(desk, answered)
    assert "Being handled" not in _row(desk, answered) and "Answered</td>" in _row(desk, answered)
    assert re.search(r'id="overdue-count">\d+ complaints are past their deadline.', desk)

    only_answered = c.get("/complaints?status=answered").text
    listed = {int(i) for i in re.findall(r'<tr data-complaint="(\d+)">', only_answered)}
    assert answered in listed and not listed & {overdue, soon, fresh}
    assert '<option value="answered" selected>' in only_answered
    open_only = {
        int(i) for i in re.findall(r'data-complaint="(\d+)"', c.get("/complaints?status=open").text)
    }
    assert {overdue, soon, fresh} <= open_only and answered not in open_only
    assert 'id="no-complaints"' in c.get("/complaints?handler=me").text  # officer2 handles none


def test_answered_ones_follow_every_unanswered_complaint(client_factory, web_world):
    _open(web_world, web_world.case_ids[3], "Still waiting.")
    desk = client_factory("supervisor").get("/complaints").text
    statuses = re.findall(r"<td>(Open|Being handled|Answered)</td>\s*</tr>", desk)
    assert "Answered" in statuses and "Open" in statuses
    first_answered = statuses.index("Answered")
    assert all(s == "Answered" for s in statuses[first_answered:])


@pytest.mark.parametrize(
    ("opened", "due", "answered", "expected"),
    [
        (-10, 4, None, ("sla_ok", "sla_ok")),
        (-13, 1, None, ("sla_due_soon", "sla_due_soon")),
        (-15, -1, None, ("sla_breached", "sla_breached")),
        (-10, 4, -1, ("sla_ok", "cp_sla_met")),
        (-20, -6, -1, ("sla_breached", "cp_sla_missed")),
    ],
)
def test_complaint_service_level(opened, due, answered, expected):
    from serving.schemas import ComplaintPublic
    from serving.web._complaints import complaint_sla

    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    c = ComplaintPublic(
        complaint_id=1,
        application_id="A",
        case_id=1,
        category="delay",
        description="d",
        status="open" if answered is None else "answered",
        handler=None,
        response=None,
        opened_at=now + opened * day,
        due_at=now + due * day,
        answered_at=None if answered is None else now + answered * day,
        within_sla=None,
    )
    assert complaint_sla(c, now) == expected


# ---------------------------------------------------------------- Bahasa Indonesia


@pytest.fixture(scope="module")
def indonesian_officer(web_world, client_factory):
    """A signed-in officer of their own whose pages are in Bahasa Indonesia."""
    from serving.services import create_user

    with web_world.store.transaction() as session:
        if session.scalar(sa.select(User).where(User.username == "petugas")) is None:
            create_user(session, "petugas", "officer", password="petugas-pw")
    c = client_factory()
    assert (
        c.post("/login", data={"username": "petugas", "password": "petugas-pw"}).status_code == 303
    )
    c.post("/lang", data={"lang": "id", "next": "/queue", "csrf": _csrf(c.get("/queue").text)})
    return c


def test_the_new_screens_speak_indonesian(indonesian_officer, web_world, decided_case):
    c = indonesian_officer
    case_id = web_world.case_ids[3]
    complaint_id = _open(web_world, case_id, "Berkas saya hilang.", category="data_accuracy")
    screen = c.get(f"/cases/{case_id}").text
    assert 'lang="id"' in screen
    assert "Catat pengaduan atas kasus ini" in screen and "Uraian (wajib)" in screen
    for _, indonesian in CATEGORIES.values():
        assert f">{indonesian}</option>" in screen
    item = re.search(rf'<li data-complaint="{complaint_id}">(.*?)</li>', screen, re.S).group(1)
    assert "Ketepatan data, dibuka" in item and ": Terbuka" in item
    r = c.post(
        f"/cases/{case_id}/complaints",
        data={"csrf": _csrf(screen), "category": "delay", "description": " "},
    )
    assert r.status_code == 422
    assert 'id="complaint-error">Pengaduan harus disertai uraian.</p>' in r.text
    decided = c.get(f"/cases/{decided_case}").text
    assert "Kepuasan pemohon" in decided and "5: sangat puas" in decided
    r = c.post(f"/cases/{decided_case}/feedback", data={"csrf": _csrf(decided), "rating": "9"})
    assert 'id="feedback-error">Nilai harus bilangan bulat dari 1 sampai 5.</p>' in r.text
    desk = c.get("/complaints").text
    assert "<h1>Meja pengaduan" in desk and ">Pengaduan</a>" in desk
    assert "Ketepatan data" in _row(desk, complaint_id)
    assert "Belum ditugaskan" in _row(desk, complaint_id)
    page = c.get(f"/complaints/{complaint_id}").text
    assert "Kembali ke meja pengaduan" in page and "Keterangan pengadu" in page
    r = c.post(f"/complaints/{complaint_id}/respond", data={"csrf": _csrf(page), "response": "Ok"})
    assert r.status_code == 403
    assert f"Pengaduan {complaint_id} ditangani orang lain;" in r.text
