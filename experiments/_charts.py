"""Plotly charts of the oversight report, as HTML fragments that need no network."""

from __future__ import annotations

from typing import Any

__all__ = ["FigureWriter", "calibration_figure", "pr_curve_figure", "ratio_figure"]


class FigureWriter:
    """Turn figures into HTML fragments; plotly.js is inlined once, in the first one."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, fig: Any) -> str:
        """The figure as a ``<div>`` (plus plotly.js inline if this is the first figure)."""
        include: str | bool = "inline" if self.count == 0 else False
        self.count += 1
        return fig.to_html(
            full_html=False,
            include_plotlyjs=include,
            include_mathjax=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{self.count}",
        )


def calibration_figure(bins: list[dict[str, Any]]) -> Any:
    """Observed violation rate against mean predicted probability, per probability bin."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfect calibration",
            line={"dash": "dash", "color": "#888"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[b["mean_predicted"] for b in bins],
            y=[b["observed_rate"] for b in bins],
            mode="lines+markers",
            name="model",
            text=[f"n={b['count']}" for b in bins],
        )
    )
    fig.update_layout(
        title="Calibration on the test split",
        xaxis_title="mean predicted",
        yaxis_title="observed rate",
        height=380,
        margin={"t": 50},
    )
    return fig


def pr_curve_figure(points: list[dict[str, float]], capacity_point: dict[str, Any]) -> Any:
    """Precision against recall, with the operating point at review capacity."""
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Scatter(
            x=[p["recall"] for p in points],
            y=[p["precision"] for p in points],
            mode="lines",
            name="model",
        )
    )
    if capacity_point.get("precision") is not None and capacity_point.get("recall") is not None:
        fig.add_trace(
            go.Scatter(
                x=[capacity_point["recall"]],
                y=[capacity_point["precision"]],
                mode="markers",
                marker={"size": 12},
                name="at capacity",
            )
        )
    fig.update_layout(
        title="Precision and recall (test split)",
        xaxis_title="recall",
        yaxis_title="precision",
        height=380,
        margin={"t": 50},
    )
    return fig


def ratio_figure(
    attribute: str, metric: str, rows: list[dict[str, Any]], band: tuple[float, float]
) -> Any:
    """Disparity ratios of one metric per group, with 95% intervals and the tolerance band."""
    import plotly.graph_objects as go

    groups = [r["group"] for r in rows]
    values = [r["value"] for r in rows]
    upper = [
        None
        if r["ci"] is None or r["ci"][1] is None or r["value"] is None
        else r["ci"][1] - r["value"]
        for r in rows
    ]
    lower = [
        None
        if r["ci"] is None or r["ci"][0] is None or r["value"] is None
        else r["value"] - r["ci"][0]
        for r in rows
    ]
    colours = ["#a4161a" if r["verdict"] == "fail" else "#176c2e" for r in rows]
    fig = go.Figure(
        go.Scatter(
            x=groups,
            y=values,
            mode="markers",
            marker={"size": 10, "color": colours},
            error_y={"type": "data", "array": upper, "arrayminus": lower, "visible": True},
            name=metric,
        )
    )
    fig.add_hrect(y0=band[0], y1=band[1], fillcolor="#2a9d8f", opacity=0.12, line_width=0)
    fig.add_hline(y=1.0, line_dash="dot", line_color="#555")
    fig.update_layout(
        title=f"{attribute}: {metric} ratio to the reference group",
        yaxis_title="ratio",
        height=340,
        margin={"t": 50},
    )
    return fig
