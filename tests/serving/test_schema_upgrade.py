"""Migrations run only through ``risk db upgrade``; a store behind says so and what to type."""

from __future__ import annotations

import pytest
from serving_helpers import make_client
from typer.testing import CliRunner

from risk.cli import app
from risk.errors import SchemaBehindError
from risk.settings import Settings
from serving import create_app
from serving.store import Store, upgrade
from serving.store._store import schema_revisions


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A SQLite file with no schema, named by the environment as a deployment names it."""
    url = f"sqlite:///{tmp_path / 'amanah.db'}"
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", url)
    return url


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_command_on_a_store_without_schema_says_to_upgrade_and_migrates_nothing(fresh):
    result = _run("users", "add", "dewi", "--role", "officer", "--password", "teal-harbour-41-x")
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        f"error: the store at {fresh} has no schema yet; run 'risk db upgrade' to create it"
    )
    store = Store(fresh)
    assert schema_revisions(store.engine)[0] is None  # nothing migrated behind the user's back
    assert _run("db", "upgrade").exit_code == 0
    current, head = schema_revisions(store.engine)
    store.dispose()
    assert current == head
    assert (
        _run(
            "users", "add", "dewi", "--role", "officer", "--password", "teal-harbour-41-x"
        ).exit_code
        == 0
    )


def test_a_store_behind_names_both_revisions(fresh):
    store = Store(fresh)
    upgrade(store.engine, "0009")
    head = schema_revisions(store.engine)[1]
    with pytest.raises(SchemaBehindError) as err:
        store.check_schema()
    store.dispose()
    assert err.value.status_code == 503
    assert err.value.message == (
        f"the store at {fresh} has schema revision 0009, but this version of Amanah"
        f" needs {head}; back it up, then run 'risk db upgrade'"
    )
    result = _run("serve")  # refused before the server starts
    assert result.exit_code == 1
    assert "has schema revision 0009" in " ".join(result.output.split())


def test_the_service_refuses_to_start_on_a_store_without_schema(tmp_path):
    settings = Settings(data_dir=tmp_path)
    service = create_app(settings, load_model=False)
    with (
        pytest.raises(SchemaBehindError, match="has no schema yet; run 'risk db upgrade'"),
        make_client(service),
    ):
        pass
