"""The admin console through a test client: who may open it, forms, shown-once passwords."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from complaint_helpers import csrf_of
from web_world import sign_in

from serving.store import AuditEntry, User


def _problem(page: str) -> str:
    return html.unescape(re.search(r'id="problem"[^>]*>(.*?)</p>', page, re.S).group(1))


def test_an_admin_lands_on_the_console(client_factory):
    c = client_factory()
    r = sign_in(c, "admin")
    assert r.headers["location"] == "/admin"
    page = c.get("/admin").text
    for who in ("officer", "officer2", "supervisor", "auditor", "analyst", "admin"):
        assert f'<tr data-user="{who}">' in page


@pytest.mark.parametrize("username", ["officer", "supervisor", "auditor", "analyst"])
def test_no_other_role_may_open_or_post_to_the_console(client_factory, username):
    c = client_factory(username)
    refused = c.get("/admin")
    assert refused.status_code == 403
    csrf = csrf_of(refused.text)  # the frame's language form carries the session's token
    r = c.post("/admin/users", data={"username": "intruder", "role": "admin", "csrf": csrf})
    assert r.status_code == 403


def test_a_form_without_the_csrf_token_is_refused(client_factory, web_world):
    c = client_factory("admin")
    r = c.post("/admin/users", data={"username": "nocsrf", "role": "officer"})
    assert r.status_code == 403
    with web_world.store.reading() as session:
        assert session.scalar(sa.select(User).where(User.username == "nocsrf")) is None


def test_a_new_person_gets_a_password_shown_once_that_signs_them_in(client_factory, web_world):
    c = client_factory("admin")
    csrf = csrf_of(c.get("/admin").text)
    r = c.post("/admin/users", data={"username": "wulan", "role": "officer", "csrf": csrf})
    assert r.status_code == 200
    password = re.search(r'id="shown-password">([^<]+)<', r.text).group(1)
    assert "The password of wulan is shown once" in html.unescape(r.text)
    assert password not in c.get("/admin").text  # shown once: gone on the next visit
    fresh = client_factory()
    assert sign_in(fresh, "wulan", password).headers["location"] == "/queue"
    with web_world.store.reading() as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.create")
            .order_by(AuditEntry.seq.desc())
        ).first()  # fmt: skip
        assert (entry.actor, entry.details["username"]) == ("admin", "wulan")


def test_a_refused_change_is_shown_on_the_console(client_factory):
    c = client_factory("admin")
    page = c.get("/admin").text
    r = c.post(
        "/admin/users", data={"username": "officer", "role": "officer", "csrf": csrf_of(page)}
    )
    assert r.status_code == 409
    assert _problem(r.text) == "user 'officer' already exists"


def test_a_team_is_made_and_a_person_joins_it(client_factory, web_world):
    c = client_factory("admin")
    csrf = csrf_of(c.get("/admin").text)
    assert c.post("/admin/teams", data={"name": "Airport", "csrf": csrf}).headers["location"] == (
        "/admin?done=team_created"
    )
    r = c.post("/admin/users/officer2/team", data={"team": "Airport", "csrf": csrf})
    assert r.headers["location"] == "/admin?done=team"
    page = c.get("/admin?done=team").text
    assert "Team changed." in page
    row = re.search(r'<tr data-user="officer2">(.*?)</tr>', page, re.S).group(1)
    assert '<option value="Airport" selected>' in row


def test_a_token_is_revoked_from_the_console(client_factory, web_world):
    from risk.clock import WallClock
    from serving.services import authenticate, create_token

    with web_world.store.transaction() as session:
        token = create_token(session, "analyst", clock=WallClock(), label="notebook")
    c = client_factory("admin")
    page = c.get("/admin").text
    token_id = int(re.findall(r'data-token="(\d+)"', page)[0])
    r = c.post(f"/admin/tokens/{token_id}/revoke", data={"csrf": csrf_of(page)})
    assert r.headers["location"] == "/admin?done=revoked"
    with web_world.store.engine.connect() as conn, pytest.raises(Exception) as err:
        authenticate(conn, f"Bearer {token}")
    assert err.value.status_code == 401
    assert token not in c.get("/admin").text
