"""The complaints desk and the complaint page: who may see them, answering, assigning."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from complaint_helpers import (
    audit,
    complaints_of,
    csrf_of,
    desk_row,
    open_complaint,
    principal,
    set_times,
)

from risk.clock import WallClock
from serving.store import Complaint, User

# ---------------------------------------------------------------- who may see what


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_case_workers_open_the_desk_from_the_navigation(client_factory, web_world, role):
    complaint_id = open_complaint(web_world, web_world.case_ids[3], f"Nobody called back ({role}).")
    c = client_factory(role)
    queue = c.get("/queue").text
    assert '<a href="/complaints" id="nav-complaints">Complaints</a>' in queue
    desk = c.get("/complaints")
    assert desk.status_code == 200
    assert "<h1>Complaints desk" in desk.text
    page = c.get(f"/complaints/{complaint_id}")
    assert page.status_code == 200
    assert f"Nobody called back ({role})." in page.text
    assert [e.actor for e in audit(web_world, "complaint.view", str(complaint_id))] == [role]


@pytest.mark.parametrize("role", ["auditor", "analyst"])
def test_analysts_and_auditors_never_see_complaints(client_factory, web_world, role):
    secret = f"Private grievance seen by no {role}."
    complaint_id = open_complaint(web_world, web_world.case_ids[3], secret)
    c = client_factory(role)
    home = c.get("/oversight").text
    assert 'id="nav-complaints"' not in home
    for path in ("/complaints", f"/complaints/{complaint_id}", "/complaints?status=open"):
        r = c.get(path)
        assert r.status_code == 403, path
        assert f"Your role ({role}) may not open this page." in r.text
        assert secret not in r.text
    csrf = csrf_of(home)
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
    assert [c.description for c in complaints_of(web_world, web_world.case_ids[3])].count("x") == 0


def test_an_unknown_complaint_answers_404(client_factory):
    r = client_factory("officer").get("/complaints/999999")
    assert r.status_code == 404
    assert "Not found: complaint 999999" in r.text


# ---------------------------------------------------------------- handling a complaint


def test_a_supervisor_assigns_and_the_handler_answers(client_factory, web_world):
    complaint_id = open_complaint(web_world, web_world.case_ids[3], "My file was lost twice.")
    officer, supervisor = client_factory("officer"), client_factory("supervisor")
    page = officer.get(f"/complaints/{complaint_id}").text
    assert 'id="respond-form"' not in page and 'id="assign-form"' not in page
    assert "Only the complaint&#39;s handler or a supervisor may answer it." in page
    assert 'id="take"' in page  # unassigned: the officer could take it (see the next test)
    r = officer.post(
        f"/complaints/{complaint_id}/respond", data={"csrf": csrf_of(page), "response": "Found it."}
    )
    assert r.status_code == 403
    assert f"Complaint {complaint_id} is handled by someone else;" in r.text
    r = officer.post(
        f"/complaints/{complaint_id}/assign", data={"csrf": csrf_of(page), "username": "officer"}
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
        data={"csrf": csrf_of(sup_page), "username": "officer"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/complaints/{complaint_id}?done=assigned"
    officer_id = principal(web_world, "officer").user_id
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.handler_id, complaint.status) == (officer_id, "in_progress")
    [entry] = audit(web_world, "complaint.assign", str(complaint_id))
    assert (entry.actor, entry.details) == ("supervisor", {"handler_id": officer_id})
    assert "The handler was changed." in supervisor.get(r.headers["location"]).text

    page = officer.get(f"/complaints/{complaint_id}").text
    assert 'id="respond-form"' in page and 'id="cp-handler">officer<' in page
    assert f'data-complaint="{complaint_id}"' in officer.get("/complaints?handler=me").text
    r = officer.post(
        f"/complaints/{complaint_id}/respond",
        data={"csrf": csrf_of(page), "response": "  We found your file and apologise.  "},
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
    [entry] = audit(web_world, "complaint.respond", str(complaint_id))
    assert (entry.actor, entry.details) == ("officer", {"within_sla": True})
    done = officer.get(r.headers["location"]).text
    assert "The response was recorded." in done
    assert 'id="cp-response">We found your file and apologise.</p>' in done
    assert 'id="respond-form"' not in done

    again = officer.post(
        f"/complaints/{complaint_id}/respond", data={"csrf": csrf_of(done), "response": "Again."}
    )
    assert again.status_code == 409
    assert f'id="problem">Complaint {complaint_id} is already answered.</p>' in again.text
    late = supervisor.post(
        f"/complaints/{complaint_id}/assign",
        data={"csrf": csrf_of(sup_page), "username": "officer2"},
    )
    assert late.status_code == 409
    assert f"Complaint {complaint_id} is already answered." in late.text
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.response, complaint.handler_id) == (
            "We found your file and apologise.",
            officer_id,
        )


def test_an_officer_takes_an_unassigned_complaint_and_answers_it(client_factory, web_world):
    complaint_id = open_complaint(web_world, web_world.case_ids[4], "Nobody called me back.")
    officer, officer2 = client_factory("officer"), client_factory("officer2")
    page = officer.get(f"/complaints/{complaint_id}").text
    r = officer.post(f"/complaints/{complaint_id}/take", data={"csrf": csrf_of(page)})
    assert r.status_code == 303
    assert r.headers["location"] == f"/complaints/{complaint_id}?done=taken"
    done = officer.get(r.headers["location"]).text
    assert "You now handle this complaint." in done
    assert 'id="respond-form"' in done and 'id="take"' not in done
    officer_id = principal(web_world, "officer").user_id
    [entry] = audit(web_world, "complaint.take", str(complaint_id))
    assert (entry.actor, entry.details) == ("officer", {"handler_id": officer_id})

    other = officer2.get(f"/complaints/{complaint_id}").text
    assert 'id="take"' not in other and 'id="respond-form"' not in other
    r = officer2.post(f"/complaints/{complaint_id}/take", data={"csrf": csrf_of(other)})
    assert r.status_code == 409
    assert (
        f'id="problem">Complaint {complaint_id} is already handled by someone else;'
        " a supervisor can reassign it.</p>" in r.text
    )
    forged = officer2.post(f"/complaints/{complaint_id}/take", data={"csrf": "forged"})
    assert forged.status_code == 403
    with web_world.store.transaction() as session:
        assert session.get(Complaint, complaint_id).handler_id == officer_id
    assert len(audit(web_world, "complaint.take", str(complaint_id))) == 1


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
    complaint_id = open_complaint(web_world, web_world.case_ids[3], "No reply for weeks.")
    c = client_factory("supervisor")
    csrf = csrf_of(c.get(f"/complaints/{complaint_id}").text)
    r = c.post(f"/complaints/{complaint_id}/respond", data={"csrf": csrf, "response": response})
    assert r.status_code == status
    assert f'id="problem">{message}</p>' in r.text
    typed = re.search(r'name="response"[^>]*>(.*?)</textarea>', r.text, re.S).group(1)
    assert typed == response
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.response) == ("open", None)
    assert audit(web_world, "complaint.respond", str(complaint_id)) == []


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
    complaint_id = open_complaint(web_world, web_world.case_ids[3], "Who handles this?")
    c = client_factory("supervisor")
    csrf = csrf_of(c.get(f"/complaints/{complaint_id}").text)
    r = c.post(f"/complaints/{complaint_id}/assign", data={"csrf": csrf, "username": username})
    assert r.status_code == status
    assert f'id="problem">{message}</p>' in r.text
    with web_world.store.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        assert (complaint.status, complaint.handler_id) == ("open", None)
    assert audit(web_world, "complaint.assign", str(complaint_id)) == []


# ---------------------------------------------------------------- the desk


def test_the_desk_puts_the_most_urgent_first_and_filters(client_factory, web_world):
    from serving.services import respond_complaint

    case_id = web_world.case_ids[3]
    overdue = open_complaint(web_world, case_id, "Overdue one.")
    soon = open_complaint(web_world, case_id, "Due soon one.")
    fresh = open_complaint(web_world, case_id, "Fresh one.")
    answered = open_complaint(web_world, case_id, "Answered one.")
    set_times(web_world, overdue, 20, -6)  # 6 days past its deadline
    set_times(web_world, soon, 13, 1)  # 1 of 14 days left
    with web_world.store.transaction() as session:
        respond_complaint(
            session, principal(web_world, "supervisor"), answered, "Done.", clock=WallClock()
        )
    c = client_factory("officer2")
    desk = c.get("/complaints").text
    order = [int(i) for i in re.findall(r'<tr data-complaint="(\d+)">', desk)]
    mine = [i for i in order if i in (overdue, soon, fresh, answered)]
    assert mine == [overdue, soon, fresh, answered]
    assert 'class="sla sla_breached">Overdue<' in desk_row(desk, overdue)
    assert 'class="sla sla_due_soon">Due soon<' in desk_row(desk, soon)
    assert 'class="sla sla_ok">On time<' in desk_row(desk, fresh)
    assert 'class="sla sla_ok">Answered in time<' in desk_row(desk, answered)
    assert "Being handled" not in desk_row(desk, answered) and "Answered</td>" in desk_row(
        desk, answered
    )
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
    from serving.services import respond_complaint

    open_complaint(web_world, web_world.case_ids[3], "Still waiting.")
    answered = open_complaint(web_world, web_world.case_ids[3], "Wrong date on the letter.")
    with web_world.store.transaction() as session:  # this test's own answered complaint
        respond_complaint(
            session, principal(web_world, "supervisor"), answered, "Corrected.", clock=WallClock()
        )
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


def test_a_long_desk_keeps_the_most_urgent_and_the_latest_answered(
    client_factory, web_world, monkeypatch
):
    from serving.services import respond_complaint
    from serving.web import _complaints

    case_id = web_world.case_ids[3]
    ids = [open_complaint(web_world, case_id, f"Long desk {i}.") for i in range(4)]
    for i, complaint_id in enumerate(ids):
        set_times(web_world, complaint_id, 30, -10 + i)  # ids[0] is the most overdue
    with web_world.store.transaction() as session:
        supervisor = principal(web_world, "supervisor")
        for complaint_id in ids[2:]:
            respond_complaint(
                session, supervisor, complaint_id, "Answered late.", clock=WallClock()
            )
    with web_world.store.transaction() as session:
        open_total = session.scalar(
            sa.select(sa.func.count()).where(Complaint.status != "answered")
        )
        total = session.scalar(sa.select(sa.func.count()).select_from(Complaint))
    monkeypatch.setattr(_complaints, "DESK_LIMIT", 1)
    desk = client_factory("supervisor").get("/complaints").text
    listed = [int(i) for i in re.findall(r'<tr data-complaint="(\d+)">', desk)]
    with web_world.store.transaction() as session:
        most_urgent = session.scalar(
            sa.select(Complaint.complaint_id)
            .where(Complaint.status == "open")
            .order_by(Complaint.due_at, Complaint.complaint_id)
        )
        latest_answered = session.scalar(
            sa.select(Complaint.complaint_id)
            .where(Complaint.status == "answered")
            .order_by(Complaint.due_at.desc(), Complaint.complaint_id.desc())
        )
    assert listed[0] == most_urgent and listed[-1] == latest_answered
    assert ids[1] not in listed and ids[2] not in listed  # less urgent, answered earlier
    assert len(listed) <= 3  # one per status
    assert open_total >= 2 and f"Showing {len(listed)} of {total}:" in desk
