"""Model releases through the API: open waiver requests, requesting and approving one.

Each caller is who their API token says: the request is recorded under the token's
user, and the approval under the approver's own token, never under a typed name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from serving.deps import ClockDep, IdPath, SettingsDep, StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    PendingWaiverPublic,
    PromotionPublic,
    WaiverRequest,
)
from serving.services import Principal, approve_model_waiver, request_model_waiver

router = APIRouter(tags=["model"], responses=ERROR_RESPONSES)


@router.get("/v1/model/waivers", response_model=list[PendingWaiverPublic])
def pending(
    settings: SettingsDep, user: Annotated[Principal, Depends(allow("model.read"))]
) -> list[PendingWaiverPublic]:
    """Waiver requests waiting for a second person's approval."""
    from experiments import pending_waivers, registry_exists

    if not registry_exists(settings):
        return []
    return [PendingWaiverPublic(**w) for w in pending_waivers(settings)]


@router.post("/v1/model/versions/{version}/waiver", response_model=PromotionPublic, status_code=201)
def request_waiver(
    version: IdPath,
    body: WaiverRequest,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("model.waiver.request"))],
) -> PromotionPublic:
    """Ask to promote a version that failed the gate; a supervisor must approve it."""
    with store.transaction() as session:
        record = request_model_waiver(
            session, user, str(version), body.reason, settings, clock=clock
        )
    return PromotionPublic(**record)


@router.post("/v1/model/versions/{version}/waiver/approval", response_model=PromotionPublic)
def approve_waiver(
    version: IdPath,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("model.waiver.approve"))],
) -> PromotionPublic:
    """Approve another person's waiver request as yourself; the version becomes champion."""
    with store.transaction() as session:
        record = approve_model_waiver(session, user, str(version), settings, clock=clock, via="api")
    return PromotionPublic(**record)
