"""The model registry: versions of the registered model, aliases, the champion's bundle."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models import model_name
from risk.errors import ModelUnavailableError, NotFoundError
from risk.settings import Settings

from ._tracking import client_for

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "alias_version",
    "champion_bundle",
    "champion_bundle_dir",
    "champion_version",
    "get_version",
    "list_versions",
    "register_version",
    "registry_exists",
    "version_bundle_dir",
]

CHAMPION = "champion"
CHALLENGER = "challenger"


def registry_exists(settings: Settings) -> bool:
    """Whether a model registry exists (so that reading one never creates an empty store)."""
    return bool(settings.mlflow.tracking_uri) or (settings.data_dir / "mlflow.db").exists()


def register_version(
    client: MlflowClient, settings: Settings, *, model_uri: str, run_id: str, model_id: str | None
) -> str:
    """Register the run's logged model as a new version and make it the challenger.

    Returns
    -------
    str
        The new version number.
    """
    from mlflow.exceptions import MlflowException

    name = settings.mlflow.registered_model
    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(
            name, description="Amanah risk-triage model: flags applications for officer review."
        )
    mv = client.create_model_version(name, source=model_uri, run_id=run_id, model_id=model_id)
    client.set_registered_model_alias(name, CHALLENGER, mv.version)
    return str(mv.version)


def get_version(client: MlflowClient, settings: Settings, version: str | int) -> ModelVersion:
    """One version of the registered model.

    Raises
    ------
    NotFoundError
        If the registered model or that version does not exist.
    """
    from mlflow.exceptions import MlflowException

    name = settings.mlflow.registered_model
    try:
        return client.get_model_version(name, str(version))
    except MlflowException as exc:
        raise NotFoundError(
            f"model {name!r} has no version {version!r} in {settings.tracking_uri}"
        ) from exc


def alias_version(client: MlflowClient, settings: Settings, alias: str) -> ModelVersion | None:
    """The version holding ``alias``, or ``None`` when no version holds it."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(settings.mlflow.registered_model, alias)
    except MlflowException:
        return None


def bundle_fingerprint(client: MlflowClient, mv: ModelVersion) -> str:
    """The version's bundle fingerprint (a version tag; older versions: their run's tag)."""
    found = mv.tags.get("bundle_fingerprint")
    if found is None and mv.run_id:
        found = client.get_run(mv.run_id).data.tags.get("bundle_fingerprint")
    return found or ""


def champion_version(settings: Settings) -> str | None:
    """The registered version holding the ``champion`` alias (one cheap registry read)."""
    mv = alias_version(client_for(settings), settings, CHAMPION)
    return None if mv is None else str(mv.version)


def list_versions(settings: Settings) -> list[dict[str, Any]]:
    """Every version of the registered model, newest first, with aliases and key tags.

    Each row's ``name`` is the model's one name everywhere: ``"v2 (2579f6f8)"``
    (registry version and short bundle fingerprint, see :func:`models.model_name`).
    """
    client = client_for(settings)
    name = settings.mlflow.registered_model
    found = client.search_model_versions(f"name = '{name}'")
    if not found:
        return []
    # Search results do not carry aliases; the registered model has the map.
    held: dict[str, list[str]] = {}
    for alias, version in client.get_registered_model(name).aliases.items():
        held.setdefault(str(version), []).append(alias)
    rows = []
    for mv in sorted(found, key=lambda m: int(m.version), reverse=True):
        fingerprint = bundle_fingerprint(client, mv)
        rows.append(
            {
                "version": str(mv.version),
                "fingerprint": fingerprint,
                "name": model_name(fingerprint, mv.version) if fingerprint else f"v{mv.version}",
                "run_id": mv.run_id,
                "aliases": sorted(held.get(str(mv.version), [])),
                "created": mv.creation_timestamp,
                "trained_by": mv.tags.get("trained_by"),
                "fairness_verdict": mv.tags.get("fairness_verdict"),
                "promotion": mv.tags.get("promotion.result"),
            }
        )
    return rows


def champion_bundle_dir(settings: Settings) -> Path | None:
    """The champion's model bundle, downloaded once into a local cache.

    Parameters
    ----------
    settings
        Tracking store and registered model name; the cache lives under
        ``settings.data_dir / "cache" / "champion"``.

    Returns
    -------
    pathlib.Path or None
        The bundle folder (``model.txt``, ``bundle.json``), or ``None`` when no
        version holds the ``champion`` alias.

    Raises
    ------
    ModelUnavailableError
        The champion's run has no bundle artifact, or it cannot be downloaded.
    """
    found = champion_bundle(settings)
    return None if found is None else found[1]


def champion_bundle(settings: Settings) -> tuple[str, Path] | None:
    """The champion's registry version and bundle folder (see :func:`champion_bundle_dir`)."""
    client = client_for(settings)
    mv = alias_version(client, settings, CHAMPION)
    if mv is None:
        return None
    return str(mv.version), _bundle_dir(client, settings, mv, "champion")


def version_bundle_dir(settings: Settings, version: str | int) -> Path:
    """The bundle folder of any registered version, downloaded once into a local cache.

    Raises
    ------
    NotFoundError
        No such version.
    ModelUnavailableError
        Its run has no bundle artifact, or it cannot be downloaded.
    """
    client = client_for(settings)
    return _bundle_dir(client, settings, get_version(client, settings, version), "versions")


def _bundle_dir(client: MlflowClient, settings: Settings, mv: ModelVersion, kind: str) -> Path:
    cache = settings.data_dir.resolve() / "cache" / kind
    who = "champion version" if kind == "champion" else "version"
    target = cache / f"{settings.mlflow.registered_model}-v{mv.version}-{mv.run_id}"
    if (target / "bundle.json").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        try:
            got = Path(client.download_artifacts(mv.run_id, "bundle", tmp))
        except Exception as exc:  # MLflow raises several types for a missing artifact
            raise ModelUnavailableError(
                f"{who} {mv.version} (run {mv.run_id}): cannot download its 'bundle'"
                f" artifact: {exc}"
            ) from exc
        if not (got / "bundle.json").is_file():
            raise ModelUnavailableError(
                f"{who} {mv.version} (run {mv.run_id}): artifact 'bundle' has no bundle.json"
            )
        shutil.move(str(got), target)
    return target
