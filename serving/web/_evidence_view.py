"""The evidence panels of /oversight/model: shadow scoring and the latest comparison."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import Request

from serving.services import shadow_switch_on

from ._i18n import format_number, translate

__all__ = ["evidence_panel"]

log = logging.getLogger("serving.web")

_CHART_LABELS = (
    "precision", "recall", "difference", "estimates_title", "difference_title", "both",
    "champion_only", "challenger_only", "flags", "overlap_title", "champion", "challenger",
)  # fmt: skip


def _shadow(request: Request) -> dict[str, Any]:
    state = request.app.state
    with state.store.reading() as session:
        enabled = shadow_switch_on(session, state.settings)
    return {"enabled": enabled, "status": state.shadow.status()}


def _latest(settings: Any) -> dict[str, Any] | None:
    try:
        from experiments import CHALLENGER, latest_comparison, registry_exists
        from experiments._registry import alias_version
        from experiments._tracking import client_for
    except ImportError:  # experiments not installed: no comparisons to show
        return None
    if not registry_exists(settings):
        return None
    try:
        mv = alias_version(client_for(settings), settings, CHALLENGER)
        return None if mv is None else latest_comparison(settings, mv.version)
    except Exception as exc:  # an optional panel: a broken registry must not break the page
        log.warning("comparison unavailable: %s", exc)
        return None


def _signed(value: float, lang: str) -> str:
    """``+0.050`` / ``-0.050`` in the page's number style (``+0,050`` in Indonesian)."""
    text = format_number(abs(value), lang, 3)
    return ("+" if value >= 0 else "-") + text


def _lines(summary: dict[str, Any], lang: str) -> list[str]:
    out = []
    for name in ("precision", "recall"):
        est = summary.get("estimates", {}).get("difference", {})
        value, ci = est.get(name), est.get(f"{name}_ci")
        what = translate(f"ev_{name}", lang)
        verdict = summary["checks"].get(name, "inconclusive")
        if value is None or ci is None:
            out.append(translate("ev_line_missing", lang, what=what))
            continue
        out.append(
            translate(
                "ev_line", lang, what=what, value=_signed(value, lang), low=_signed(ci[0], lang),
                high=_signed(ci[1], lang), verdict=translate(f"ev_verdict_{verdict}", lang),
            )
        )  # fmt: skip
    return out


def evidence_panel(request: Request, lang: str) -> dict[str, Any]:
    """Shadow scoring's state and the challenger's latest comparison, ready to render."""
    from models import compare_figures

    comparison = _latest(request.app.state.settings)
    charts: dict[str, str] = {}
    if comparison and comparison.get("estimates"):
        labels = {k: translate(f"ev_{k}", lang) for k in _CHART_LABELS}
        figures = compare_figures(comparison, labels)
        charts = {k: json.dumps(v).replace("</", "<\\/") for k, v in figures.items()}
    return {
        "shadow": _shadow(request),
        "comparison": comparison,
        "lines": _lines(comparison, lang) if comparison else [],
        "charts": charts,
    }
