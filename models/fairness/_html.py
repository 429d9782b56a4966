"""The self-contained HTML report of a fairness report (plotly inlined, no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._label_bias import LabelBias
from ._policy import RATIO_METRICS
from ._proxy import ProxyResult
from ._result import FairnessReport

__all__ = ["write_html"]

_TEMPLATES = Path(__file__).parent / "templates"
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _ratio_figure(report: FairnessReport, name: str) -> str | None:
    import plotly.graph_objects as go

    attr = report.attributes[name]
    low, high = report.policy.band()
    fig = go.Figure()
    for metric in RATIO_METRICS:
        xs, ys, up, down = [], [], [], []
        for value, g in attr.groups.items():
            r = g.ratios.get(metric)
            if r is None or r.value is None:
                continue
            xs.append(value)
            ys.append(r.value)
            lo, hi = r.ci if r.ci else (None, None)
            up.append(0.0 if hi is None else max(hi - r.value, 0.0))
            down.append(0.0 if lo is None else max(r.value - lo, 0.0))
        if xs:
            fig.add_bar(
                x=xs,
                y=ys,
                name=metric,
                error_y={"type": "data", "array": up, "arrayminus": down, "visible": True},
            )
    if not fig.data:
        return None
    fig.add_hrect(y0=low, y1=high, fillcolor="green", opacity=0.12, line_width=0)
    fig.add_hline(y=1.0, line_dash="dot")
    fig.update_layout(
        barmode="group",
        height=360,
        margin={"l": 40, "r": 10, "t": 30, "b": 80},
        title=f"Ratios to reference {attr.reference!r} (band {low} to {high}, 95% CI)",
    )
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_PLOT_CONFIG)


def _proxy_figure(proxy: ProxyResult) -> str:
    import plotly.graph_objects as go

    names = list(proxy.attributes)
    aucs = [proxy.attributes[n].auc for n in names]
    fig = go.Figure(go.Bar(x=names, y=aucs, name="cross-validated AUC"))
    fig.add_hline(y=0.5, line_dash="dot")
    fig.update_layout(
        height=300, yaxis_range=[0, 1], title="How well features predict each attribute"
    )
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_PLOT_CONFIG)


def _label_bias_figure(lb: dict[str, Any], attr: str) -> str:
    import plotly.graph_objects as go

    rows = {v: r for v, r in lb["attributes"][attr].items() if not r["suppressed"]}
    fig = go.Figure()
    keys = ["investigation_rate", "confirmed_share"]
    if lb["with_truth"]:
        keys.append("true_rate")
    for key in keys:
        fig.add_bar(x=list(rows), y=[r[key] for r in rows.values()], name=key)
    fig.update_layout(barmode="group", height=320, title=f"Label bias by {attr}")
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_PLOT_CONFIG)


def write_html(
    report: FairnessReport,
    path: str | Path,
    *,
    proxy: ProxyResult | None = None,
    label_bias: LabelBias | None = None,
) -> Path:
    """Write the report as one self-contained HTML file.

    plotly.js is inlined in the page, so it opens offline and loads nothing from the
    network.  Suppressed groups are listed without counts, as in the JSON.

    Parameters
    ----------
    report
        The result of :func:`fairness_report`.
    path
        The file to write (parent folders are created).
    proxy, label_bias
        Optional proxy-test and label-bias results to add as sections.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import jinja2
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _fmt
    lb = label_bias.to_dict() if label_bias is not None else None
    html = env.get_template("fairness.html.j2").render(
        report=report.to_dict(),
        ratio_metrics=RATIO_METRICS,
        plotly_js=get_plotlyjs(),
        figures={n: _ratio_figure(report, n) for n in report.attributes},
        proxy=proxy.to_dict() if proxy is not None else None,
        proxy_figure=_proxy_figure(proxy) if proxy is not None else None,
        label_bias=lb,
        label_bias_figures={a: _label_bias_figure(lb, a) for a in lb["attributes"]} if lb else {},
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)
