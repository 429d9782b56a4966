"""The self-contained ``compare.html``: charts of a comparison (plotly inlined, offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["LABELS_EN", "compare_figures", "write_compare_html"]

_TEMPLATES = Path(__file__).parent / "templates"
_COLOURS = {"champion": "#0b4f6c", "challenger": "#b5531b"}
_LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
    "height": 320,
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "legend": {"orientation": "h", "y": -0.2},
}


def _errors(values: list[Any], cis: list[Any]) -> dict[str, Any]:
    plus = [None if v is None or c is None else c[1] - v for v, c in zip(values, cis, strict=True)]
    minus = [None if v is None or c is None else v - c[0] for v, c in zip(values, cis, strict=True)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus}


def _estimates(report: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    figures = ["precision", "recall"]
    traces = []
    for who in ("champion", "challenger"):
        est = report["estimates"][who]
        values = [est[f] for f in figures]
        traces.append(
            {
                "type": "bar",
                "name": f"{labels[who]} {report[who]}",
                "x": [labels[f] for f in figures],
                "y": values,
                "error_y": _errors(values, [est[f"{f}_ci"] for f in figures]),
                "marker": {"color": _COLOURS[who]},
            }
        )
    layout = {**_LAYOUT, "title": {"text": labels["estimates_title"]}, "barmode": "group"}
    layout["yaxis"] = {"tickformat": ".0%", "rangemode": "tozero"}
    return {"data": traces, "layout": layout}


def _difference(report: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    diff = report["estimates"]["difference"]
    figures = [f for f in ("precision", "recall") if diff[f] is not None]
    values = [diff[f] for f in figures]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "name": labels["difference"],
        "x": values,
        "y": [labels[f] for f in figures],
        "error_x": _errors(values, [diff[f"{f}_ci"] for f in figures]),
        "marker": {"color": _COLOURS["challenger"], "size": 11},
    }
    layout = {**_LAYOUT, "title": {"text": labels["difference_title"]}, "height": 220}
    layout["xaxis"] = {"tickformat": "+.0%", "zeroline": True, "zerolinewidth": 2}
    return {"data": [trace], "layout": layout}


def _overlap(report: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    o = report["overlap"]
    keys = ("both", "champion_only", "challenger_only")
    colours = ("#5b6770", _COLOURS["champion"], _COLOURS["challenger"])
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": labels[k],
            "x": [o[k]],
            "y": [labels["flags"]],
            "marker": {"color": c},
        }
        for k, c in zip(keys, colours, strict=True)
    ]
    layout = {**_LAYOUT, "title": {"text": labels["overlap_title"]}, "barmode": "stack"}
    return {"data": traces, "layout": {**layout, "height": 200}}


def _fairness(report: dict[str, Any], attribute: str, labels: dict[str, str]) -> dict[str, Any]:
    traces = []
    for who in ("champion", "challenger"):
        groups = report["fairness"][who][attribute].get("groups", {})
        shown = {g: r for g, r in groups.items() if not r.get("suppressed")}
        values = [r["flag_rate_ratio"] for r in shown.values()]
        traces.append(
            {
                "type": "bar",
                "name": labels[who],
                "x": list(shown),
                "y": values,
                "error_y": _errors(values, [r["flag_rate_interval"] for r in shown.values()]),
                "marker": {"color": _COLOURS[who]},
            }
        )
    title = labels["fairness_title"].format(attribute=attribute)
    return {"data": traces, "layout": {**_LAYOUT, "title": {"text": title}, "barmode": "group"}}


def _shap(report: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    rows = list(reversed(report["shap_changes"]))
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": labels[who],
            "x": [r[who] for r in rows],
            "y": [r["feature"] for r in rows],
            "marker": {"color": _COLOURS[who]},
        }
        for who in ("champion", "challenger")
    ]
    layout = {**_LAYOUT, "title": {"text": labels["shap_title"]}, "barmode": "group"}
    layout["margin"] = {**_LAYOUT["margin"], "l": 220}
    return {"data": traces, "layout": {**layout, "height": 120 + 40 * len(rows)}}


#: The English labels of the charts (the web screens pass their own language's).
LABELS_EN: dict[str, str] = {
    "champion": "champion",
    "challenger": "challenger",
    "precision": "precision at capacity",
    "recall": "recall at capacity",
    "difference": "challenger - champion",
    "estimates_title": "Estimated from the reviews (95% intervals)",
    "difference_title": "Paired difference, challenger minus champion (95% intervals)",
    "both": "both flag",
    "champion_only": "only the champion",
    "challenger_only": "only the challenger",
    "flags": "flags",
    "overlap_title": "Who is flagged at the same capacity",
    "fairness_title": "Flag-rate ratio to the largest group by {attribute}",
    "shap_title": "Mean |SHAP| of the features that changed most (log-odds)",
}


def compare_figures(report: dict[str, Any], labels: dict[str, str] | None = None) -> dict:
    """The comparison's charts as plotly figure dicts, keyed by chart."""
    labels = labels or LABELS_EN
    out = {"overlap": _overlap(report, labels), "estimates": _estimates(report, labels)}
    if report.get("shap_changes"):
        out["shap"] = _shap(report, labels)
    if any(report["estimates"]["difference"][f] is not None for f in ("precision", "recall")):
        out["difference"] = _difference(report, labels)
    for attribute in report.get("fairness", {}).get("champion", {}):
        out[f"fairness-{attribute}"] = _fairness(report, attribute, labels)
    return out


def write_compare_html(report: dict[str, Any], path: str | Path) -> Path:
    """Write ``compare.html``: verdicts in words, then the charts (opens offline)."""
    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    # "</" escaped so a name can never close the script element the figure sits in
    figures = {k: json.dumps(v).replace("</", "<\\/") for k, v in compare_figures(report).items()}
    html = env.get_template("compare.html.j2").render(
        report=report, figures=figures, plotly_js=get_plotlyjs()
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
