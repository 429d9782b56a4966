"""The change-my-password page: every role reaches it from the header; it runs the same
service as ``POST /v1/me/password`` (sign-in throttles, policy, sessions ended, audit);
CSRF; errors beside their fields in both languages; the session that made the change
continues under a re-issued cookie while the person's other sessions end."""

from __future__ import annotations

import itertools
import re

import pytest
from web_world import sign_in

from risk.clock import WallClock

ROLES = ("officer", "supervisor", "analyst", "auditor", "admin")
OLD, NEW = "quartz-river-5120", "velvet-compass-8841"
_serial = itertools.count()


@pytest.fixture
def person(web_world):
    """Make a fresh user of ``role`` (optionally reading Indonesian): the shared users'
    passwords stay as the other tests know them."""
    from serving.services import create_user
    from serving.web._session import store_lang

    def _make(role: str, lang: str = "en") -> str:
        name = f"acct-{role}-{next(_serial)}-{lang}"
        with web_world.store.transaction() as session:
            user = create_user(session, name, role, password=OLD, clock=WallClock())
            if lang != "en":
                store_lang(session, user.user_id, lang, WallClock().now())
        return name

    return _make


def _client(web_app, address: str = "testclient"):
    from fastapi.testclient import TestClient

    return TestClient(
        web_app, raise_server_exceptions=False, follow_redirects=False, client=(address, 5000)
    )


def _csrf(client) -> str:
    page = client.get("/account/password")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _post(client, current: str, new: str, confirm: str | None = None, csrf: str | None = None):
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
        "csrf": _csrf(client) if csrf is None else csrf,
    }
    return client.post("/account/password", data=data)


def _error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


@pytest.mark.parametrize("role", ROLES)
def test_each_role_changes_its_password_and_only_this_session_continues(
    role, web_app, web_world, person
):
    from serving.store import AuditEntry

    name = person(role)
    with _client(web_app) as here, _client(web_app) as elsewhere:
        assert sign_in(here, name, OLD).status_code == 303
        assert sign_in(elsewhere, name, OLD).status_code == 303
        home = here.get(here.get("/").headers["location"])
        assert 'href="/account/password" id="change-password">Change password</a>' in home.text
        old_cookie = here.cookies.get("amanah_session")
        answer = _post(here, OLD, NEW)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/account/password?done=1"
        assert here.cookies.get("amanah_session") != old_cookie  # re-issued
        done = here.get("/account/password?done=1")
        assert done.status_code == 200
        assert done.headers["cache-control"] == "no-store"
        assert (
            "Your password has been changed. Your other sessions have ended; this one continues."
            in done.text
        )
        gone = elsewhere.get("/account/password")
        assert gone.status_code == 303
        assert gone.headers["location"] == "/login?next=/account/password"
    with _client(web_app) as fresh:
        assert sign_in(fresh, name, OLD).status_code == 401
        assert sign_in(fresh, name, NEW).status_code == 303
    with web_world.store.reading() as session:
        entries = session.query(AuditEntry).filter_by(actor=name, action="user.password").all()
        assert [e.details for e in entries] == [{"sessions_ended": 2}]


def test_signed_out_visitor_is_sent_to_sign_in(web_app):
    with _client(web_app) as c:
        r = c.get("/account/password")
        assert (r.status_code, r.headers["location"]) == (303, "/login?next=/account/password")


def test_wrong_current_password_counts_as_failed_sign_in_until_locked(web_app, person):
    name = person("officer")
    with _client(web_app, "10.14.0.1") as c:  # its own address: no other test's throttle
        assert sign_in(c, name, OLD).status_code == 303
        for attempt in range(5):  # security.account_max_failures = 5
            r = _post(c, "not-my-password-1", NEW)
            assert r.status_code == 422, attempt
            assert _error(r.text, "current_password") == (
                "This is not your current password. It counts as a failed sign-in."
            )
            assert 'id="current_password"' in r.text and 'aria-invalid="true"' in r.text
        locked = _post(c, OLD, NEW)  # even the right one: nothing is checked while locked
        assert locked.status_code == 429
        assert locked.headers["retry-after"] == "900"
        assert _error(locked.text, "current_password") == (
            "Too many wrong passwords. Try again in 15 minutes, or ask a supervisor to"
            " unlock the account."
        )
    with _client(web_app, "10.14.0.2") as other:  # the account lock holds on sign-in too
        assert sign_in(other, name, OLD).status_code == 429


@pytest.mark.parametrize(
    ("lang", "new", "confirm", "field", "message"),
    [
        ("en", "pass", None, "new_password", "Must be at least 12 characters."),
        ("id", "pass", None, "new_password", "Minimal 12 karakter."),
        (
            "en", "password1234", None, "new_password",
            "Too common: it is on the list of the most used passwords.",
        ),
        (
            "id", "password1234", None, "new_password",
            "Terlalu umum: ada dalam daftar kata sandi yang paling sering dipakai.",
        ),
        ("en", OLD, None, "new_password", "Must differ from your current password."),
        ("en", NEW, NEW + "x", "confirm_password", "The two new passwords differ."),
        ("id", NEW, NEW + "x", "confirm_password", "Kedua kata sandi baru tidak sama."),
    ],
)  # fmt: skip
def test_refused_new_password_is_named_beside_its_field(
    lang, new, confirm, field, message, web_app, person
):
    name = person("supervisor", lang)
    with _client(web_app) as c:
        assert sign_in(c, name, OLD).status_code == 303
        r = _post(c, OLD, new, confirm)
        assert r.status_code == 422
        assert _error(r.text, field) == message
    with _client(web_app) as fresh:
        assert sign_in(fresh, name, OLD).status_code == 303  # unchanged


def test_form_without_csrf_is_refused_and_changes_nothing(web_app, person):
    name = person("analyst")
    with _client(web_app) as c:
        assert sign_in(c, name, OLD).status_code == 303
        r = _post(c, OLD, NEW, csrf="")
        assert r.status_code == 403
        assert "The form has expired; reload the page and try again." in r.text
        r = _post(c, OLD, NEW, csrf="forged-token-of-another-session")
        assert r.status_code == 403
    with _client(web_app) as fresh:
        assert sign_in(fresh, name, NEW).status_code == 401
        assert sign_in(fresh, name, OLD).status_code == 303
