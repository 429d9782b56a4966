"""A training run in MLflow: every artifact, parameters, tags, metrics, model, version."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from markupsafe import escape
from sklearn.metrics import average_precision_score, roc_auc_score

from experiments import champion_bundle_dir, client_for, log_training_run
from risk.errors import ConfigError

MODEL_FILES = {
    "MLmodel",
    "conda.yaml",
    "input_example.json",
    "model.lgb",
    "python_env.yaml",
    "registered_model_meta",
    "requirements.txt",
    "serving_input_example.json",
}


def _all_artifacts(client, run_id: str, path: str | None = None) -> set[str]:
    out = set()
    for item in client.list_artifacts(run_id, path):
        out |= _all_artifacts(client, run_id, item.path) if item.is_dir else {item.path}
    return out


def test_run_holds_exactly_the_listed_artifacts(logged, trained):
    settings, info = logged
    client = client_for(settings)
    top = [name for name, _ in trained.global_explanation.ranking()[:3]]
    expected = {
        "bundle/bundle.json",
        "bundle/model.txt",
        "bundle/reference.json",
        "catalogue/features.json",
        "catalogue/features.md",
        "explanations/bar.png",
        "explanations/beeswarm.png",
        *(f"explanations/dependence_{name}.png" for name in top),
        "fairness/report.html",
        "fairness/report.json",
        "fairness/label_bias.json",
        "fairness/proxy.json",
        "model_card/model_card.html",
        "model_card/model_card.json",
        "model_card/model_card.md",
        "performance.json",
        "report/oversight_report.html",
    }
    assert _all_artifacts(client, info.run_id) == expected


def test_model_is_logged_with_the_lightgbm_flavour(logged, trained, tmp_path):
    import mlflow
    import mlflow.lightgbm

    _, info = logged
    local = Path(mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(tmp_path)))
    assert {p.name for p in local.iterdir()} == MODEL_FILES
    meta = mlflow.models.get_model_info(info.model_uri)
    assert "lightgbm" in meta.flavors
    assert meta.signature.inputs.input_names() == trained.bundle.feature_names
    example = json.loads((local / "input_example.json").read_text())
    assert example["columns"] == trained.bundle.feature_names
    booster = mlflow.lightgbm.load_model(info.model_uri)
    rows = np.asarray(trained.global_explanation.data[:50])
    assert np.allclose(booster.predict(rows), trained.bundle.booster.predict(rows))


def test_run_records_params_tags_and_metrics(logged, trained):
    settings, info = logged
    run = client_for(settings).get_run(info.run_id)
    params, tags, metrics = run.data.params, run.data.tags, run.data.metrics
    assert params["model.learning_rate"] == str(settings.model.learning_rate)
    assert params["model.num_leaves"] == "7"
    assert params["review.capacity"] == str(settings.review.capacity)
    assert params["splits.test.rows"] == str(trained.splits["test"]["rows"])
    assert tags["trained_by"] == "ana"
    assert tags["data_fingerprint"] == trained.bundle.meta["data_fingerprint"]
    # Others commit to this checkout while tests run: the recorded commit must be HEAD
    # then, so an ancestor of (or equal to) HEAD now.
    ancestor = subprocess.run(
        ["git", "merge-base", "--is-ancestor", tags["git_commit"], "HEAD"],
        cwd=Path(__file__).parent,
        check=False,
    )
    assert len(tags["git_commit"]) == 40 and ancestor.returncode == 0
    assert tags["fairness_verdict"] == "fail"
    assert metrics["model.pr_auc"] == pytest.approx(trained.metrics["model"]["pr_auc"])
    assert metrics["gate.pr_auc"] == pytest.approx(trained.metrics["model"]["pr_auc"])
    assert metrics["gate.precision_at_capacity"] == pytest.approx(
        trained.metrics["model"]["precision_at_capacity"]
    )
    assert metrics["fairness.pass"] == 0.0
    assert "fairness.sex.flag_rate.min_ratio" in metrics


def test_performance_summary_matches_sklearn(logged, trained, tmp_path):
    settings, info = logged
    got = client_for(settings).download_artifacts(info.run_id, "performance.json", str(tmp_path))
    perf = json.loads(Path(got).read_text())
    test = trained.test_frame
    y, p, f = test["label"].to_numpy(), test["score"].to_numpy(), test["flag"].to_numpy()
    assert perf["pr_auc"] == pytest.approx(average_precision_score(y, p))
    assert perf["roc_auc"] == pytest.approx(roc_auc_score(y, p))
    assert perf["precision_at_capacity"] == pytest.approx(y[f].mean())
    assert perf["flagged"] == int(f.sum())
    assert sum(b["count"] for b in perf["calibration"]) == test.height


def test_version_is_registered_as_challenger(logged):
    settings, info = logged
    client = client_for(settings)
    name = settings.mlflow.registered_model
    assert info.version == "1"
    challenger = client.get_model_version_by_alias(name, "challenger")
    assert (str(challenger.version), challenger.run_id) == ("1", info.run_id)
    assert challenger.tags["trained_by"] == "ana"
    assert champion_bundle_dir(settings) is None


def test_fairness_report_covers_the_protected_attributes(logged, trained, tmp_path):
    settings, info = logged
    got = client_for(settings).download_artifacts(info.run_id, "fairness", str(tmp_path))
    report = json.loads((Path(got) / "report.json").read_text())
    assert set(report["attributes"]) == {"nationality", "sex", "age_band", "marital_status"}
    assert report["verdict"] == "fail"
    assert report["attributes"]["sex"]["verdict"] == "fail"
    proxy = json.loads((Path(got) / "proxy.json").read_text())
    assert "sex" in json.dumps(proxy)
    bias = json.loads((Path(got) / "label_bias.json").read_text())
    test = trained.test_frame
    for sex in ("F", "M"):
        rows = test.filter(pl.col("sex") == sex)
        row = bias["attributes"]["sex"][sex]
        assert row["n"] == rows.height
        assert row["investigated"] == int(rows["investigated"].sum())
        assert row["confirmed"] == int(rows["label"].sum())


def test_model_card_has_every_section(logged, tmp_path):
    from models._train import TABLE_LABEL_POLICY

    settings, info = logged
    got = client_for(settings).download_artifacts(info.run_id, "model_card", str(tmp_path))
    md = (Path(got) / "model_card.md").read_text()
    sections = [
        "## Intended use",
        "## Not for",
        "## Data",
        "## Metrics (test split)",
        "## Fairness",
        "## Label bias",
        "## Limitations",
    ]
    positions = [md.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "Verdict: **fail**" in md
    assert TABLE_LABEL_POLICY in md
    assert "Trained by: ana" in md
    html = (Path(got) / "model_card.html").read_text()
    assert "<h3>Label bias</h3>" in html and escape(TABLE_LABEL_POLICY) in html


@pytest.mark.parametrize("who", ["", "   "])
def test_empty_trainer_is_refused(settings, trained, who):
    with pytest.raises(ConfigError, match="trained_by is empty"):
        log_training_run(trained, settings=settings, data_dir=settings.data_dir, trained_by=who)
