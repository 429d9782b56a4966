"""The store, the MLflow store and everything the ``risk`` command writes are the owner's
only: files 0600, folders 0700 (they were 0644 and 0755)."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from risk.files import PRIVATE_UMASK, private_dir, private_file
from risk.settings import Settings
from serving.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """Run under the common default umask (022), restoring the test process's afterwards."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_sqlite_store_and_its_wal_are_the_owners_only(tmp_path, open_umask):
    path = tmp_path / "new" / "folder" / "amanah.db"
    store = Store(f"sqlite:///{path}")
    try:
        store.upgrade()
        with store.engine.begin() as conn:  # a write, so the WAL and its index exist
            conn.exec_driver_sql("UPDATE audit_head SET seq = seq")
        modes = {p.name: _mode(p) for p in path.parent.iterdir()}
    finally:
        store.dispose()
    assert modes == {"amanah.db": 0o600, "amanah.db-wal": 0o600, "amanah.db-shm": 0o600}
    assert (_mode(path.parent), _mode(path.parent.parent)) == (0o700, 0o700)


def test_an_existing_world_readable_store_is_tightened(tmp_path, open_umask):
    path = tmp_path / "amanah.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    Store(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_private_dir_leaves_existing_folders_alone(tmp_path, open_umask):
    os.chmod(tmp_path, 0o755)
    made = private_dir(tmp_path / "a" / "b")
    assert (_mode(tmp_path), _mode(tmp_path / "a"), _mode(made)) == (0o755, 0o700, 0o700)
    key = private_file(made / "audit.key")
    assert (_mode(key), key.read_bytes()) == (0o600, b"")
    key.write_bytes(b"secret")
    assert private_file(key).read_bytes() == b"secret"  # never truncated


def test_the_risk_command_creates_everything_owner_only(tmp_path, monkeypatch, open_umask):
    from risk.cli import app

    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RISK_SERVING__DATABASE_URL", raising=False)
    from risk.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert os.umask(0o022) == PRIVATE_UMASK  # what the verb left in force
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "amanah.db") == 0o600
    get_settings.cache_clear()


@pytest.mark.slow
def test_the_local_mlflow_store_is_the_owners_only(tmp_path, open_umask):
    from experiments._tracking import client_for, experiment_id

    settings = Settings(data_dir=tmp_path / "data")
    client = client_for(settings)
    experiment_id(client, settings)
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(tmp_path / "data" / "mlflow.db") == 0o600
    assert _mode(settings.artifact_root) == 0o700
    assert _mode(settings.artifact_root / settings.mlflow.experiment) == 0o700
