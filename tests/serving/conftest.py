"""Serving fixtures: a store on SQLite and on PostgreSQL, users of every role, a client.

PostgreSQL tests use one database per xdist worker and process
(``amanah_test_<worker>_<pid>``, so two test runs on one machine never share one), created
and migrated once, emptied between tests, dropped at the end.  If the server is
unreachable they fail with a clear message rather than skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from serving_helpers import CLOCK_START, _empty, _point, _users, make_client

from risk.settings import Settings
from serving.store import Store

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _worker(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this worker."""
    name = f"amanah_test_{_worker(request)}_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc.orig}); start it"
            " (scripts/setup.sh does) - the store must be tested on PostgreSQL",
            pytrace=False,
        )
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    store = Store(url)
    store.upgrade()
    store.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "amanah.db"
    s = Store(f"sqlite:///{path}")
    s.upgrade()
    s.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _fresh_store(request: pytest.FixtureRequest, directory: Path) -> Store:
    if request.param == "sqlite":
        path = directory / "amanah.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return Store(f"sqlite:///{path}")
    s = Store(request.getfixturevalue("pg_url"))
    _empty(s)
    return s


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    """An empty, migrated store on each backend."""
    s = _fresh_store(request, tmp_path)
    yield s
    s.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def module_store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    """Like :func:`store`, shared by a module's tests (for read-mostly tests)."""
    s = _fresh_store(request, tmp_path_factory.mktemp("module"))
    yield s
    s.dispose()


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings with a scratch data directory and no model source."""
    s = Settings(data_dir=tmp_path)
    s.serving.model_source = "none"
    s.review.blind_sample_rate = 0.0
    return s


@pytest.fixture
def tokens(store: Store) -> dict[str, str]:
    """One user per role (named after the role, plus ``officer2``) and their API tokens."""
    return _users(store)


@pytest.fixture(scope="module")
def module_tokens(module_store: Store) -> dict[str, str]:
    """:func:`tokens` on the module's store."""
    return _users(module_store)


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory):
    """One app and started client for the session (building FastAPI routes is slow).

    Tests point it at their own store, settings and model holder through ``app.state``,
    which is where every dependency reads them from.
    """
    from serving import create_app

    root = tmp_path_factory.mktemp("shared_app")
    s = Settings(data_dir=root)
    s.serving.model_source = "none"
    store = Store(f"sqlite:///{root / 'startup.db'}")
    store.upgrade()  # as `risk db upgrade` does: the service never migrates by itself
    app = create_app(s, store=store, seed=7)
    with make_client(app) as client:
        yield app, client
    store.dispose()


@pytest.fixture
def app(shared_app, store: Store, settings: Settings):
    """The service on the test store, with no model loaded."""
    return _point(shared_app, store, settings)[0]


@pytest.fixture
def client(shared_app, store, settings, tokens):
    """A client of the service on the test store (no model; tokens exist)."""
    return _point(shared_app, store, settings)[1]


@pytest.fixture
def module_client(shared_app, module_store: Store, module_tokens, tmp_path_factory):
    """A client of the service on the module's store, no model loaded."""
    s = Settings(data_dir=tmp_path_factory.mktemp("data"))
    s.serving.model_source = "none"
    return _point(shared_app, module_store, s)[1]


# --- a small world and model, built once per session -------------------------------

#: Applications submitted from this instant on are "new" and scored through the API.
CUTOFF = "2023-12-01T00:00:00"


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> dict:
    """A 3000-application synthetic world, a model trained on it, and new payloads."""
    import datetime as dt

    import polars as pl

    from models._world import train_world
    from risk.io import load_tables
    from risk.settings import ModelSettings
    from risk.synth import synthesize

    root = tmp_path_factory.mktemp("world")
    synthesize(3000, 7, root / "world", years=1)
    fast = Settings(
        model=ModelSettings(
            num_threads=1,
            max_rounds=60,
            learning_rate=0.1,
            early_stopping_rounds=10,
            min_data_in_leaf=20,
        )
    )
    bundle_dir = train_world(root / "world", settings=fast).bundle.save(root / "bundle")
    tables = load_tables(root / "world")
    cutoff = dt.datetime.fromisoformat(CUTOFF)
    new = (
        tables.applications.filter(pl.col("submitted_at") >= cutoff).sort("submitted_at").collect()
    )
    docs = tables.documents.collect()
    payloads = [
        {
            "application": app,
            "documents": docs.filter(pl.col("application_id") == app["application_id"]).to_dicts(),
        }
        for app in new.head(40).to_dicts()
    ]
    return {
        "dir": root / "world",
        "bundle": Path(bundle_dir),
        "cutoff": cutoff,
        "payloads": payloads,
    }


@pytest.fixture(scope="session")
def holder(world):
    """A model holder with the session's bundle loaded."""
    from serving.services import ModelHolder

    s = Settings()
    s.serving.model_source = "bundle"
    s.serving.bundle_path = world["bundle"]
    h = ModelHolder(s)
    h.load_configured()
    assert h.loaded, h.last_error
    return h


@pytest.fixture
def scoring_client(shared_app, store, settings, holder, tokens):
    """A client of the service on the test store with the session's model loaded."""
    return _point(shared_app, store, settings, holder)[1]


@pytest.fixture
def sim_clock():
    """A simulated clock at :data:`CLOCK_START`, moved only by the test."""
    import datetime as dt

    from risk.clock import SimulatedClock

    return SimulatedClock(dt.datetime.fromisoformat(CLOCK_START))


@pytest.fixture
def clocked_client(shared_app, store, settings, holder, tokens, sim_clock):
    """:func:`scoring_client` on the simulated clock ``sim_clock``."""
    return _point(shared_app, store, settings, holder, sim_clock)[1]
