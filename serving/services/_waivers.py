"""Four eyes on a model release: who may request and approve a waiver, checked here.

The registry (:mod:`experiments`) records requests and approvals; this module makes
sure the people behind them are real: signed in as themselves, active, and holding
the role (``model.waiver.request``, ``model.waiver.approve``), and it writes both
identities to the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import NotFoundError, PermissionDeniedError
from risk.settings import Settings
from serving.store import User

from ._audit import append_audit
from ._auth import PERMISSIONS, Principal
from ._rules import refuse

__all__ = ["approve_model_waiver", "request_model_waiver"]


def _allowed(
    session: Session, who: Principal, permission: str, rule: str, settings: Settings
) -> None:
    """Refuse unless ``who`` is, right now, an active user whose role holds ``permission``."""
    user = session.get(User, who.user_id)
    if user is None or not user.active or user.username != who.username:
        raise refuse(PermissionDeniedError, "waiver_inactive", username=who.username)
    if user.role not in PERMISSIONS[permission]:
        roles = " or ".join(sorted(PERMISSIONS[permission]))
        raise refuse(
            PermissionDeniedError, rule, roles=roles, username=user.username, role=user.role
        )
    from experiments import registry_exists

    if not registry_exists(settings):
        raise NotFoundError("there is no model registry yet: train and register a model first")


def request_model_waiver(
    session: Session, who: Principal, version: str, reason: str, settings: Settings, *, clock: Clock
) -> dict[str, Any]:
    """Record ``who``'s request to promote ``version`` despite its failed checks (audited)."""
    from experiments import request_waiver

    _allowed(session, who, "model.waiver.request", "waiver_request_role", settings)
    record = request_waiver(version, by=who.username, reason=reason, settings=settings)
    append_audit(
        session,
        clock=clock,
        actor=who.username,
        action="model.waiver.request",
        entity_type="model",
        entity_id=record["version"],
        details={"reason": record["waiver"]["reason"], "failed": record["failed"]},
    )
    return record


def approve_model_waiver(
    session: Session, who: Principal, version: str, settings: Settings, *, clock: Clock, via: str
) -> dict[str, Any]:
    """Approve the open waiver of ``version`` as ``who`` and promote it (audited).

    Parameters
    ----------
    who
        The approver, authenticated by their own sign-in, API token or password.
    via
        ``"web"``, ``"api"`` or ``"cli"``: how they signed in.

    Raises
    ------
    PermissionDeniedError
        ``who`` is inactive or does not hold ``model.waiver.approve``.
    PromotionRefusedError
        ``who`` requested the waiver or trained the model.
    ConflictError
        No open request for ``version``.
    """
    from experiments import approve_waiver

    _allowed(session, who, "model.waiver.approve", "waiver_approve_role", settings)
    record = approve_waiver(
        version, approver=who.username, role=who.role, via=via, settings=settings
    )
    waiver = record["waiver"]
    append_audit(
        session,
        clock=clock,
        actor=who.username,
        action="model.promote",
        entity_type="model",
        entity_id=record["version"],
        details={
            "requested_by": waiver["requested_by"],
            "approved_by": waiver["approved_by"],
            "reason": waiver["reason"],
            "failed": record["failed"],
            "previous_champion": record["previous_champion"],
        },
    )
    return record
