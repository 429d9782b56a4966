"""The simulation's HTML report: plotly figures inlined, so the file opens offline."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

__all__ = ["coverage", "write_report"]

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
_ARM_NAMES = {"none": "naive labels (none)", "ipw": "reviewed, inverse-propensity weighted (ipw)"}


def _covers(interval: Any, value: Any) -> bool | None:
    if not interval or value is None or interval[0] is None or interval[1] is None:
        return None
    return interval[0] <= value <= interval[1]


def coverage(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per arm: months whose 95% interval covers the true prevalence and the true recall.

    Returns
    -------
    dict
        ``{arm: {"months": n, "prevalence_covered": k, "recall_covered": k}}`` counting
        only months with both an interval and a true value.
    """
    out = {}
    for arm, body in document["arms"].items():
        counts = {"prevalence": [0, 0], "recall": [0, 0]}
        for m in body["months"]:
            pairs = {
                "prevalence": (m.get("estimated_prevalence_ci"), m.get("true_prevalence")),
                "recall": (m.get("estimated_recall_ci"), m.get("true_recall_at_capacity")),
            }
            for name, (ci, truth) in pairs.items():
                hit = _covers(ci, truth)
                if hit is not None:
                    counts[name][0] += hit
                    counts[name][1] += 1
        out[arm] = {
            "months": len(body["months"]),
            **{f"{k}_covered": v[0] for k, v in counts.items()},
            **{f"{k}_months": v[1] for k, v in counts.items()},
        }
    return out


class _Figures:
    def __init__(self) -> None:
        self.count = 0

    def html(self, fig: Any) -> str:
        self.count += 1
        return fig.to_html(
            full_html=False,
            include_plotlyjs="inline" if self.count == 1 else False,
            include_mathjax=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"figure-{self.count}",
        )


def _layout(fig: Any, title: str, y: str, percent: bool = True) -> Any:
    fig.update_layout(
        title=title,
        xaxis={"type": "category", "title": "month"},
        yaxis={"title": y, "tickformat": ".0%" if percent else None, "rangemode": "tozero"},
        height=380,
        margin={"t": 50},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig


def _per_arm_figure(document: dict[str, Any], key: str, title: str, ci: str | None = None) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for k, (arm, body) in enumerate(document["arms"].items()):
        months = [m["month"] for m in body["months"]]
        color = _COLORS[k % len(_COLORS)]
        fig.add_trace(
            go.Scatter(
                x=months, y=[m[key] for m in body["months"]], name=f"{arm}: true",
                mode="lines+markers", line={"color": color},
            )
        )  # fmt: skip
        if ci and any(m.get(ci) for m in body["months"]):
            est = key.replace("true_", "estimated_").replace("_at_capacity", "")
            known = [m.get(ci) is not None and m.get(est) is not None for m in body["months"]]
            lo = [
                m[est] - m[ci][0] if k else None for m, k in zip(body["months"], known, strict=True)
            ]
            hi = [
                m[ci][1] - m[est] if k else None for m, k in zip(body["months"], known, strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=months, y=[m.get(est) for m in body["months"]],
                    name=f"{arm}: estimated from the blind sample (95% interval)",
                    mode="markers", marker={"color": color, "symbol": "diamond-open"},
                    error_y={"type": "data", "array": hi, "arrayminus": lo, "visible": True},
                )
            )  # fmt: skip
    return _layout(fig, title, "share")


def _nationality_figure(document: dict[str, Any], top: int = 8) -> Any:
    import plotly.graph_objects as go

    totals: dict[str, float] = {}
    for body in document["arms"].values():
        for m in body["months"]:
            for nat, share in m["flag_share_by_nationality"].items():
                totals[nat] = totals.get(nat, 0.0) + share
    chosen = sorted(totals, key=lambda n: (-totals[n], n))[:top]
    dashes = ("solid", "dash", "dot")
    fig = go.Figure()
    for a, (arm, body) in enumerate(document["arms"].items()):
        months = [m["month"] for m in body["months"]]
        for k, nat in enumerate(chosen):
            fig.add_trace(
                go.Scatter(
                    x=months,
                    y=[m["flag_share_by_nationality"].get(nat, 0.0) for m in body["months"]],
                    name=f"{nat} ({arm})", mode="lines",
                    line={"color": _COLORS[k % len(_COLORS)], "dash": dashes[a % len(dashes)]},
                )
            )  # fmt: skip
    return _layout(fig, f"Share of the month's flags by nationality (top {top})", "share of flags")


def _coverage_table(document: dict[str, Any]) -> str:
    rows = []
    for arm, c in coverage(document).items():
        cells = []
        for name in ("prevalence", "recall"):
            n = c[f"{name}_months"]
            cells.append(f"{c[f'{name}_covered']}/{n}" if n else "no estimates")
        rows.append(f"<tr><td>{html.escape(arm)}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    return (
        "<table><thead><tr><th>arm</th><th>true prevalence covered</th>"
        "<th>true recall covered</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def write_report(document: dict[str, Any], path: Path) -> Path:
    """Write the self-contained HTML report of a simulation's ``simulation.json``."""
    figures = _Figures()
    arms = ", ".join(_ARM_NAMES.get(a, a) for a in document["arms"])
    parts = [
        _per_arm_figure(
            document, "true_recall_at_capacity",
            "Recall at capacity: share of the month's true violations flagged",
            "estimated_recall_ci",
        ),
        _per_arm_figure(document, "flag_rate", "Flag rate (share of applications flagged)"),
        _per_arm_figure(
            document, "true_prevalence", "Violation prevalence", "estimated_prevalence_ci"
        ),
        _per_arm_figure(
            document, "true_precision_at_capacity", "Precision at capacity (against the truth)"
        ),
        _nationality_figure(document),
    ]  # fmt: skip
    body = "\n".join(f"<section>{figures.html(fig)}</section>" for fig in parts)
    text = _PAGE.format(
        seed=document["seed"],
        months=document["months"],
        capacity=document["capacity"],
        blind=document["blind_rate"],
        arms=html.escape(arms),
        coverage=_coverage_table(document),
        body=body,
    )
    path.write_text(text, encoding="utf-8")
    return path


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Amanah simulation (seed {seed}, {months} months)</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 960px; color: #1b1f24; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }}
section {{ margin: 1.5rem 0; }}
</style></head><body>
<h1>A simulated year of operation</h1>
<p>Seed {seed}; {months} months; review capacity {capacity:.0%} of applications flagged,
blind random sample {blind:.0%} of the rest. Arms: {arms}.</p>
<p>"True" figures compare the service's flags with the synthetic world's truth (used for
evaluation only, never for training). "Estimated" figures use only what the service
recorded: the blind sample's findings weighted by their known review probability.
Officers miss some violations and overstays show only after the authorised stay, so the
findings undercount the truth; the intervals estimate what officers would find.</p>
<h2>Estimator honesty: months whose 95% interval covers the truth</h2>
{coverage}
{body}
</body></html>
"""
