"""Monitoring: run it now, list the alerts, read the latest report (aggregates only)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from risk.errors import ConflictError, NotFoundError
from serving.deps import HolderDep, SettingsDep, StoreDep, allow
from serving.schemas import ERROR_RESPONSES, MonitorAlertPage, MonitorAlertPublic, MonitorRunPublic
from serving.services import Principal, latest_monitor_run, list_alerts, run_monitoring

router = APIRouter(tags=["monitoring"], responses=ERROR_RESPONSES)

#: One on-demand run at a time per process: a run is heavy, and asking twice is no faster.
_RUNNING = threading.Lock()


@router.post("/v1/monitoring/run", response_model=MonitorRunPublic)
def run_now(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    holder: HolderDep,
    user: Annotated[Principal, Depends(allow("monitor.run"))],
) -> MonitorRunPublic:
    """Monitor the served model over the look-back period now; alerts may suspend it.

    A second request while a run is in progress is refused (409).
    """
    bundle = holder.bundle
    if not _RUNNING.acquire(blocking=False):
        raise ConflictError("a monitoring run is in progress; ask again when it has finished")
    try:
        result = run_monitoring(
            store,
            bundle,
            settings,
            request.app.state.clock,
            trigger="on demand",
            actor=user.username,
        )
    finally:
        _RUNNING.release()
    return MonitorRunPublic(
        run_id=result.run_id,
        alerts=[MonitorAlertPublic.model_validate(a) for a in result.alerts],
        suspended=result.suspended,
        why_not=result.why_not,
    )


@router.get("/v1/monitoring/alerts", response_model=MonitorAlertPage)
def alerts(
    store: StoreDep,
    user: Annotated[Principal, Depends(allow("kpis.read"))],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> MonitorAlertPage:
    """The newest alerts first."""
    with store.reading() as session:
        rows = [MonitorAlertPublic.model_validate(a) for a in list_alerts(session, limit=limit)]
    return MonitorAlertPage(data=rows, count=len(rows))


@router.get("/v1/monitoring/latest")
def latest(
    store: StoreDep, user: Annotated[Principal, Depends(allow("kpis.read"))]
) -> dict[str, Any]:
    """The newest monitoring report (the ``monitor.json`` shape), with when and why it ran."""
    with store.reading() as session:
        run = latest_monitor_run(session)
        if run is None:
            raise NotFoundError("no monitoring run yet")
        return {
            "run_id": run.run_id,
            "at": run.at.isoformat(),
            "trigger": run.trigger,
            "from": str(run.period_start),
            "to": str(run.period_end),
            "report": run.report,
        }
