"""The case screen's complaint and satisfaction-rating forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from risk.errors import ConflictError, NotFoundError, RequestValidationError
from serving.services import COMPLAINT_CATEGORIES, add_feedback, open_complaint

from ._complaints import MAX_TEXT
from ._officer import case_screen
from ._render import PageUser, requires
from ._session import PageError, check_csrf

__all__ = ["MAX_COMMENT", "router"]

router = APIRouter(include_in_schema=False)

#: The longest rating comment accepted (as the API's schema).
MAX_COMMENT = 2000


def _complaint_problem(category: str, description: str) -> tuple[str, dict] | None:
    """What is wrong with a complaint form (message key and values), or ``None``."""
    if category not in COMPLAINT_CATEGORIES:
        return "cp_err_category", {}
    if not description.strip():
        return "cp_err_description", {}
    if len(description.strip()) > MAX_TEXT:
        return "cp_err_too_long", {"max": MAX_TEXT}
    return None


@router.post("/cases/{case_id}/complaints")
def record_complaint(
    request: Request,
    user: PageUser,
    case_id: int,
    csrf: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
):
    """Record a complaint on this case; its deadline follows the complaints service level."""
    requires(user, "complaints.create")
    check_csrf(user, csrf)
    problem = _complaint_problem(category, description)
    if problem is not None:
        return case_screen(
            request,
            user,
            case_id,
            status_code=422,
            complaint_problem=problem,
            complaint_form={"category": category, "description": description},
        )
    settings = request.app.state.settings
    try:
        with request.app.state.store.transaction() as session:
            complaint = open_complaint(
                session,
                user.principal,
                settings,
                clock=request.app.state.clock,
                category=category,
                description=description,
                case_id=case_id,
            )
            complaint_id = complaint.complaint_id
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"case {case_id}") from exc
    return RedirectResponse(f"/cases/{case_id}?complaint={complaint_id}#complaints", 303)


def _rating(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


@router.post("/cases/{case_id}/feedback")
def record_feedback(
    request: Request,
    user: PageUser,
    case_id: int,
    csrf: Annotated[str, Form()] = "",
    rating: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
):
    """Record the applicant's satisfaction (1-5, optional comment) once the case is decided."""
    requires(user, "feedback.create")
    check_csrf(user, csrf)
    form = {"rating": rating, "comment": comment}

    def again(status: int, key: str, **values):
        problem = (key, values)
        return case_screen(
            request, user, case_id, status_code=status, feedback_problem=problem, feedback_form=form
        )

    value = _rating(rating)
    if value is None:
        return again(422, "fb_err_rating")
    if len(comment.strip()) > MAX_COMMENT:
        return again(422, "fb_err_comment", max=MAX_COMMENT)
    try:
        with request.app.state.store.transaction() as session:
            add_feedback(
                session, user.principal, case_id, value, comment, clock=request.app.state.clock
            )
    except RequestValidationError:  # the service's own range check (1 to 5)
        return again(422, "fb_err_rating")
    except ConflictError as exc:  # no decision yet, or the case is already rated
        return again(
            409, "fb_already" if getattr(exc, "rule", None) == "rating_once" else "fb_err_undecided"
        )
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"case {case_id}") from exc
    return RedirectResponse(f"/cases/{case_id}?rated=1#feedback", 303)
