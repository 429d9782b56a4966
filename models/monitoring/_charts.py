"""Plotly figures of a monitoring report (the HTML report and the service's page share them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LABELS", "monitor_figures"]

#: English chart labels; the service passes its own translations.
LABELS = {
    "drifted": "drifted",
    "chunk": "chunk",
    "feature": "feature",
    "attribution": "Change in mean contribution (log-odds)",
    "estimated": "estimated",
    "realised": "realised",
    "precision": "precision at capacity",
    "recall": "recall at capacity",
}

_TOP = 12


def monitor_figures(
    report: Mapping[str, Any], labels: Mapping[str, str] = LABELS
) -> dict[str, Any]:
    """``heatmap`` (drift per feature and chunk), ``attribution`` (last tested chunk) and
    ``estimate`` (estimated vs realised precision and recall), as plotly JSON dicts."""
    tested = [c for c in report["chunks"] if c.get("status") == "tested"]
    if not tested:
        return {}
    return {
        "heatmap": _heatmap(tested, labels),
        "attribution": _attribution(tested[-1], labels),
        "estimate": _estimate(tested, labels),
    }


def _name(c: Mapping[str, Any]) -> str:
    return (c.get("start") or "all")[:10]


def _heatmap(chunks: list, labels: Mapping[str, str]) -> dict[str, Any]:
    names = list(chunks[0]["features"])
    z = [[1 if c["features"][n]["drifted"] else 0 for c in chunks] for n in names]
    text = [[_cell(c["features"][n]) for c in chunks] for n in names]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": [_name(c) for c in chunks],
                "y": names,
                "text": text,
                "hoverinfo": "text+x+y",
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, "#e8f1e4"], [1, "#c62828"]],
                "showscale": False,
            }
        ],
        "layout": {
            "height": max(260, 18 * len(names) + 80),
            "margin": {"l": 220, "r": 10, "t": 10, "b": 60},
            "xaxis": {"title": {"text": labels["chunk"]}, "type": "category"},
        },
    }


def _cell(f: Mapping[str, Any]) -> str:
    if f.get("missing"):
        return "missing"
    parts = [f"PSI {f['psi']:.3f}", f"JS {f['js']:.3f}"]
    if f.get("wasserstein_norm") is not None:
        parts.append(f"W {f['wasserstein_norm']:.3f}")
    if f.get("p_value") is not None:
        parts.append(f"{f['test']} p {f['p_value']:.3g}")
    return ", ".join(parts)


def _attribution(chunk: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any] | None:
    attr = chunk.get("attribution")
    if not attr:
        return None
    top = list(attr.items())[:_TOP][::-1]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [v for _, v in top],
                "y": [n for n, _ in top],
                "marker": {"color": ["#c62828" if v > 0 else "#1565c0" for _, v in top]},
            }
        ],
        "layout": {
            "height": 40 + 24 * len(top),
            "margin": {"l": 220, "r": 10, "t": 10, "b": 40},
            "xaxis": {"title": {"text": labels["attribution"]}},
        },
    }


def _estimate(chunks: list, labels: Mapping[str, str]) -> dict[str, Any]:
    x = [_name(c) for c in chunks]
    data = []
    for metric, dash in (("precision", "solid"), ("recall", "dot")):
        est = [c["estimate"].get(metric) for c in chunks]
        real = [((c["estimate"].get("realised") or {}).get(metric)) for c in chunks]
        name = labels[metric]
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": est,
                "name": f"{name}, {labels['estimated']}",
                "line": {"dash": dash},
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": real,
                "name": f"{name}, {labels['realised']}",
                "mode": "markers",
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 300,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
            "yaxis": {"range": [0, 1]},
            "xaxis": {"type": "category"},
        },
    }
