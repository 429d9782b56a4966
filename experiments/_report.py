"""The oversight report: one self-contained HTML file an auditor can open offline."""

from __future__ import annotations

import base64
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from risk.files import private_dir, private_file
from risk.settings import Settings

from ._card import ModelCard, render_template
from ._charts import FigureWriter, calibration_figure, pr_curve_figure, ratio_figure
from ._labels import PRECISION_DEFINITION, metric_label
from ._promotion import promotion_history
from ._registry import get_version
from ._tracking import client_for

__all__ = ["REPORT_FILE", "build_report"]

REPORT_FILE = "oversight_report.html"
_NEEDED = ("model_card", "performance.json", "fairness", "explanations", "catalogue")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _fairness_view(report: dict[str, Any], figs: FigureWriter) -> list[dict[str, Any]]:
    """Per attribute: traffic-light rows (group x metric) and one ratio chart per metric."""
    policy = report.get("policy", {})
    band = (policy.get("ratio_low", 0.8), policy.get("ratio_high", 1.25))
    views = []
    for name, attr in report.get("attributes", {}).items():
        metrics = list(attr.get("verdicts", {}))
        rows = []
        for group, g in attr.get("groups", {}).items():
            cells = {m: g.get("ratios", {}).get(m) for m in metrics}
            rows.append(
                {"group": group, "n": g.get("n"), "verdict": g.get("verdict"), "cells": cells}
            )
        charts = []
        for metric in metrics:
            points = [
                {"group": r["group"], **r["cells"][metric]}
                for r in rows
                if r["cells"].get(metric) and r["cells"][metric].get("value") is not None
            ]
            if points:
                charts.append(figs.html(ratio_figure(name, metric, points, band)))
        views.append(
            {
                "name": name,
                "reference": attr.get("reference"),
                "metrics": metrics,
                "verdict": attr.get("verdict"),
                "verdicts": attr.get("verdicts", {}),
                "rows": rows,
                "charts": charts,
            }
        )
    return views


def _images(directory: Path) -> list[dict[str, str]]:
    out = []
    for png in sorted(directory.glob("*.png")):
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        out.append({"name": png.stem.replace("_", " "), "uri": f"data:image/png;base64,{data}"})
    return out


def _context(local: Path, mv: Any, settings: Settings) -> dict[str, Any]:
    facts = _read_json(local / "model_card" / "model_card.json") or {}
    facts["version"] = str(mv.version)
    perf = _read_json(local / "performance.json") or {}
    # Runs logged before the rename hold the same file as ``fairness/audit.json``.
    fairness = _read_json(local / "fairness" / "report.json")
    fairness = fairness or _read_json(local / "fairness" / "audit.json") or {}
    figs = FigureWriter()
    charts = []
    if perf.get("calibration"):
        charts.append(figs.html(calibration_figure(perf["calibration"])))
    # one source for "at capacity": the model's own test metrics, as the gate and card
    metrics = facts.get("metrics") or {}
    at_capacity = {
        k: metrics[f"model.{k}"]
        for k in ("precision_at_capacity", "recall_at_capacity")
        if metrics.get(f"model.{k}") is not None
    }
    if perf.get("pr_curve"):
        point = {
            "precision": at_capacity.get("precision_at_capacity"),
            "recall": at_capacity.get("recall_at_capacity"),
        }
        charts.append(figs.html(pr_curve_figure(perf["pr_curve"], point)))
    catalogue = _read_json(local / "catalogue" / "features.json") or {}
    history = [h for h in promotion_history(settings) if h.get("version") == str(mv.version)]
    return {
        "title": f"Oversight report: {settings.mlflow.registered_model} version {mv.version}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model_name": settings.mlflow.registered_model,
        "version": str(mv.version),
        "aliases": sorted(mv.aliases),
        "run_id": mv.run_id,
        "card_html": ModelCard(facts).html_fragment(),
        "performance": perf,
        "at_capacity": at_capacity,
        "precision_definition": PRECISION_DEFINITION[0],
        "performance_charts": charts,
        "fairness_verdict": fairness.get("verdict", "not measured"),
        "policy": fairness.get("policy"),
        "fairness": _fairness_view(fairness, figs),
        "proxy": _read_json(local / "fairness" / "proxy.json"),
        "label_bias": _read_json(local / "fairness" / "label_bias.json"),
        "label_policy": facts.get("label_bias"),
        "images": _images(local / "explanations"),
        "catalogue": catalogue.get("features", []),
        "catalogue_hash": catalogue.get("hash"),
        "history": history,
        "metric_label": metric_label,
    }


def _estimates(reviews: Any) -> list[dict[str, Any]] | None:
    """Per month and overall, each figure as ``value [low, high]`` text (None: no reviews)."""
    if reviews is None or reviews.is_empty():
        return None
    from models import estimate_reviews

    result = estimate_reviews(reviews)

    def cell(e: Any) -> str:
        if e.value is None:
            return "n/a"
        return f"{e.value:.1%} [{e.low:.1%}, {e.high:.1%}]"

    return [
        {
            "period": r.period,
            "applications": r.applications,
            "reviewed": f"{r.reviewed} ({r.blind_reviewed})",
            "prevalence": cell(r.prevalence),
            "precision": cell(r.precision_at_capacity),
            "recall": cell(r.recall_at_capacity),
            "miss": cell(r.miss_rate_unflagged),
        }
        for r in [*result["months"], result["overall"]]
    ]


def build_report(
    version: str | int,
    out_dir: str | Path,
    *,
    settings: Settings,
    reviews: Any = None,
) -> Path:
    """Write the oversight report of a registered model version.

    Parameters
    ----------
    version
        The registered model version.
    out_dir
        Folder to write ``oversight_report.html`` into (created if needed).
    settings
        Tracking store and registered model name.
    reviews
        The version's rows of an export's ``reviews.parquet`` (a polars frame): adds the
        figures estimated from the blind sample (:func:`models.estimate_reviews`).

    Returns
    -------
    pathlib.Path
        The report: one HTML file with every chart, image and style inline (plotly.js
        embedded once), readable offline: model card, performance and calibration,
        fairness traffic lights and ratio charts, proxy test, label-bias view, global
        explanations, feature catalogue and the version's promotion history.
    """
    client = client_for(settings)
    mv = get_version(client, settings, version)
    with tempfile.TemporaryDirectory(prefix="amanah-report-") as tmp:
        local = Path(tmp)
        present = {a.path for a in client.list_artifacts(mv.run_id)}
        for name in _NEEDED:
            if name in present:
                client.download_artifacts(mv.run_id, name, str(local))
        context = _context(local, mv, settings)
        context["estimates"] = _estimates(reviews)
        html = render_template("report.html.j2", **context)
    path = private_file(private_dir(out_dir) / REPORT_FILE)  # 0700 / 0600: owner only
    path.write_text(html, encoding="utf-8")
    return path
