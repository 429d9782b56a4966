"""The public transparency report: aggregates only, small cells suppressed, EN and ID.

Served without sign-in as a page, as a self-contained HTML download (styles inline, no
scripts, no network) and as CSV.  Nothing in it is about a person: counts, rates and
percentiles, every figure in the form :func:`serving.services.protect` and
:func:`serving.services.safe_rate` allow for ``settings.fairness.min_group_size``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from risk.clock import Clock
from serving.services import (
    FAIRNESS_GROUPS,
    ChangeEntry,
    Checkpoint,
    PublishedTable,
    approved_comments,
    audit_checkpoint_path,
    compute_kpis,
    fairness_tables,
    public_changelog,
    public_channel_figures,
    read_checkpoints,
)

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
    #: Applicants' surveys and complaints (:func:`serving.services.public_channel_figures`).
    channel: dict[str, Any] = field(default_factory=dict)
    #: Survey comments a supervisor approved for publication.
    comments: list[str] = field(default_factory=list)
    #: Model promotions and review-capacity changes, newest first.
    changes: list[ChangeEntry] = field(default_factory=list)

    def channel_figures(self) -> list[tuple[str, Any, str]]:
        """(message key, value, kind) of what applicants told the service."""
        return [(m, self.channel[k], kind) for m, k, kind in _CHANNEL_FIGURES if k in self.channel]

    def change_rows(self, lang: str) -> list[tuple[str, str, str, str]]:
        """(date, what changed, fairness, waiver) of each change, in ``lang``."""
        return [change_row(e, lang) for e in self.changes]

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


#: (message key, key of :func:`serving.services.public_channel_figures`, kind).
_CHANNEL_FIGURES = (
    ("tr_survey_eligible", "survey_eligible", "count"),
    ("tr_survey_responses", "survey_responses", "count"),
    ("tr_survey_response_rate", "survey_response_rate", "rate"),
    ("tr_survey_mean", "survey_mean", "days"),
    ("tr_officer_ratings", "officer_ratings", "count"),
    ("tr_applicant_complaints", "applicant_complaints", "count"),
    ("tr_applicant_answered", "applicant_complaints_answered", "count"),
    ("tr_applicant_sla", "applicant_complaints_within_sla_rate", "rate"),
    ("tr_explanations", "explanation_requests", "count"),
)


def build_transparency(
    session: Any,
    min_group_size: int,
    clock: Clock,
    audit_head: Checkpoint | None = None,
    promotions: list[dict[str, Any]] | None = None,
) -> TransparencyReport:
    """Gather the report's aggregates from the store (and the audit head to publish).

    ``promotions`` are the registry's promotion attempts (the changelog's models).
    """
    kpis = compute_kpis(session, clock=clock, min_count=min_group_size)
    groups = {a: fairness_tables(session, a, min_group_size)[None] for a in FAIRNESS_GROUPS}
    return TransparencyReport(
        kpis=kpis,
        groups=groups,
        min_group_size=min_group_size,
        audit_head=audit_head,
        channel=public_channel_figures(session, min_group_size),
        comments=approved_comments(session),
        changes=public_changelog(session, promotions or []),
    )


def _setting_value(key: str, value: Any, lang: str) -> str:
    if value is None:  # never set: the model bundle's threshold, the configured rate
        return translate("chg_model_own" if key == "chg_threshold" else "chg_default", lang)
    if isinstance(value, bool):  # the kill switch: a state, not a number
        return translate("kill_state_on" if value else "kill_state_off", lang)
    if key == "chg_blind_sample_rate":
        return format_percent(value, lang, 1)
    return format_number(value, lang, 3)


def change_row(entry: ChangeEntry, lang: str) -> tuple[str, str, str, str]:
    """One change as the report's table shows it: date, words, fairness, waiver."""
    values = dict(entry.values)
    if entry.kind == "capacity":
        values["role"] = translate(f"role_{values['role']}", lang) if values["role"] in (
            "officer", "supervisor", "analyst", "auditor", "admin"
        ) else values["role"]  # fmt: skip
        for k in ("old", "new"):
            values[k] = _setting_value(entry.key, values.get(k), lang)
    fairness = ""
    if entry.kind == "model":
        verdict = entry.fairness if entry.fairness in ("pass", "fail") else "other"
        fairness = translate(f"chg_fair_{verdict}", lang)
    waiver = translate("chg_waiver_none", lang) if entry.kind == "model" else ""
    if entry.waiver_role:
        found = ", ".join(
            translate("chg_check_" + ("fairness" if c == "fairness" else "quality"), lang)
            for c in entry.waived
        )
        role = translate(f"role_{entry.waiver_role}", lang)
        waiver = translate("chg_waiver", lang, role=role, found=found or "–")
    return entry.at.strftime("%Y-%m-%d"), translate(entry.key, lang, **values), fairness, waiver


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
    for key, value, _kind in report.figures() + report.channel_figures():
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


def _promotions(settings: Any) -> list[dict[str, Any]]:
    """The registry's promotion log, or none when the service has no registry."""
    try:
        from experiments import promotion_history, registry_exists

        return promotion_history(settings) if registry_exists(settings) else []
    except Exception:  # the report still answers; the changelog then lists settings only
        import logging

        logging.getLogger("serving.web").exception("promotion history unavailable")
        return []


def _report(request: Request) -> TransparencyReport:
    settings = request.app.state.settings
    heads = read_checkpoints(audit_checkpoint_path(settings))
    promotions = _promotions(settings)
    with request.app.state.store.transaction() as session:
        return build_transparency(
            session,
            settings.fairness.min_group_size,
            request.app.state.clock,
            heads[-1] if heads else None,
            promotions,
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
