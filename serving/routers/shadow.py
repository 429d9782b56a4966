"""Shadow scoring: the switch (supervisors and admins, with a reason, audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from serving.deps import ClockDep, SettingsDep, StoreDep, allow
from serving.schemas import ERROR_RESPONSES, ShadowPublic, ShadowSwitchRequest
from serving.services import Principal, shadow_switch_on, switch_shadow

router = APIRouter(tags=["service"], responses=ERROR_RESPONSES)


def shadow_public(request: Request, enabled: bool) -> ShadowPublic:
    """The switch and the shadow process's counts."""
    status = request.app.state.shadow.status()
    return ShadowPublic(enabled=enabled, **vars(status))


@router.put("/v1/settings/shadow", response_model=ShadowPublic)
def shadow_switch(
    body: ShadowSwitchRequest,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    user: Annotated[Principal, Depends(allow("settings.shadow"))],
) -> ShadowPublic:
    """Turn scoring by the registry's challenger in shadow on or off, with a reason."""
    with store.transaction() as session:
        switch_shadow(session, user, body.enabled, body.reason, clock=clock)
        enabled = shadow_switch_on(session, settings)
    return shadow_public(request, enabled)
