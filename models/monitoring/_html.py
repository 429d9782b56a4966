"""The self-contained ``monitor.html`` (plotly inlined, nothing loaded from the network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from models.fairness._html import _fmt

from ._charts import monitor_figures
from ._monitor import MonitorReport

__all__ = ["attribution_sentences", "write_html"]

_TEMPLATES = Path(__file__).parent / "templates"


def attribution_sentences(chunk: dict[str, Any], top: int = 5) -> list[str]:
    """The features that moved the mean score most, in plain language."""
    attr = chunk.get("attribution") or {}
    out = []
    for name, value in list(attr.items())[:top]:
        way = "raised" if value > 0 else "lowered"
        out.append(f"{name} {way} the mean risk margin by {abs(value):.3f} log-odds")
    return out


def write_html(report: MonitorReport, path: str | Path) -> Path:
    """Write the report as one HTML file: heat map, attribution, estimate, fairness, alerts."""
    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _fmt
    data = report.to_dict()
    # "</" escaped so a name can never close the script element the figure sits in
    figures = {
        k: json.dumps(v).replace("</", "<\\/") for k, v in monitor_figures(data).items() if v
    }
    html = env.get_template("monitor.html.j2").render(
        report=data,
        figures=figures,
        sentences={i: attribution_sentences(c) for i, c in enumerate(data["chunks"])},
        plotly_js=get_plotlyjs(),
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
