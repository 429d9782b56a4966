"""The monitoring page (oversight): drift heat map, score-shift attribution, estimated and
realised performance, live fairness and the alert history.  Aggregates only."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from serving.services import latest_monitor_run, list_alerts

from ._charts import separators
from ._i18n import translate
from ._render import PageUser, render, requires

__all__ = ["alert_text", "monitor_summary", "router"]

router = APIRouter(include_in_schema=False)

_LABEL_KEYS = (
    "chunk",
    "feature",
    "drifted",
    "attribution",
    "estimated",
    "realised",
    "precision",
    "recall",
)
_TOP = 8


def alert_text(alert: Any, lang: str) -> str:
    """An alert in the reader's language, from its fields (the stored message is English)."""
    return translate(f"mon_kind_{alert.kind}", lang, feature=alert.feature or "")


def monitor_summary(session: Any) -> dict[str, Any]:
    """The latest run and the newest alerts, for the oversight and supervision panels."""
    run = latest_monitor_run(session)
    return {"run": run, "alerts": list_alerts(session, limit=5)}


def _attribution_lines(chunk: dict[str, Any], lang: str) -> list[str]:
    out = []
    for name, value in list((chunk.get("attribution") or {}).items())[:_TOP]:
        key = "mon_attr_raised" if value > 0 else "mon_attr_lowered"
        out.append(translate(key, lang, feature=name, value=f"{abs(value):.3f}"))
    return out


def _figures(report: dict[str, Any], lang: str) -> dict[str, str]:
    from models.monitoring import monitor_figures

    labels = {k: translate(f"mon_lbl_{k}", lang) for k in _LABEL_KEYS}
    figures = monitor_figures(report, labels)
    for fig in figures.values():
        if fig:  # numbers on the axes in the page language's style
            fig["layout"]["separators"] = separators(lang)
    # "</" escaped: the JSON sits inside a <script type="application/json"> element
    return {k: json.dumps(v).replace("</", "<\\/") for k, v in figures.items() if v}


@router.get("/oversight/monitoring", response_class=HTMLResponse)
def monitoring_page(request: Request, user: PageUser) -> HTMLResponse:
    """The latest monitoring report and the alert history."""
    requires(user, "kpis.read")
    with request.app.state.store.reading() as session:
        run = latest_monitor_run(session)
        alerts = list_alerts(session, limit=100)
    report = run.report if run is not None else None
    tested = [c for c in (report or {}).get("chunks", []) if c.get("status") == "tested"]
    last = tested[-1] if tested else None
    return render(
        request,
        "web/monitoring.html",
        user,
        run=run,
        report=report,
        last=last,
        lines=_attribution_lines(last, user.lang) if last else [],
        charts=_figures(report, user.lang) if tested else {},
        alerts=[(a, alert_text(a, user.lang)) for a in alerts],
    )
