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


def train_other_catalogue(root: Path):
    """A model on a dataset spec whose features are partly outside the world's catalogue
    (``employer_score`` and ``region`` are not world features)."""
    import datetime as dt

    import numpy as np
    import polars as pl

    from models import load_bundle, train_table
    from risk.settings import ModelSettings

    rng = np.random.default_rng(3)
    n = 400
    stay = rng.integers(1, 90, n).astype(float)
    employer = rng.normal(size=n)
    table = pl.DataFrame(
        {
            "case_id": [f"C{i}" for i in range(n)],
            "submitted_at": [dt.datetime(2024, 1, 1) + dt.timedelta(hours=i) for i in range(n)],
            "violation": (rng.random(n) < 1 / (1 + np.exp(2 - employer))).astype(int),
            "intended_stay_days": stay,
            "employer_score": employer,
            "region": rng.choice(["north", "south"], n),
        }
    )
    table.write_parquet(root / "t.parquet")
    (root / "spec.toml").write_text(
        '[dataset]\nid = "case_id"\ntime = "submitted_at"\nlabel = "violation"\n'
        'categorical = ["region"]\n'
        'features = ["intended_stay_days", "employer_score", "region"]\n'
    )
    fast = Settings(model=ModelSettings(num_threads=1, max_rounds=20, min_data_in_leaf=10))
    result = train_table(root / "t.parquet", root / "spec.toml", settings=fast)
    return load_bundle(result.bundle.save(root / "bundle"))


def score_payloads(client, tokens, payloads) -> list[dict]:
    """Score payloads through the API as an officer; the answers."""
    from serving_helpers import as_json, auth

    return [
        client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(p)
        ).json()
        for p in payloads
    ]
