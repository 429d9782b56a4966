"""Web fixtures: one small world, model and seeded store per session, and the app on it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_world import (
    INDONESIAN_USERS,
    WORLD_SIZE,
    WebWorld,
    fast_settings,
    seed_store,
    train_bundle,
)

from risk.clock import WallClock


@pytest.fixture(scope="session")
def web_world(tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    """A synthetic world, a model trained on it and a SQLite store seeded through the services."""
    from risk.synth import synthesize
    from serving import ModelHolder, Store

    root = tmp_path_factory.mktemp("web")
    world_dir = root / "world"
    synthesize(WORLD_SIZE, 5, world_dir, start="2023-01-01", years=2)
    settings = fast_settings(root / "data")
    bundle = train_bundle(world_dir, settings)
    store = Store(settings.database_url)
    store.upgrade()
    world = seed_store(store, world_dir, bundle, settings)
    holder = ModelHolder(settings)
    holder._bundle, holder._source = bundle, "test"  # the session's model, already loaded
    world.holder = holder
    return world


@pytest.fixture(scope="session")
def web_app(web_world: WebWorld):
    """The service with the pages, on the seeded store."""
    from serving import create_app

    return create_app(
        web_world.settings,
        store=web_world.store,
        model_holder=web_world.holder,
        load_model=False,
        seed=7,
    )


def make_client(app):
    """A TestClient that answers redirects and errors as a browser would see them."""
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


@pytest.fixture(scope="session")
def client_factory(web_app):
    """Make a client signed in as a given user (each with its own cookie jar)."""
    from web_world import sign_in

    clients = []

    def _make(username: str | None = None):
        c = make_client(web_app)
        c.__enter__()
        clients.append(c)
        if username:
            r = sign_in(c, username)
            assert r.status_code == 303, r.text
        return c

    yield _make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Where browser screenshots go (git-ignored)."""
    path = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def decided_case(web_world) -> int:
    """A flagged case with a decision (claimed and decided by officer2 through the service)."""
    from complaint_helpers import principal

    from serving.services import claim_case, decide_case
    from serving.store import Case

    case_id = web_world.case_ids[9]
    who = principal(web_world, "officer2")
    with web_world.store.transaction() as session:
        if session.get(Case, case_id).status != "decided":
            claim_case(session, who, case_id, clock=WallClock())
            decide_case(
                session,
                who,
                case_id,
                outcome="no_violation",
                violation_types=[],
                reason="Employer letter verified.",
                clock=WallClock(),
            )
    return case_id


@pytest.fixture
def unrated_case(web_world) -> int:
    """A flagged case decided just now through the service, with no rating yet.

    Each call takes a fresh case beyond the ten that other tests name by index, so a
    test that records a rating never depends on which test ran first.
    """
    from complaint_helpers import principal

    from serving.services import claim_case, decide_case
    from serving.store import Case

    who = principal(web_world, "officer2")
    with web_world.store.transaction() as session:
        spare = [c for c in web_world.case_ids[10:] if session.get(Case, c).status == "open"]
        if not spare:
            raise AssertionError("the web world has no open case left: raise SCORED")
        claim_case(session, who, spare[0], clock=WallClock())
        decide_case(
            session,
            who,
            spare[0],
            outcome="no_violation",
            violation_types=[],
            reason="Return ticket and funds verified.",
            clock=WallClock(),
        )
    return spare[0]


@pytest.fixture(scope="session")
def indonesian_client(web_world, client_factory):
    """Make a client signed in as an Indonesian-language user of ``role``."""
    from web_world import sign_in

    from serving.services import create_user
    from serving.web._session import store_lang

    with web_world.store.transaction() as session:
        for name, (role, password) in INDONESIAN_USERS.items():
            user = create_user(session, name, role, password=password, clock=WallClock())
            store_lang(session, user.user_id, "id", WallClock().now())
    by_role = {role: (name, password) for name, (role, password) in INDONESIAN_USERS.items()}

    def _make(role: str):
        name, password = by_role[role]
        c = client_factory()
        assert sign_in(c, name, password).status_code == 303
        return c

    return _make


# -- browser fixtures: Debian's chromium driven by playwright, the app under uvicorn --

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_url(web_app) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start within 30 s", pytrace=False)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_url):
    """Open a page in a fresh context (its own cookies) at 1280 px, or at tablet width."""
    contexts = []

    def _open(width: int = 1280, height: int = 900):
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
