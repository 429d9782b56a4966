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

__all__ = [
    "EVIDENCE_TAG",
    "comparison_summary",
    "evidence_checks",
    "latest_comparison",
    "log_comparison",
]

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
        # what the oversight screen draws (the full report is the run's artifact)
        "capacity": report.get("capacity"),
        "overlap": report.get("overlap"),
        "estimates": {
            who: {
                k: v
                for k, v in report["estimates"].get(who, {}).items()
                if k.split("_ci")[0] in ("precision", "recall") and not k.endswith("_reason")
            }
            for who in ("champion", "challenger", "difference")
        },
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


def _ci_text(value: float, ci: list[float]) -> str:
    return f"{value:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"


def evidence_checks(mv: Any, champion: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The gate's checks from the version's latest live comparison, and that comparison.

    A comparison counts only when it was made against the current champion.  For
    precision and recall at capacity, a challenger estimated worse with a 95% interval
    wholly below zero fails a gated check (waivable by the second-person rule); an
    interval that includes zero passes, and a figure that is not estimable is
    reported, not gated.

    Returns
    -------
    tuple
        The checks (empty without a usable comparison) and the summary used (or None).
    """
    text = mv.tags.get(EVIDENCE_TAG)
    if not text or champion is None:
        return [], None
    summary = json.loads(text)
    if summary.get("champion_version") != str(champion.version):
        return [
            {
                "check": "live.comparison",
                "gated": False,
                "passed": True,
                "value": None,
                "reference": None,
                "detail": (
                    f"the latest comparison ({summary['period'][0]} to {summary['period'][1]})"
                    f" was made against version {summary.get('champion_version')}, not the"
                    f" current champion {champion.version}: not used; run risk compare again"
                ),
            }
        ], None
    period = f"{summary['period'][0]} to {summary['period'][1]}, {summary['n']} applications"
    return [_live(summary, name, period) for name in ("precision", "recall")], summary


def _live(summary: dict[str, Any], name: str, period: str) -> dict[str, Any]:
    diff = summary["difference"]
    value, ci = diff.get(name), diff.get(f"{name}_ci")
    check = {"check": f"live.{name}", "value": value, "reference": 0.0}
    if value is None or ci is None:
        return check | {
            "gated": False,
            "passed": True,
            "detail": f"estimated {name} difference over {period}: not estimable",
        }
    worse = ci[1] < 0
    return check | {
        "gated": True,
        "passed": not worse,
        "detail": (
            f"estimated {name} at capacity, challenger minus champion, over {period}:"
            f" {_ci_text(value, ci)}"
            + (" (worse: the whole interval is below zero)" if worse else "")
        ),
    }
