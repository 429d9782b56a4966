"""The service itself: health, the caller, the model, runtime settings, KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from risk.errors import RequestValidationError
from serving._security import scrub
from serving.deps import ClockDep, CurrentUser, HolderDep, SettingsDep, StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    KillSwitchRequest,
    KpisPublic,
    MePublic,
    ModelPublic,
    PasswordChangePublic,
    PasswordChangeRequest,
    ReviewSettingsRequest,
    RuntimeSettingsPublic,
    UnlockPublic,
)
from serving.services import (
    PERMISSIONS,
    ModelHolder,
    Principal,
    ThrottlePolicy,
    append_audit,
    change_own_password,
    compute_kpis,
    kill_switch_on,
    read_runtime,
    readiness,
    set_runtime,
    switch_kill,
    unlock_sign_in,
)

router = APIRouter(tags=["service"], responses=ERROR_RESPONSES)


def model_public(holder: ModelHolder) -> ModelPublic:
    """What the holder has loaded."""
    bundle = holder._bundle if holder.loaded else None
    return ModelPublic(
        loaded=holder.loaded,
        version=holder.version,
        name=holder.name,
        registry_version=holder.registry_version if holder.loaded else None,
        # The kind of source, never the server's path to it.
        source=holder.settings.serving.model_source if holder.loaded else None,
        threshold=None if bundle is None else float(bundle.threshold),
        error=None if holder.last_error is None else scrub(holder.last_error),
    )


def _runtime_public(session, settings) -> RuntimeSettingsPublic:
    on = kill_switch_on(session)
    return RuntimeSettingsPublic(
        **vars(read_runtime(session, settings)),
        kill_switch_by=on and on.actor,
        kill_switch_at=on and on.at,
        kill_switch_reason=on and on.reason,
    )


@router.get("/v1/health")
def health(holder: HolderDep) -> dict[str, object]:
    """Liveness, and whether a model is loaded (no authentication)."""
    return {"status": "ok", "model_loaded": holder.loaded}


@router.get("/v1/health/ready")
def ready(store: StoreDep, holder: HolderDep, settings: SettingsDep) -> JSONResponse:
    """Readiness (no authentication): the database answers, a model is loaded, disk is free.

    200 with each check when ready; otherwise 503 with ``Retry-After`` and the checks.
    """
    report = readiness(store, holder, settings)
    if report.ready:
        return JSONResponse({"status": "ready", "checks": report.checks})
    return JSONResponse(
        {"error": "not_ready", "detail": {"checks": report.checks}},
        status_code=503,
        headers={"Retry-After": str(settings.serving.retry_after_seconds)},
    )


@router.get("/v1/me", response_model=MePublic)
def me(user: CurrentUser) -> MePublic:
    """The caller and what their role may do."""
    allowed = sorted(p for p, roles in PERMISSIONS.items() if user.role in roles)
    return MePublic(username=user.username, role=user.role, permissions=allowed)


@router.post(
    "/v1/me/password",
    response_model=PasswordChangePublic,
    responses={429: {"description": "Too many wrong passwords: locked (Retry-After)"}},
)
def change_password(
    body: PasswordChangeRequest,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: CurrentUser,
) -> Response:
    """Change the caller's own password: the current one is required; page sessions end.

    A wrong current password counts as a failed sign-in (422 naming
    ``current_password``); past the sign-in limits the answer is 429 with ``Retry-After``.
    """
    sec = settings.security
    throttle = ThrottlePolicy(
        account_max=sec.account_max_failures,
        address_max=sec.address_max_failures,
        window=dt.timedelta(minutes=sec.sign_in_window_minutes),
    )
    with store.transaction() as session:  # a wrong password's failure record commits too
        result = change_own_password(
            session, user, body.current_password, body.new_password,
            address=(request.client.host if request.client else "unknown")[:64],
            policy=throttle, clock=clock, min_length=sec.password_min_length,
        )  # fmt: skip
    if result.outcome == "locked":
        return JSONResponse(
            {"error": "locked", "detail": "too many wrong passwords; try again later"},
            status_code=429,
            headers={"Retry-After": str(result.retry_after)},
        )
    if result.outcome == "wrong":
        message = "is not your current password"
        raise RequestValidationError(
            f"current_password: {message}",
            detail=[{"loc": ["body", "current_password"], "msg": message}],
        )
    return JSONResponse({"sessions_ended": result.sessions_ended})


@router.get("/v1/model", response_model=ModelPublic)
def model(
    holder: HolderDep, user: Annotated[Principal, Depends(allow("model.read"))]
) -> ModelPublic:
    """The loaded model's version and threshold."""
    return model_public(holder)


@router.post("/v1/model/reload", response_model=ModelPublic)
def reload_model(
    holder: HolderDep,
    store: StoreDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("model.reload"))],
) -> ModelPublic:
    """Reload the model from its configured source without a restart (audited)."""
    before = holder.version
    holder.load_configured()
    with store.transaction() as session:
        append_audit(
            session,
            clock=clock,
            actor=user.username,
            action="model.reload",
            entity_type="model",
            entity_id=holder.version or "none",
            details={"from": before, "to": holder.version, "error": holder.last_error},
        )
    return model_public(holder)


@router.get("/v1/settings", response_model=RuntimeSettingsPublic)
def runtime_settings(
    store: StoreDep,
    settings: SettingsDep,
    user: Annotated[Principal, Depends(allow("settings.read"))],
) -> RuntimeSettingsPublic:
    """The kill switch, threshold override and blind-sample rate in force."""
    with store.transaction() as session:
        return _runtime_public(session, settings)


@router.put("/v1/settings/kill-switch", response_model=RuntimeSettingsPublic)
def kill_switch(
    body: KillSwitchRequest,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("settings.kill_switch"))],
) -> RuntimeSettingsPublic:
    """Send every application to manual review (or stop doing so), with a written reason."""
    with store.transaction() as session:
        switch_kill(session, user, body.enabled, body.reason, clock=clock)
        return _runtime_public(session, settings)


@router.put("/v1/settings/review", response_model=RuntimeSettingsPublic)
def review_settings(
    body: ReviewSettingsRequest,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("settings.review"))],
) -> RuntimeSettingsPublic:
    """Change the threshold override and the blind-sample rate (admins)."""
    with store.transaction() as session:
        if body.threshold is not None or body.reset_threshold:
            threshold = None if body.reset_threshold else body.threshold
            set_runtime(session, user, "threshold", threshold, clock=clock)
        if body.blind_sample_rate is not None:
            set_runtime(session, user, "blind_sample_rate", body.blind_sample_rate, clock=clock)
        return _runtime_public(session, settings)


@router.get("/v1/kpis", response_model=KpisPublic)
def kpis(
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("kpis.read"))],
) -> KpisPublic:
    """Processing time, backlog, flag and hit rates, complaints and satisfaction.

    A rate over fewer than ``fairness.min_group_size`` cases (numerator or denominator),
    and a percentile or mean of fewer values, is ``null``: it would describe a few people.
    """
    k = settings.fairness.min_group_size
    with store.transaction() as session:
        return KpisPublic(**compute_kpis(session, clock=clock, min_count=k))


@router.post("/v1/users/{username}/unlock", response_model=UnlockPublic)
def unlock_user(
    username: str,
    store: StoreDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("users.unlock"))],
) -> UnlockPublic:
    """Lift a user's sign-in lock after too many failed attempts (audited).

    Supervisors may unlock officers and supervisors; admins anyone.
    """
    with store.transaction() as session:
        cleared = unlock_sign_in(session, username, actor=user, clock=clock)
    return UnlockPublic(username=username, failures_cleared=cleared)
