"""The analyst's steps: register and promote a model, and the monthly retraining.

Promotion goes through the registry's gate; where the gate refuses, the analyst requests a
waiver and the supervisor approves it in the store, as the service's rules require (the
simulation must keep operating, and the waiver says so on the record).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from risk.settings import Settings

__all__ = ["register_and_promote"]


def register_and_promote(
    settings: Settings,
    result: Any,
    data_dir: Path,
    *,
    store: Any,
    clock: Any,
    by: str,
    approver: str,
    why: str = "synthetic data",
) -> tuple[str | None, str]:
    """Audit, log and promote ``result``; returns ``(registry version, what happened)``.

    A refused gate gets a waiver requested by ``by`` and approved in the store by
    ``approver`` (a supervisor, a second person), both recorded.  The version is ``None``
    when the registry or the fairness audit is unavailable (the bundle is then served
    directly); the text says why.
    """
    try:
        from experiments import audit_training_result, log_training_run, promote, request_waiver
    except ImportError:
        return None, "registry unavailable (experiments package missing); serving the bundle"
    from risk.errors import PromotionRefusedError

    try:
        evidence = audit_training_result(result, settings)
    except Exception as exc:
        return None, (
            f"fairness audit failed ({type(exc).__name__}: {exc}); the model was"
            " NOT registered; serving the bundle directly"
        )
    run = log_training_run(
        result, settings=settings, data_dir=data_dir, trained_by=by, audit=evidence
    )
    try:
        promote(run.version, by=by, settings=settings)
        return str(run.version), f"version {run.version} passed the gate and is champion"
    except PromotionRefusedError as exc:
        failed = [c["check"] for c in exc.checks if c.get("gated", True) and not c["passed"]]
        reason = f"{why.capitalize()}: gate checks {failed} waived to keep the service running"
        request_waiver(run.version, by=by, settings=settings, reason=reason)
        _approve(store, clock, settings, str(run.version), approver)
        return str(run.version), (
            f"version {run.version} failed {failed}; promoted under a waiver requested by"
            f" {by} (analyst) and approved by {approver} (supervisor, a second person)"
        )


def _approve(store: Any, clock: Any, settings: Settings, version: str, approver: str) -> None:
    import sqlalchemy as sa

    from serving.services import Principal, approve_model_waiver
    from serving.store import User

    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == approver))
        who = Principal(user.user_id, user.username, user.role)
        approve_model_waiver(session, who, version, settings, clock=clock, via="simulation")


def retrain(
    arm: str, settings: Settings, store: Any, clock: Any, until: Any, world: Any
) -> tuple[Any, str]:
    """Export the store as of ``until``, retrain with the arm's labels, gate, promote."""
    from risk.errors import ConfigError

    raise ConfigError(
        "simulate: --retrain monthly needs the store's export and label-aware training,"
        " which this build does not have yet; use --retrain never"
    )
