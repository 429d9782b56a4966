"""The complaints desk's follow-up steps: recorded by the handler, read by the complainant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from risk.errors import ConflictError, NotFoundError, PermissionDeniedError, RequestValidationError
from serving.services import add_complaint_step

from ._complaints import _complaint_page, _refused
from ._render import PageUser, requires
from ._session import PageError, check_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post("/complaints/{complaint_id}/steps", response_class=HTMLResponse)
def add_step(
    request: Request,
    user: PageUser,
    complaint_id: int,
    csrf: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=5000)] = "",
):
    """Record a follow-up step on the complaint (its handler or a supervisor)."""
    requires(user, "complaints.handle")
    check_csrf(user, csrf)
    try:
        with request.app.state.store.transaction() as session:
            add_complaint_step(
                session, user.principal, complaint_id, text, clock=request.app.state.clock
            )
    except RequestValidationError as exc:
        return _complaint_page(
            request, user, complaint_id, status_code=422,
            problem=("refused", {"msg": exc.message}),
        )  # fmt: skip
    except NotFoundError as exc:
        raise PageError(404, "error_not_found", what=f"complaint {complaint_id}") from exc
    except (ConflictError, PermissionDeniedError) as exc:
        return _refused(request, user, complaint_id, exc)
    return RedirectResponse(f"/complaints/{complaint_id}?done=step#steps-h", status_code=303)
