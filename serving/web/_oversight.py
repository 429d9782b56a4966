"""The oversight portal (auditors, analysts, supervisors, admins): aggregates only.

KPIs with charts, live fairness by group over time, the champion model's card,
explanation and fairness report (built by ``experiments``), the promotion history with
waivers, and the feature catalogue.  No page here shows a row about a person.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Annotated, Any

import plotly
from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from risk.errors import ConflictError, NotFoundError, PromotionRefusedError
from serving._security import scrub
from serving.services import (
    FAIRNESS_GROUPS,
    approve_model_waiver,
    compute_kpis,
    fairness_tables,
    monthly,
    reviews_frame,
)

from ._charts import fairness_chart, kpi_charts
from ._evidence_view import evidence_panel
from ._glossary import feature_texts
from ._monitoring import alert_text, monitor_summary
from ._reasons_view import example_reasons, typical_values
from ._render import PageUser, render, requires
from ._session import PageError, WebUser, check_csrf

__all__ = ["PLOTLY_JS", "router"]

log = logging.getLogger("serving.web")
router = APIRouter(include_in_schema=False)

#: The plotly.js bundled with the ``plotly`` package: served locally, never from a CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


@router.get("/oversight", response_class=HTMLResponse)
def oversight_page(request: Request, user: PageUser) -> HTMLResponse:
    """KPIs with charts (processing time, backlog, flag and hit rates, complaints, satisfaction)."""
    requires(user, "kpis.read")
    with request.app.state.store.transaction() as session:
        kpis = compute_kpis(
            session,
            clock=request.app.state.clock,
            min_count=request.app.state.settings.fairness.min_group_size,
        )
        rows = monthly(session, request.app.state.settings.fairness.min_group_size)
        monitoring = monitor_summary(session)
        estimates = _estimates(request, session)
    monitoring["alerts_text"] = [(a, alert_text(a, user.lang)) for a in monitoring["alerts"]]
    charts = {
        k: None if v is None else json.dumps(v) for k, v in kpi_charts(rows, user.lang).items()
    }
    return render(
        request,
        "web/oversight.html",
        user,
        kpis=kpis,
        months=rows,
        charts=charts,
        monitoring=monitoring,
        estimates=estimates,
    )


def _estimates(request: Request, session: Any) -> dict[str, Any] | None:
    """The served model's figures estimated from the blind sample (None: no score of it)."""
    import datetime as dt

    import polars as pl

    from models import estimate_reviews

    version = request.app.state.model_holder.version
    cut = request.app.state.clock.now() + dt.timedelta(microseconds=1)
    reviews = reviews_frame(session, cut).filter(pl.col("model_version") == str(version))
    if version is None or reviews.is_empty():
        return None
    result = estimate_reviews(reviews)
    return {"model": version, "rows": [*result["months"], result["overall"]]}


@router.get("/oversight/fairness", response_class=HTMLResponse)
def fairness_page(request: Request, user: PageUser, attribute: str = "nationality") -> HTMLResponse:
    """Live flag and hit rates by group, overall and by month, small groups suppressed."""
    requires(user, "kpis.read")
    if attribute not in FAIRNESS_GROUPS:
        raise PageError(404, "error_not_found", what=f"attribute {attribute!r}")
    min_size = request.app.state.settings.fairness.min_group_size
    with request.app.state.store.transaction() as session:
        overall = fairness_tables(session, attribute, min_size)[None]
        by_month = fairness_tables(session, attribute, min_size, by_month=True)
    return render(
        request,
        "web/fairness.html",
        user,
        attribute=attribute,
        attributes=FAIRNESS_GROUPS,
        overall=overall,
        min_size=min_size,
        chart=_json(fairness_chart(by_month, user.lang, attribute)),
    )


def _json(figure: dict | None) -> str | None:
    return None if figure is None else json.dumps(figure)


def model_registry(settings: Any) -> dict[str, Any]:
    """Registered versions and the promotion history, or why they are not available."""
    try:
        from experiments import list_versions, pending_waivers, promotion_history, registry_exists
    except ImportError as exc:
        return {"available": False, "why": f"experiments is not installed ({exc})"}
    if not registry_exists(settings):
        return {"available": False, "why": "no model registry yet"}
    try:
        versions, history = list_versions(settings), promotion_history(settings)
        pending = pending_waivers(settings)
    except Exception as exc:  # an optional panel: a broken registry must not break the portal
        log.warning("model registry unavailable: %s", exc)
        return {"available": False, "why": scrub(str(exc))}
    champion = next((v for v in versions if "champion" in v.get("aliases", [])), None)
    return {
        "available": True,
        "versions": versions,
        "history": history,
        "champion": champion,
        "pending": pending,
    }


