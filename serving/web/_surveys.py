"""Supervisors moderate applicants' survey comments before anything shows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import ConflictError, NotFoundError
from serving.services import moderate_survey, pending_surveys, rule_text

from ._render import PageUser, render, requires
from ._session import PageError, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, user, status_code: int = 200, **extra) -> HTMLResponse:
    with request.app.state.store.reading() as session:
        rows = [
            {"survey_id": s.survey_id, "rating": s.rating, "comment": s.comment,
             "created_at": s.created_at}
            for s in pending_surveys(session, user.principal)
        ]  # fmt: skip
    return render(request, "web/surveys.html", user, status_code=status_code, rows=rows, **extra)


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, user: PageUser, done: str = "") -> HTMLResponse:
    """Survey comments waiting for a supervisor's approval, oldest first."""
    requires(user, "surveys.moderate")
    return _page(request, user, done=done if done in ("approved", "rejected") else "")


@router.post("/surveys/{survey_id}", response_class=HTMLResponse)
def moderate(
    request: Request,
    user: PageUser,
    survey_id: int,
    csrf: Annotated[str, Form(max_length=200)] = "",
    decision: Annotated[str, Form(max_length=10)] = "",
):
    """Approve or reject one comment (audited)."""
    requires(user, "surveys.moderate")
    check_csrf(user, csrf)
    if decision not in ("approve", "reject"):
        raise PageError(422, "refused", msg=f"decision {decision!r}")
    try:
        with request.app.state.store.transaction() as session:
            moderate_survey(
                session,
                user.principal,
                survey_id,
                decision == "approve",
                clock=request.app.state.clock,
            )
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"survey {survey_id}") from exc
    except ConflictError as exc:
        return _page(request, user, 409, problem=rule_text(exc, user.lang))
    done = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(f"/surveys?done={done}", status_code=303)
