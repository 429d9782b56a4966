"""One MLflow run per training: parameters, metrics, model, evidence, model card, version."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from risk.errors import ConfigError
from risk.settings import Settings

from ._artifacts import flatten, git_commit, numeric_only, performance_summary
from ._card import ModelCard
from ._fairness import FairnessEvidence, training_fairness_report
from ._model import catalogue_files, log_lightgbm
from ._promotion import GATE_METRICS
from ._registry import register_version
from ._tracking import client_for, experiment_id

__all__ = ["RunInfo", "log_training_run"]


@dataclass(frozen=True)
class RunInfo:
    """Where a training run went.

    Attributes
    ----------
    run_id, experiment_id
        The MLflow run and its experiment.
    version
        The registered model version (it holds the ``challenger`` alias).
    model_uri
        The logged LightGBM model (``models:/...``).
    fairness_verdict
        ``"pass"`` or ``"fail"``.
    report_path
        The oversight report logged with the run, or ``None`` when not built.
    """

    run_id: str
    experiment_id: str
    version: str
    model_uri: str
    fairness_verdict: str
    report_path: Path | None = None


def _params(result: Any, settings: Settings, meta: dict[str, Any]) -> dict[str, Any]:
    params = flatten(settings.model.model_dump(), prefix="model.")
    params.update(flatten(settings.split.model_dump(), prefix="split."))
    params["review.capacity"] = settings.review.capacity
    params["review.high_band_share"] = settings.review.high_band_share
    for key in ("seed", "catalogue_hash", "best_iteration", "num_trees"):
        if key in meta:
            params[f"bundle.{key}"] = meta[key]
    params["features.count"] = len(meta.get("features", []))
    splits = getattr(result, "splits", None)
    if isinstance(splits, dict):
        params.update(flatten(splits, prefix="splits."))
    return {k: str(v)[:6000] for k, v in params.items()}


def _stage(result: Any, evidence: FairnessEvidence, out: Path, plots: bool) -> dict[str, Any]:
    """Write every file the run logs under ``out``; returns the bundle manifest."""
    result.bundle.save(out / "bundle")
    meta = json.loads((out / "bundle" / "bundle.json").read_text(encoding="utf-8"))
    catalogue_files(result.bundle, out / "catalogue")
    evidence.write(out / "fairness")
    frame = result.test_frame
    perf = performance_summary(
        frame["label"].to_list(), frame["score"].to_numpy(), frame["flag"].to_numpy()
    )
    (out / "performance.json").write_text(json.dumps(perf, indent=2), encoding="utf-8")
    if plots:
        (out / "explanations").mkdir()
        result.global_explanation.save_plots(out / "explanations")
    return meta


def _card_facts(
    meta: dict[str, Any],
    run: Any,
    exp: str,
    perf: dict[str, Any],
    metrics: dict[str, float],
    evidence: FairnessEvidence,
    settings: Settings,
    tags: dict[str, str],
) -> dict[str, Any]:
    data = {
        "test rows": perf["rows"],
        "test rows without a label": perf["unlabelled_rows"],
        "test positives": perf["positives"],
        "flagged at capacity": perf["flagged"],
        "review capacity": settings.review.capacity,
    }
    data.update({k: v for k, v in flatten(meta.get("splits", {}), prefix="split ").items()})
    data.update(_label_facts(meta.get("labels")))
    # the model's own test metrics only: the summary's figures at the review threshold
    # ("flag") are a different quantity and the report names them so
    shown = {k: v for k, v in metrics.items() if k.startswith(("model.", "gate."))}
    return {
        "model_name": settings.mlflow.registered_model,
        "run_id": run.info.run_id,
        "experiment": exp,
        "trained_by": tags["trained_by"],
        "trained_at": tags["trained_at"],
        "git_commit": tags.get("git_commit"),
        "data_fingerprint": tags.get("data_fingerprint"),
        "data": data,
        "metrics": shown,
        "label_bias": meta.get("label_policy"),
        "fairness": {
            "verdict": evidence.verdict,
            "attributes": evidence.attributes,
            "band": f"[{settings.fairness.ratio_low}, {settings.fairness.ratio_high}]",
            "ratios": evidence.key_ratios(),
        },
    }


def _label_facts(labels: dict[str, Any] | None) -> dict[str, Any]:
    """The label policy and its weights as the card's data rows."""
    if not labels:
        return {}
    out: dict[str, Any] = {"label policy": labels["policy"]}
    weights = labels.get("weights")
    if weights:
        out["rows trained on (weighted)"] = weights["rows_weighted"]
        out["rows with weight 0 (no label)"] = weights["rows_zero_weight"]
        out["sum of weights"] = weights["weight_total"]
        for w, n in weights["by_weight"].items():
            out[f"rows of weight {w}"] = n
    return out


