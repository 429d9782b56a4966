"""The public transparency report: aggregates only, small cells suppressed, EN and ID.

Served without sign-in as a page, as a self-contained HTML download (styles inline, no
scripts, no network) and as CSV.  Nothing in it is about a person: counts, rates and
percentiles, every figure in the form :func:`serving.services.protect` and
:func:`serving.services.safe_rate` allow for ``settings.fairness.min_group_size``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from risk.clock import Clock
from serving.services import (
    Checkpoint,
    PublishedTable,
    audit_checkpoint_path,
    compute_kpis,
    read_checkpoints,
)

from ._aggregates import AUDIT_GROUPS, fairness_tables
from ._glossary import shown_field
from ._i18n import LANGS, format_number, format_percent, translate
from ._render import STATIC_DIR, render, templates
from ._session import current_user

__all__ = ["TransparencyReport", "build_transparency", "router", "to_csv"]

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class TransparencyReport:
    """What the public report says, as numbers (rendering is separate)."""

    kpis: dict[str, Any]
    groups: dict[str, PublishedTable]
    min_group_size: int
    #: The audit chain's latest published head (None before the first checkpoint).
    audit_head: Checkpoint | None = None

    def figures(self) -> list[tuple[str, Any, str]]:
        """(message key, value, kind) of the headline figures; kind is count/rate/days."""
        k = self.kpis
        return [
            ("tr_screened", k["scored"], "count"),
            ("tr_flag_rate", k["flag_rate"], "rate"),
            ("tr_reviewed", k["decided_cases"], "count"),
            ("tr_confirmed_rate", k["hit_rate_model_flag"], "rate"),
            ("tr_blind_rate", k["hit_rate_blind_sample"], "rate"),
            ("tr_override_rate", k["override_rate"], "rate"),
            ("tr_processing_p50", k["processing_days"]["p50"], "days"),
            ("tr_processing_p90", k["processing_days"]["p90"], "days"),
            ("tr_backlog", k["backlog"], "count"),
            ("tr_complaints", k["complaints_opened"], "count"),
            ("tr_complaints_answered", k["complaints_answered"], "count"),
            ("tr_complaints_sla", k["complaints_within_sla_rate"], "rate"),
            ("tr_satisfaction", k["satisfaction_mean"], "days"),
        ]


def build_transparency(
    session: Any, min_group_size: int, clock: Clock, audit_head: Checkpoint | None = None
) -> TransparencyReport:
    """Gather the report's aggregates from the store (and the audit head to publish)."""
    kpis = compute_kpis(session, clock=clock, min_count=min_group_size)
    groups = {a: fairness_tables(session, a, min_group_size)[None] for a in AUDIT_GROUPS}
    return TransparencyReport(
        kpis=kpis, groups=groups, min_group_size=min_group_size, audit_head=audit_head
    )


def _shown(value: Any, kind: str, lang: str) -> str:
    if kind == "rate":
        return format_percent(value, lang)
    return format_number(value, lang, 1 if kind == "days" else 0)


def to_csv(report: TransparencyReport, lang: str) -> str:
    """The report as CSV: ``section, measure, group, value`` in ``lang``; plain numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [translate(k, lang) for k in ("csv_section", "csv_measure", "csv_group", "csv_value")]
    )
    for key, value, _kind in report.figures():
        writer.writerow(
            [translate("tr_totals", lang), translate(key, lang), "", "" if value is None else value]
        )
    suppressed = translate("tr_suppressed_cell", lang)
    for attribute, table in report.groups.items():
        section = translate("attr_" + attribute, lang)
        for row in table.rows:
            group = translate("tr_other_groups", lang) if row.other else row.group
            for key, value in (
                ("kpi_scored", row.scored),
                ("kpi_flag_rate", row.flag_rate),
                ("kpi_hit_rate", row.hit_rate),
            ):
                shown = suppressed if value is None else value
                writer.writerow([section, translate(key, lang), group, shown])
    return out.getvalue()


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang")
    if lang in LANGS:
        return lang
    user = current_user(request)
    return user.lang if user else "en"


def _report(request: Request) -> TransparencyReport:
    settings = request.app.state.settings
    heads = read_checkpoints(audit_checkpoint_path(settings))
    with request.app.state.store.transaction() as session:
        return build_transparency(
            session,
            settings.fairness.min_group_size,
            request.app.state.clock,
            heads[-1] if heads else None,
        )


@router.get("/transparency", response_class=HTMLResponse)
def transparency_page(request: Request) -> HTMLResponse:
    """The public report as a page (no sign-in needed)."""
    lang = _lang(request)
    user = current_user(request)
    if user is not None:
        user = type(user)(user.principal, lang, user.csrf)
    return render(
        request,
        "web/transparency.html",
        user,
        report=_report(request),
        shown=_shown,
        standalone=False,
    )


@router.get("/transparency/report.html")
def transparency_download(request: Request) -> HTMLResponse:
    """The report as one self-contained HTML file (styles inline, no scripts)."""
    lang = _lang(request)
    css = (STATIC_DIR / "report.css").read_text(encoding="utf-8")
    body = templates.get_template("web/transparency_standalone.html").render(
        report=_report(request),
        shown=_shown,
        css=css,
        lang=lang,
        t=lambda key, **kw: translate(key, lang, **kw),
        num=lambda v, d=0: format_number(v, lang, d),
        pct=lambda v, d=1: format_percent(v, lang, d),
        field=lambda name, v: shown_field(name, v, lang),
    )
    headers = {"Content-Disposition": f'attachment; filename="amanah-transparency-{lang}.html"'}
    return HTMLResponse(body, headers=headers)


@router.get("/transparency/report.csv")
def transparency_csv(request: Request) -> Response:
    """The report's figures as CSV."""
    lang = _lang(request)
    headers = {"Content-Disposition": f'attachment; filename="amanah-transparency-{lang}.csv"'}
    return Response(
        to_csv(_report(request), lang), media_type="text/csv; charset=utf-8", headers=headers
    )
