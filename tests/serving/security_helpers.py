"""Helpers and fixtures of the security tests: a settable clock, users, a browser-like client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from serving_helpers import _point

import risk.clock
from serving.services import create_user

PASSWORDS = {"siti": "teal-harbour-41", "budi": "slate-meadow-63", "rina": "amber-orchid-52"}
ROLES_OF = {"siti": "officer", "budi": "supervisor", "rina": "admin"}


class Clock(risk.clock.Clock):
    """A settable clock (naive UTC), injected as the app's; it may also step back."""

    def __init__(self) -> None:
        self.instant = dt.datetime(2026, 12, 1, 8, 0)

    def now(self) -> dt.datetime:
        return self.instant

    def advance(self, **delta: float) -> None:
        self.instant += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(shared_app, store, settings, clock):
    """The app on the test store with a settable clock; users siti, budi and rina."""
    app, _ = _point(shared_app, store, settings)
    before = app.state.clock
    app.state.clock = clock
    with store.transaction() as session:
        for name, password in PASSWORDS.items():
            create_user(session, name, ROLES_OF[name], password=password, clock=clock)
    yield app
    app.state.clock = before


def browser(app, base_url: str = "http://testserver") -> TestClient:
    """A client with its own cookie jar that does not follow redirects."""
    return TestClient(app, base_url=base_url, follow_redirects=False)


def login_csrf(client: TestClient) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def sign_in(client: TestClient, username: str, password: str | None = None):
    data = {
        "username": username,
        "password": PASSWORDS.get(username, "") if password is None else password,
        "csrf": login_csrf(client),
    }
    return client.post("/login", data=data)