@router.get("/oversight/model", response_class=HTMLResponse)
def model_page(request: Request, user: PageUser, approved: str = "") -> HTMLResponse:
    """The champion: model card, explanation and fairness report; promotions with waivers."""
    requires(user, "kpis.read")
    registry = model_registry(request.app.state.settings)
    done = approved if approved.isdigit() else ""
    return render(
        request, "web/model.html", user, registry=registry, approved=done, metric=_metric(user),
        evidence=evidence_panel(request, user.lang),
    )  # fmt: skip


def _metric(user: WebUser):
    """Metric keys (a gate's failed checks) in words, in the user's language."""

    def label(key: str) -> str:
        try:
            from experiments import metric_label
        except ImportError:  # experiments not installed: the key is all there is
            return key
        return metric_label(key, user.lang)

    return label


def _refusal(exc: Exception, user: WebUser, version: str, pending: list[dict]) -> str:
    """The screen message (a key of both languages) for a refused approval."""
    if isinstance(exc, PromotionRefusedError):
        asked = next((p["requested_by"] for p in pending if p["version"] == version), "")
        mine = user.principal.username.casefold() == asked.casefold()
        return "ov_waiver_self" if mine else "ov_waiver_trainer"
    if "already the champion" in getattr(exc, "message", ""):
        return "ov_waiver_champion"
    return "ov_waiver_none"


@router.post("/oversight/model/waivers/{version}/approve", response_class=HTMLResponse)
def approve_waiver(
    request: Request, user: PageUser, version: int, csrf: Annotated[str, Form()] = ""
):
    """Approve a waiver request as the signed-in supervisor (four eyes); promotes the version."""
    requires(user, "model.waiver.approve")
    check_csrf(user, csrf)
    settings = request.app.state.settings
    before = model_registry(settings)
    if not before["available"]:
        raise PageError(404, "error_not_found", what=f"model version {version}")
    try:
        with request.app.state.store.transaction() as session:
            approve_model_waiver(
                session,
                user.principal,
                str(version),
                settings,
                clock=request.app.state.clock,
                via="web",
            )
    except (PromotionRefusedError, ConflictError, NotFoundError) as exc:
        key = _refusal(exc, user, str(version), before["pending"])
        registry = model_registry(settings)
        return render(
            request,
            "web/model.html",
            user,
            status_code=409,
            registry=registry,
            approved="",
            problem=key,
            problem_version=version,
            metric=_metric(user),
            evidence=evidence_panel(request, user.lang),
        )
    return RedirectResponse(f"/oversight/model?approved={version}", status_code=303)


#: A registered version as MLflow writes it: ASCII digits without leading zeros.
_CANONICAL_VERSION = re.compile(r"[1-9][0-9]{0,9}")
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")


@router.get("/oversight/model/report/{version}", response_class=FileResponse)
def model_report(request: Request, user: PageUser, version: str) -> Response:
    """The oversight report of a registered version (built once, then served from disk)."""
    requires(user, "kpis.read")
    settings = request.app.state.settings
    # Only the canonical spelling names a folder: "01", "001" or an Arabic-Indic digit
    # would each build (and store) the same report again.
    if _ASCII_NUMBER.fullmatch(version) and int(version) > 0 and str(int(version)) != version:
        return RedirectResponse(f"/oversight/model/report/{int(version)}", status_code=308)
    if not _CANONICAL_VERSION.fullmatch(version) or not model_registry(settings)["available"]:
        raise PageError(404, "error_not_found", what=f"model version {version}")
    from experiments import REPORT_FILE, build_report

    out = settings.data_dir / "reports" / f"v{version}"
    path = out / REPORT_FILE
    if not path.exists():
        path = build_report(version, out, settings=settings)
    return FileResponse(path, media_type="text/html")


@router.get("/oversight/features", response_class=HTMLResponse)
def features_page(request: Request, user: PageUser) -> HTMLResponse:
    """The feature catalogue: what each signal measures, why, and how reasons are worded."""
    requires(user, "kpis.read")
    from features import catalogue

    cat = catalogue()
    holder = request.app.state.model_holder
    typical = typical_values(holder.bundle.reference if holder.loaded else None)
    rows = [
        {
            "name": s.name,
            "inputs": s.inputs,
            **feature_texts(s, user.lang),
            "examples": example_reasons(s, user.lang, typical),
        }
        for s in cat.specs
    ]
    return render(
        request,
        "web/features.html",
        user,
        specs=rows,
        catalogue_hash=cat.hash(),
        at_typical=bool(typical),
    )
