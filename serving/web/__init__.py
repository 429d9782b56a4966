"""The case screens and the oversight portal in the browser, in English and Bahasa Indonesia.

Pages are rendered on the server with Jinja2 (``serving/templates/web``) from the serving
services; hand-written CSS and a little JavaScript live in ``serving/static``, and charts
use the plotly.js that ships inside the ``plotly`` package (served locally, never a CDN).

Screens
-------
``/login``, ``/logout``, ``/lang``
    Sign-in with the API's users and roles (signed cookie, CSRF on every form); the
    language switch, remembered per user.
``/queue`` (officers, supervisors)
    Undecided cases with application id, visa type, submitted date, the band as lists
    show it (high or standard: a blind-sample case reads like any other), waiting time
    and service level; search by application, applicant or document id; filters by band,
    status, assignee and visa type; pages; ``?view=decided``: the caller's decided cases.
``/cases/{id}`` (officers, supervisors)
    Band, calibrated score and "a flag is not a finding"; reasons with a bar per
    contribution (raised and lowered); the application beside its documents with every
    check (MRZ check digits, MRZ vs page, validity, chip, face, tamper); the applicant's
    timeline; decisions and complaints; the decision form (outcome, violation types,
    mandatory reason; claim, release, amend); a form to record a complaint on the case
    and, once decided, the applicant's satisfaction rating (1-5).  Blind samples show no
    score or reasons until decided.
``/complaints``, ``/complaints/{id}`` (officers, supervisors)
    The complaints desk: category, linked application and case, handler, opened date,
    deadline and service-level state, filters by status and "mine", most urgent first;
    one complaint with its written response form and, for supervisors, the handler.
``/supervisor`` (supervisors)
    Load per officer and team, team queues (``?team=``), the undecided cases paged and
    sortable, reassignment (no officer preselected), service-level breaches, the kill
    switch (confirmation and a recorded reason).
``/admin`` (admins)
    People (add with a shown-once password, deactivate, reset password, roles, teams),
    API tokens (list, revoke) and sign-in locks (lift); every change audited.
``/oversight``, ``/oversight/fairness``, ``/oversight/model``, ``/oversight/features``
    KPIs with charts, live flag and hit rates by group over time (small groups
    suppressed), the champion's report (model card, explanations, fairness) and the
    promotion history with waivers, the feature catalogue.  Aggregates only.
``/status`` (applicants, with reference and access code)
    The application's stage and dates, the notice that a risk-triage tool may select it
    for human review and never refuses anyone; the applicant's complaints (with
    deadlines, follow-up and answers) and satisfaction survey.
``/transparency`` (public), ``/transparency/report.html``, ``/transparency/report.csv``
    The public report in English or Indonesian, as a page, a self-contained HTML file and CSV.

Public API
----------
router
    Every page (include it in the app, or call :func:`install`).
install(app)
    Include :data:`router`, mount the static files and answer page errors with HTML.
translate(key, lang, **values), format_date, format_datetime, format_number, format_percent
    The message catalogue and locale-aware formatting.
document_checks(doc, application) -> list[Check]
    The case screen's document checks.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from . import (
    _account,
    _admin,
    _assets,
    _auth_pages,
    _case_forms,
    _complaint_steps,
    _complaints,
    _monitoring,
    _officer,
    _oversight,
    _public,
    _supervisor,
    _surveys,
    _transparency,
    _vendor,
)
from ._checks import Check, document_checks
from ._i18n import (
    LANGS,
    MESSAGES,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    translate,
)
from ._page_errors import install_page_errors
from ._render import render
from ._session import PageError, SignInRequired, current_user

__all__ = [
    "LANGS",
    "MESSAGES",
    "Check",
    "PageError",
    "document_checks",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "install",
    "router",
    "translate",
]

router = APIRouter(include_in_schema=False)
for _module in (
    _assets,
    _auth_pages,
    _admin,
    _officer,
    _case_forms,
    _complaints,
    _supervisor,
    _oversight,
    _monitoring,
    _vendor,
    _transparency,
    _public,
    _complaint_steps,
    _surveys,
    _account,
):
    router.include_router(_module.router)


async def _sign_in_first(request: Request, exc: SignInRequired) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)


async def _page_error(request: Request, exc: PageError) -> HTMLResponse:
    user = current_user(request)
    return render(
        request, "web/error.html", user, status_code=exc.status, key=exc.key, values=exc.values
    )


def install(app: FastAPI) -> None:
    """Add the pages to ``app``: the router, ``/static`` and the HTML error answers
    (after the API's error handlers, which keep answering everything but the screens)."""
    app.include_router(router)  # /static/* through _assets: compressed, versioned, cached
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(PageError, _page_error)
    install_page_errors(app)
