"""Helpers for the evidence tests: a registry holding given bundles, the CLI on a store."""

from __future__ import annotations

from pathlib import Path

from risk.settings import Settings


def register_bundle(settings: Settings, bundle_dir: Path) -> str:
    """Register ``bundle_dir`` as a new version (its own MLflow run with a ``bundle``
    artifact, as a training run logs it) and return the version number."""
    from experiments._registry import register_version
    from experiments._tracking import client_for, experiment_id
    from models import load_bundle

    client = client_for(settings)
    run = client.create_run(experiment_id(client, settings))
    run_id = run.info.run_id
    client.log_artifacts(run_id, str(bundle_dir), "bundle")
    client.set_tag(run_id, "bundle_fingerprint", load_bundle(bundle_dir).fingerprint)
    client.set_terminated(run_id)
    return register_version(
        client, settings, model_uri=f"runs:/{run_id}/bundle", run_id=run_id, model_id=None
    )
