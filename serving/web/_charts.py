"""Plotly figures for the oversight pages, as JSON drawn by the locally served plotly.js."""

from __future__ import annotations

import math
from typing import Any

from serving.services import MonthRow, PublishedTable

from ._glossary import shown_field
from ._i18n import translate

__all__ = ["fairness_chart", "kpi_charts", "nice_axis", "separators"]

_LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
    "height": 300,
    "font": {"family": "system-ui, sans-serif", "size": 13, "color": "#1b1f24"},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "legend": {"orientation": "h", "y": -0.2},
}


def separators(lang: str) -> str:
    """Plotly's ``layout.separators`` for ``lang``: its decimal then its group symbol (CLDR)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(lang) + get_group_symbol(lang)


def nice_axis(top: float) -> tuple[float, float]:
    """(axis top, tick step) for values from 0 to ``top``: a 1-2-5 step, about five ticks,
    and a top that is a labelled tick above every point (a 4.6% point never sits above a
    4% axis top)."""
    if not top > 0:
        return 1.0, 0.2
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    # one tick above the highest point, so its marker is drawn whole inside the plot
    return round((math.floor(top / step + 1e-9) + 1) * step, 12), step


def _values(traces: list[dict[str, Any]]) -> list[float]:
    return [v for t in traces for v in t["y"] if v is not None]


def _figure(
    title: str, traces: list[dict[str, Any]], lang: str, *, percent: bool = False
) -> dict | None:
    """The figure, or ``None`` when it has nothing to draw yet: no value, or only zeros
    (bare axes; the page says "no data yet" instead)."""
    values = _values(traces)
    if not any(values):
        return None
    top, step = nice_axis(max(max(values), 0.0))
    # months are labels ("2025-03"), not dates: a category axis keeps one tick per month
    layout = {
        **_LAYOUT,
        "title": {"text": title},
        "xaxis": {"type": "category"},
        "separators": separators(lang),
        "yaxis": {"range": [0, top], "dtick": step, "tickformat": ".0%" if percent else ","},
    }
    if percent and step < 0.01:
        layout["yaxis"]["tickformat"] = ".1%"
    return {"data": traces, "layout": layout}


def _line(name: str, x: list[str], y: list[Any], color: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": y,
        "line": {"color": color},
    }


def _bar(name: str, x: list[str], y: list[Any], color: str) -> dict[str, Any]:
    return {"type": "bar", "name": name, "x": x, "y": y, "marker": {"color": color}}


def kpi_charts(rows: list[MonthRow], lang: str) -> dict[str, dict | None]:
    """Figures of the monthly KPIs: volumes, rates, processing time, complaints, satisfaction
    (``None`` for a figure with no data yet)."""
    x = [r.month for r in rows]

    def t(key: str) -> str:
        return translate(key, lang)

    bars = [
        _bar(t("kpi_scored"), x, [r.scored for r in rows], "#0b4f6c"),
        _bar(t("kpi_flagged"), x, [r.flagged for r in rows], "#8a4b00"),
        _bar(t("kpi_decided"), x, [r.decided for r in rows], "#1d6b3a"),
    ]
    return {
        "volumes": _figure(t("chart_volumes"), bars, lang),
        "rates": _figure(
            t("chart_rates"),
            lang=lang,
            traces=[
                _line(t("kpi_flag_rate"), x, [r.flag_rate for r in rows], "#8a4b00"),
                _line(t("kpi_hit_rate"), x, [r.hit_rate for r in rows], "#a4161a"),
            ],
            percent=True,
        ),
        "processing": _figure(
            t("chart_processing"),
            lang=lang,
            traces=[
                _line(t("kpi_processing_p50"), x, [r.processing_p50 for r in rows], "#0b4f6c"),
            ],
        ),
        "complaints": _figure(
            t("chart_complaints"),
            lang=lang,
            traces=[
                _bar(t("kpi_complaints"), x, [r.complaints for r in rows], "#4a5560"),
                _bar(t("kpi_within_sla"), x, [r.complaints_within_sla for r in rows], "#1d6b3a"),
            ],
        ),
        "satisfaction": _figure(
            t("chart_satisfaction"),
            lang=lang,
            traces=[
                _line(t("kpi_satisfaction"), x, [r.satisfaction for r in rows], "#1d6b3a"),
            ],
        ),
    }


def fairness_chart(
    tables: dict[str | None, PublishedTable], lang: str, attribute: str = ""
) -> dict | None:
    """Flag rate by group over months, as published (suppressed cells are gaps).

    Small groups appear only inside the "other (suppressed)" line, never by name.
    """
    months = sorted(m for m in tables if m)
    groups = sorted({r.group for m in months for r in tables[m].rows if not r.other})
    palette = ["#0b4f6c", "#a4161a", "#1d6b3a", "#8a4b00", "#5b2a86", "#4a5560", "#00707a"]
    traces = []
    for i, g in enumerate([*groups, None]):
        by_month = {m: r.flag_rate for m in months for r in tables[m].rows if r.group == g}
        if g is None and not by_month:
            continue
        name = translate("tr_other_groups", lang) if g is None else shown_field(attribute, g, lang)
        traces.append(
            _line(name, months, [by_month.get(m) for m in months], palette[i % len(palette)])
        )
    return _figure(translate("chart_fairness", lang), traces, lang, percent=True)
