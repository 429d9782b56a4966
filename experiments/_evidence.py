"""Comparisons on the registry: logged on the challenger's run, read back by the gate.

A comparison (``risk compare``) is stored twice: its files (``compare.json``,
``compare.html``) as artifacts of the challenger's training run under
``comparisons/<from>_<to>/`` with its differences as metrics, and a short summary as
the tag ``evidence.comparison`` on the challenger's model version, which the promotion
gate reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from risk.settings import Settings

from ._registry import get_version
from ._tracking import client_for

__all__ = ["EVIDENCE_TAG", "comparison_summary", "latest_comparison", "log_comparison"]

#: The model-version tag holding the latest comparison's summary.
EVIDENCE_TAG = "evidence.comparison"


def comparison_summary(report: dict[str, Any], champion: str, challenger: str) -> dict[str, Any]:
    """What the gate needs from a comparison: versions, period, differences, verdict."""
    diff = report["estimates"]["difference"]
    return {
        "champion_version": str(champion),
        "challenger_version": str(challenger),
        "champion": report["champion"],
        "challenger": report["challenger"],
        "period": report["period"],
        "n": report["n"],
        "made_at": report.get("made_at"),
        "verdict": report["verdict"],
        "difference": {
            k: diff[k] for k in ("precision", "precision_ci", "recall", "recall_ci") if k in diff
        },
        "checks": {c["check"]: c["verdict"] for c in report["checks"]},
    }


def log_comparison(
    report: dict[str, Any], folder: Path, *, champion: str, challenger: str, settings: Settings
) -> dict[str, Any]:
    """Log ``folder``'s files on the challenger's run and tag its version with the summary.

    Returns
    -------
    dict
        The summary, with ``run_id`` and ``artifact_path``.

    Raises
    ------
    NotFoundError
        The challenger version does not exist.
    """
    client = client_for(settings)
    mv = get_version(client, settings, challenger)
    path = f"comparisons/{report['period'][0]}_{report['period'][1]}"
    client.log_artifacts(mv.run_id, str(folder), path)
    diff = report["estimates"]["difference"]
    for key in ("precision", "recall"):
        if diff.get(key) is not None:
            client.log_metric(mv.run_id, f"compare.{key}_difference", float(diff[key]))
    summary = comparison_summary(report, champion, challenger)
    summary.update(run_id=mv.run_id, artifact_path=path)
    client.set_model_version_tag(
        settings.mlflow.registered_model, mv.version, EVIDENCE_TAG, json.dumps(summary)
    )
    return summary


def latest_comparison(settings: Settings, version: str | int) -> dict[str, Any] | None:
    """The summary of the latest comparison logged for ``version``, or ``None``."""
    client = client_for(settings)
    text = get_version(client, settings, version).tags.get(EVIDENCE_TAG)
    return None if not text else json.loads(text)
