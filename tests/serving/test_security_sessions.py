"""Page sessions live in the store: sign-out, password change, deactivation and timeouts end
them at once; cookies are HttpOnly (Secure over TLS); the sign-in form carries a CSRF token."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from security_helpers import PASSWORDS, browser, clock, login_csrf, sign_in, web

from serving.services import set_active, set_password
from serving.store import AuditEntry, WebSession

__all__ = ["clock", "web"]  # fixtures used here


def page_csrf(client: TestClient, path: str = "/queue") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def signed_in(client: TestClient) -> bool:
    return client.get("/queue").status_code == 200


def test_sign_out_ends_the_session_for_a_saved_cookie(web):
    c = browser(web)
    assert sign_in(c, "siti").status_code == 303
    saved = c.cookies.get("amanah_session")
    assert c.post("/logout", data={"csrf": page_csrf(c)}).status_code == 303
    replay = browser(web)
    replay.cookies.set("amanah_session", saved)
    r = replay.get("/queue")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/queue")


def test_a_signed_in_page_is_never_cached(web):
    c = browser(web)
    sign_in(c, "siti")
    r = c.get("/queue")
    assert (r.status_code, r.headers["cache-control"]) == (200, "no-store")


def test_the_session_is_stored_hashed_with_no_cookie_value_in_the_store(web, store):
    c = browser(web)
    sign_in(c, "siti")
    token = c.cookies.get("amanah_session")
    with store.transaction() as session:
        ids = session.scalars(sa.select(WebSession.session_id)).all()
    assert ids == [hashlib.sha256(token.encode()).hexdigest()]


def test_an_idle_session_ends_and_activity_keeps_it_alive(web, clock):
    c = browser(web)
    sign_in(c, "siti")
    for _ in range(4):  # 4 x 29 minutes of light use: still signed in
        clock.advance(minutes=29)
        assert signed_in(c)
    clock.advance(minutes=30)
    assert not signed_in(c)
    clock.advance(seconds=-1)  # an ended session stays ended
    assert not signed_in(c)


def test_a_session_ends_after_the_absolute_lifetime_however_busy(web, clock, settings):
    settings.security.session_absolute_hours = 2
    c = browser(web)
    sign_in(c, "siti")
    for _ in range(5):
        clock.advance(minutes=20)
        assert signed_in(c)
    clock.advance(minutes=19, seconds=59)  # 1:59:59 after sign-in
    assert signed_in(c)
    clock.advance(seconds=1)
    assert not signed_in(c)


def test_a_password_change_ends_every_session_of_that_user_only(web, store, clock):
    laptop, phone, other = browser(web), browser(web), browser(web)
    sign_in(laptop, "siti")
    sign_in(phone, "siti")
    sign_in(other, "budi")
    with store.transaction() as session:
        assert set_password(session, "siti", "new-quiet-lantern-9", clock=clock, actor="siti") == 2
    assert (signed_in(laptop), signed_in(phone), signed_in(other)) == (False, False, True)
    assert sign_in(browser(web), "siti").status_code == 401
    assert sign_in(browser(web), "siti", "new-quiet-lantern-9").status_code == 303
    with store.transaction() as session:
        entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        changed = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password"))
    assert entry.action == "web.sign_in"
    assert (changed.actor, changed.details) == ("siti", {"sessions_ended": 2})


def test_deactivation_ends_the_sessions_at_once(web, store, clock):
    c = browser(web)
    sign_in(c, "siti")
    with store.transaction() as session:
        assert set_active(session, "siti", False, clock=clock, actor="rina") == 1
        reasons = session.scalars(sa.select(WebSession.end_reason)).all()
    assert reasons == ["deactivated"]
    assert not signed_in(c)
    assert sign_in(browser(web), "siti").status_code == 401


def _cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(name + "="))


def test_session_cookie_is_http_only_and_secure_when_asked(web, settings):
    c = browser(web)
    plain = _cookie_header(sign_in(c, "siti"), "amanah_session").lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    settings.security.secure_cookies = True  # a TLS proxy in front speaks http to us
    proxied = browser(web)
    form = proxied.get("/login")
    assert "; secure" in _cookie_header(form, "amanah_login_csrf").lower()
    token = form.cookies.get("amanah_login_csrf")
    r = proxied.post(
        "/login",
        data={"username": "siti", "password": PASSWORDS["siti"], "csrf": token},
        headers={"cookie": f"amanah_login_csrf={token}"},  # the client keeps Secure ones for TLS
    )
    assert "; secure" in _cookie_header(r, "amanah_session").lower()


def test_session_cookie_is_secure_over_tls(web):
    c = browser(web, base_url="https://testserver")
    r = sign_in(c, "siti")
    assert "; secure" in _cookie_header(r, "amanah_session").lower()
    assert "; secure" in _cookie_header(c.get("/login"), "amanah_login_csrf").lower()


@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789abcdef"])
def test_the_sign_in_form_refuses_a_missing_or_forged_csrf_token(web, token):
    c = browser(web)
    login_csrf(c)  # the browser holds the form's cookie; the attacker's page does not know it
    data = {"username": "siti", "password": PASSWORDS["siti"]}
    if token is not None:
        data["csrf"] = token
    r = c.post("/login", data=data)
    assert r.status_code == 403
    assert "The form has expired" in r.text
    assert "amanah_session" not in r.cookies


def test_a_cross_site_sign_in_without_the_form_cookie_is_refused(web):
    c = browser(web)
    token = login_csrf(browser(web))  # a token from someone else's form
    r = c.post("/login", data={"username": "siti", "password": PASSWORDS["siti"], "csrf": token})
    assert r.status_code == 403


def test_signing_in_again_ends_the_browsers_previous_session(web, store):
    c = browser(web)
    sign_in(c, "siti")
    first = c.cookies.get("amanah_session")
    sign_in(c, "budi")
    assert c.cookies.get("amanah_session") != first
    old = browser(web)
    old.cookies.set("amanah_session", first)
    assert not signed_in(old)
    with store.transaction() as session:
        reasons = session.scalars(sa.select(WebSession.end_reason)).all()
    assert sorted(reasons, key=str) == [None, "replaced"]
