"""A monitoring run in MLflow: one run per ``risk monitor``, tied to the model version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from risk.settings import Settings

from ._tracking import client_for, experiment_id

__all__ = ["MONITORING_EXPERIMENT_SUFFIX", "log_monitoring_run"]

#: Monitoring runs live in their own experiment: ``<experiment>-monitoring``.
MONITORING_EXPERIMENT_SUFFIX = "-monitoring"


def log_monitoring_run(report: Any, folder: str | Path, *, settings: Settings) -> str:
    """Log a monitoring report (metrics per chunk, ``monitor.json`` and ``monitor.html``).

    Parameters
    ----------
    report
        A :class:`models.monitoring.MonitorReport`.
    folder
        The folder holding ``monitor.json`` and ``monitor.html``; logged as artifacts.
    settings
        The tracking store.

    Returns
    -------
    str
        The run id.  The run is tagged ``amanah.kind=monitoring`` and
        ``amanah.model_version`` (the version stored with every score).
    """
    import mlflow

    client = client_for(settings)
    exp_id = experiment_id(client, settings, suffix=MONITORING_EXPERIMENT_SUFFIX)
    tags = {
        "amanah.kind": "monitoring",
        "amanah.model_version": report.model,
        "amanah.alerts": str(len(report.alerts)),
    }
    with mlflow.start_run(
        experiment_id=exp_id, run_name=f"monitor-{report.model}", tags=tags
    ) as run:
        for step, chunk in enumerate(report.chunks):
            if chunk.get("status") == "tested":
                mlflow.log_metrics(_metrics(chunk), step=step)
        mlflow.log_artifacts(str(folder))
    return run.info.run_id


def _metrics(chunk: dict[str, Any]) -> dict[str, float]:
    out = {
        "rows": float(chunk["n"]),
        "drift_share": chunk["drift_share"],
        "score_psi": chunk["score"]["psi"],
        "score_mean": chunk["score"]["mean"],
        "flag_rate": chunk["flag_rate"],
        "alerts": float(len(chunk.get("alerts", []))),
    }
    for key in ("precision", "recall"):
        if chunk["estimate"].get(key) is not None:
            out[f"estimated_{key}"] = chunk["estimate"][key]
    if chunk.get("margin_shift") is not None:
        out["margin_shift"] = chunk["margin_shift"]
    return out