def _gate_metrics(metrics: dict[str, float], perf: dict[str, Any]) -> dict[str, float]:
    """The figures the promotion gate compares: the model's test metrics at capacity,
    else the same figures computed here from the test split."""
    out = {}
    for name in GATE_METRICS:
        value = metrics.get(f"model.{name}", perf.get(name))
        if value is not None:
            out[f"gate.{name}"] = float(value)
    return out


def _tags(meta: dict[str, Any], trained_by: str, data_dir: Path, evidence: Any) -> dict[str, str]:
    tags = {
        "trained_by": trained_by,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(Path(data_dir).resolve()),
        "fairness_verdict": evidence.verdict,
        "bundle_fingerprint": str(meta.get("fingerprint", "")),
    }
    fingerprint = meta.get("data_fingerprint")
    if fingerprint:
        tags["data_fingerprint"] = str(fingerprint)
    commit = git_commit(Path(__file__).resolve().parent)
    if commit:
        tags["git_commit"] = commit
    return tags


def log_training_run(
    result: Any,
    *,
    settings: Settings,
    data_dir: Path,
    trained_by: str,
    fairness: FairnessEvidence | Any = None,
    report: bool = True,
    plots: bool = True,
) -> RunInfo:
    """Log a training result as one MLflow run and register it as the challenger.

    Parameters
    ----------
    result
        A ``models.TrainResult`` (``bundle``, ``metrics``, ``test_frame``, ``splits``,
        ``global_explanation``).
    settings
        Tracking store, experiment, registered model and fairness policy.
    data_dir
        The data the model was trained on (recorded as a tag).
    trained_by
        Who trained the model; the promotion gate refuses waivers they approve.
    fairness
        A precomputed ``FairnessReport`` or :class:`FairnessEvidence`; by default the
        fairness report of the test split over the protected attributes.
    report
        Also build the oversight report and log it with the run.
    plots
        Also draw the global explanation's plots (a simulation's monthly retraining
        leaves them out; the ranking stays in the bundle).

    Returns
    -------
    RunInfo
    """
    import mlflow

    if not trained_by or not trained_by.strip():
        raise ConfigError("trained_by is empty: name the person who trained the model")
    if fairness is None:
        fairness = training_fairness_report(result, settings)
    evidence = (
        fairness if isinstance(fairness, FairnessEvidence) else FairnessEvidence(report=fairness)
    )
    client = client_for(settings)
    exp_id = experiment_id(client, settings)
    with tempfile.TemporaryDirectory(prefix="amanah-run-") as tmp:
        out = Path(tmp)
        meta = _stage(result, evidence, out, plots)
        tags = _tags(meta, trained_by.strip(), data_dir, evidence)
        with mlflow.start_run(
            experiment_id=exp_id, run_name=f"train-{meta.get('version')}", tags=tags
        ) as run:
            metrics = numeric_only(flatten(result.metrics))
            perf = json.loads((out / "performance.json").read_text(encoding="utf-8"))
            metrics.update(_gate_metrics(metrics, perf))
            mlflow.log_params(_params(result, settings, meta))
            mlflow.log_metrics({**metrics, **evidence.key_ratios()})
            card = ModelCard(
                _card_facts(
                    meta, run, settings.mlflow.experiment, perf, metrics, evidence, settings, tags
                )
            )
            (out / "model_card").mkdir()
            (out / "model_card" / "model_card.json").write_text(
                json.dumps(card.facts, indent=2, default=str), "utf-8"
            )
            (out / "model_card" / "model_card.md").write_text(card.to_markdown(), "utf-8")
            (out / "model_card" / "model_card.html").write_text(card.to_html(), "utf-8")
            mlflow.log_artifacts(str(out))
            info = log_lightgbm(result, meta)
        version = register_version(
            client,
            settings,
            model_uri=info.model_uri,
            run_id=run.info.run_id,
            model_id=info.model_id,
        )
    for key in ("trained_by", "fairness_verdict", "bundle_fingerprint"):
        client.set_model_version_tag(settings.mlflow.registered_model, version, key, tags[key])
    report_path = _log_report(client, settings, version, run.info.run_id) if report else None
    return RunInfo(run.info.run_id, exp_id, version, info.model_uri, evidence.verdict, report_path)


def _log_report(client: Any, settings: Settings, version: str, run_id: str) -> Path:
    from ._report import build_report

    # Not reports/v<N>: the oversight portal caches its own (fresher) build there.
    out = settings.data_dir.resolve() / "reports" / f"train-v{version}"
    path = build_report(version, out, settings=settings)
    client.log_artifact(run_id, str(path), "report")
    return path
