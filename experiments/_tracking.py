"""The connection to MLflow: tracking URI, artifact root, experiments, a quiet client.

Tracking defaults to a SQLite store and a local artifact folder under the data
directory (``Settings.tracking_uri`` and ``Settings.artifact_root``); a team points
``RISK_MLFLOW__TRACKING_URI`` at its own server instead.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from risk.errors import ConfigError
from risk.files import private_dir, private_file
from risk.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

__all__ = ["PROMOTIONS_EXPERIMENT_SUFFIX", "client_for", "experiment_id"]

#: The promotions log lives in its own experiment: ``<experiment>-promotions``.
PROMOTIONS_EXPERIMENT_SUFFIX = "-promotions"


@lru_cache(maxsize=1)
def _quiet_mlflow() -> None:
    """Keep MLflow quiet and offline, once per process.

    MLflow 3 sends usage telemetry over the network unless told not to and draws
    tqdm bars on every artifact download; it reads both switches only from the
    environment.  This is the one place Amanah *sets* (never reads) environment
    variables, before MLflow is imported.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    import mlflow  # noqa: F401  (imported after the switch above, on purpose)

    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` tracking URI (None otherwise)."""
    if not uri.startswith("sqlite:///") or uri.endswith(":memory:"):
        return None
    return Path(uri.removeprefix("sqlite:///").split("?")[0])


def _is_local(uri: str) -> bool:
    return uri.startswith("sqlite:") or uri.startswith("file:") or "://" not in uri


def client_for(settings: Settings) -> MlflowClient:
    """A client bound to the settings' tracking and registry store.

    Parameters
    ----------
    settings
        Amanah settings; ``settings.tracking_uri`` names the store.

    Returns
    -------
    mlflow.MlflowClient
        A client whose tracking and registry URIs are the settings' URI.  The
        process-wide fluent API (``mlflow.start_run``) is pointed there too.
    """
    _quiet_mlflow()
    import mlflow
    from mlflow import MlflowClient

    uri = settings.tracking_uri
    database = _sqlite_file(uri)
    if database is not None:
        private_file(database)  # 0600 before MLflow creates it: it holds the registry
        private_dir(settings.artifact_root)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(client: MlflowClient, settings: Settings, *, suffix: str = "") -> str:
    """The id of the settings' experiment (plus ``suffix``), created on first use.

    With a local store, artifacts go under ``settings.artifact_root``; a remote
    server keeps its own artifact root.
    """
    name = settings.mlflow.experiment + suffix
    found = client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage != "active":
            raise ConfigError(
                f"MLflow experiment {name!r} at {settings.tracking_uri} is deleted; restore it"
                " or set RISK_MLFLOW__EXPERIMENT to another name"
            )
        return found.experiment_id
    location = None
    if _is_local(settings.tracking_uri):
        root = private_dir(settings.artifact_root / name)
        location = root.as_uri()
    return client.create_experiment(name, artifact_location=location)
