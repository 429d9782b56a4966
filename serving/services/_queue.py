"""The officers' queue: what a caseworker sees of each case in a list, found and ordered.

A blind-sample case must look like any other case in the list, so what a list shows of
a case's risk is the band as caseworkers see it before opening the case: ``high`` for a
flagged case in the high band, ``standard`` for every other case (a flagged case in the
medium band and a blind-sample case alike).  The order uses only what is shown (that
band, then waiting time), never the score or the route, so no position in the list tells
a blind-sample case apart.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.contract import VISA_TYPES
from risk.errors import RequestValidationError
from serving.store import Case, Decision, Score, Team, User, raw_table

from ._auth import Principal, require
from ._text import MAX_LINE, check_line

__all__ = [
    "QUEUE_SORTS",
    "QUEUE_VIEWS",
    "SHOWN_BANDS",
    "QueuePage",
    "QueueQuery",
    "QueueRow",
    "search_queue",
]

#: ``open``: undecided cases; ``decided``: the caller's own decided cases (their history).
QUEUE_VIEWS = ("open", "decided")
#: The bands a list shows (see the module's note on blind-sample cases).
SHOWN_BANDS = ("high", "standard")
#: ``priority``: high band first, then oldest first; ``waiting``: oldest first; ``newest``.
QUEUE_SORTS = ("priority", "waiting", "newest")
_STATUSES = ("open", "claimed")
_ASSIGNED = ("me", "unassigned")


@dataclass(frozen=True)
class QueueQuery:
    """What to list: a view, a search, filters, an order and a page.

    ``search`` matches an application, applicant or document id exactly (surrounding
    spaces ignored); empty strings mean "any".
    """

    view: str = "open"
    search: str = ""
    band: str = ""
    status: str = ""
    assigned: str = ""
    visa_type: str = ""
    sort: str = "priority"
    page: int = 1
    page_size: int = 25
    #: a team's name: only cases held by its members (a supervisor's team queue)
    team: str = ""


@dataclass(frozen=True)
class QueueRow:
    """One case as a list shows it to caseworkers."""

    case_id: int
    application_id: str
    applicant_id: str | None
    visa_type: str | None
    submitted_at: dt.datetime | None
    band: str
    status: str
    assigned_to: str | None
    created_at: dt.datetime
    waiting_days: float
    decided_at: dt.datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class QueuePage:
    """A page of rows, the number of matching cases and the number of pages.

    A page past the end has no rows and still knows ``pages``, so a screen can offer the
    way back to the last one.
    """

    rows: list[QueueRow] = field(default_factory=list)
    count: int = 0
    page: int = 1
    pages: int = 1


def _check(query: QueueQuery) -> QueueQuery:
    choices = {
        "view": (query.view, QUEUE_VIEWS, False),
        "band": (query.band, SHOWN_BANDS, True),
        "status": (query.status, _STATUSES, True),
        "assigned": (query.assigned, _ASSIGNED, True),
        "visa_type": (query.visa_type, VISA_TYPES, True),
        "sort": (query.sort, QUEUE_SORTS, False),
    }
    for name, (value, allowed, may_be_empty) in choices.items():
        if not (value in allowed or (may_be_empty and value == "")):
            raise RequestValidationError(
                f"queue {name} {value!r} is not one of {', '.join(allowed)}",
                detail=[{"loc": ["query", name], "msg": f"one of {', '.join(allowed)}"}],
            )
    if query.page < 1 or not 1 <= query.page_size <= 200:
        raise RequestValidationError("queue page must be 1 or more, page size 1 to 200")
    if len(query.search) > MAX_LINE:
        raise RequestValidationError(f"queue search is longer than {MAX_LINE} characters")
    try:
        check_line(query.search)
    except ValueError as exc:
        raise RequestValidationError(f"queue search: {exc}") from None
    return query


def _shown_band() -> sa.ColumnElement[str]:
    # models.ReviewPolicy.shows_model_output: a blind-sample case shows nothing of the
    # model (no band), decided or not; lists then show it as "standard" like the rest
    high = sa.and_(Score.band == "high", Case.blind.is_(False))
    return sa.case((high, sa.literal("high")), else_=sa.literal("standard"))


def _matching(query: QueueQuery, principal: Principal) -> sa.Select:
    apps, docs = raw_table("applications"), raw_table("documents")
    band = _shown_band().label("shown_band")
    stmt = (
        sa.select(Case, band, apps.c.applicant_id, apps.c.visa_type, apps.c.submitted_at)
        .join(Score, Score.score_id == Case.score_id)
        .outerjoin(apps, apps.c.application_id == Case.application_id)
    )
    if query.view == "decided":
        mine = sa.select(Decision.case_id).where(Decision.officer_id == principal.user_id)
        stmt = stmt.where(Case.status == "decided", Case.case_id.in_(mine))
    elif query.status:
        stmt = stmt.where(Case.status == query.status)
    else:
        stmt = stmt.where(Case.status != "decided")
    if query.band:
        stmt = stmt.where(band == query.band)
    if query.assigned == "me":
        stmt = stmt.where(Case.assigned_to == principal.user_id)
    elif query.assigned == "unassigned":
        stmt = stmt.where(Case.assigned_to.is_(None))
    if query.visa_type:
        stmt = stmt.where(apps.c.visa_type == query.visa_type)
    if query.team:
        members = sa.select(User.user_id).join(Team, Team.team_id == User.team_id)
        stmt = stmt.where(Case.assigned_to.in_(members.where(Team.name == query.team)))
    term = query.search.strip()
    if term:
        by_document = sa.select(docs.c.application_id).where(docs.c.document_id == term)
        stmt = stmt.where(
            sa.or_(
                Case.application_id == term,
                apps.c.applicant_id == term,
                Case.application_id.in_(by_document),
            )
        )
    return stmt


def _ordered(stmt: sa.Select, query: QueueQuery) -> sa.Select:
    if query.view == "decided":
        return stmt.order_by(Case.decided_at.desc(), Case.case_id.desc())
    if query.sort == "newest":
        return stmt.order_by(Case.created_at.desc(), Case.case_id.desc())
    oldest = (Case.created_at, Case.case_id)
    if query.sort == "waiting":
        return stmt.order_by(*oldest)
    rank = sa.case((_shown_band() == "high", 0), else_=1)
    return stmt.order_by(rank, *oldest)


def search_queue(
    session: Session, principal: Principal, query: QueueQuery, *, now: dt.datetime
) -> QueuePage:
    """A page of the queue (or of the caller's decided cases) as caseworkers see it.

    Parameters
    ----------
    session
        An open store session.
    principal
        The caller; officers and supervisors only (``cases.read``).  The ``decided`` view
        lists the cases the caller decided or amended, nobody else's.
    query
        The view, search, filters, order and page; a value outside its choices is
        refused with :class:`RequestValidationError` naming the field.
    now
        The service clock's instant: an undecided case has waited until then.
    """
    require(principal, "cases.read")
    query = _check(query)
    if (
        query.team
        and session.scalar(sa.select(Team.team_id).where(Team.name == query.team)) is None
    ):
        raise RequestValidationError(
            f"queue team {query.team!r} does not exist",
            detail=[{"loc": ["query", "team"], "msg": "an existing team"}],
        )
    stmt = _matching(query, principal)
    count = int(session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0)
    offset = (query.page - 1) * query.page_size
    found = session.execute(_ordered(stmt, query).limit(query.page_size).offset(offset)).all()
    cases = [row[0] for row in found]
    names = _names(session, {c.assigned_to for c in cases if c.assigned_to is not None})
    outcomes = _outcomes(session, [c.case_id for c in cases]) if query.view == "decided" else {}
    rows = [
        QueueRow(
            case_id=case.case_id,
            application_id=case.application_id,
            applicant_id=applicant,
            visa_type=visa,
            submitted_at=submitted,
            band=band,
            status=case.status,
            assigned_to=names.get(case.assigned_to) if case.assigned_to else None,
            created_at=case.created_at,
            waiting_days=((case.decided_at or now) - case.created_at).total_seconds() / 86400,
            decided_at=case.decided_at,
            outcome=outcomes.get(case.case_id),
        )
        for case, band, applicant, visa, submitted in found
    ]
    pages = max(1, math.ceil(count / query.page_size))
    return QueuePage(rows=rows, count=count, page=query.page, pages=pages)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(sa.select(User.user_id, User.username).where(User.user_id.in_(ids))).all()
    )


def _outcomes(session: Session, case_ids: list[int]) -> dict[int, str]:
    """The standing outcome of each case: its latest decision (an amendment if any)."""
    if not case_ids:
        return {}
    rows = session.execute(
        sa.select(Decision.case_id, Decision.outcome)
        .where(Decision.case_id.in_(case_ids))
        .order_by(Decision.created_at, Decision.decision_id)
    ).all()
    return {case_id: outcome for case_id, outcome in rows}
