"""Monitoring runs inside the service: store the report, record alerts, suspend if told.

A run monitors the served model over the last ``monitor.lookback_days`` days of scored
applications.  Each breached rule is stored once per model version, rule and chunk
(later runs over the same chunk do not repeat it) and audit-logged.  A rule marked
``suspend = true`` switches the service to manual review through the kill switch, with
the alert as the recorded reason; the monitor never switches it back: only a person can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Bundle
from risk.clock import Clock
from risk.errors import MonitorError
from risk.settings import Settings
from serving.store import MonitorAlert, MonitorRun

from ._audit import append_audit
from ._auth import Principal
from ._monitoring import monitor_store
from ._runtime import read_runtime, set_runtime

__all__ = [
    "MONITOR_ACTOR",
    "WatchResult",
    "latest_monitor_run",
    "list_alerts",
    "run_monitoring",
]

#: The actor the audit log records for what the monitor does on its own.
MONITOR_ACTOR = "monitor"
_MONITOR = Principal(user_id=None, username=MONITOR_ACTOR, role="system")  # type: ignore[arg-type]


@dataclass(frozen=True)
class WatchResult:
    """What one run did: its id, the new alerts, whether it suspended the model."""

    run_id: int | None
    alerts: list[MonitorAlert]
    suspended: bool
    why_not: str | None = None


def run_monitoring(
    store: Any,
    bundle: Bundle,
    settings: Settings,
    clock: Clock,
    *,
    trigger: str,
    actor: str,
    policy: Any = None,
) -> WatchResult:
    """Monitor the last ``lookback_days`` days before ``clock``'s now; store, alert, maybe suspend.

    The statistics are computed in a read-only session (scoring is never blocked);
    the run, its alerts and any suspension then commit together in one short write.

    Parameters
    ----------
    store
        The service's :class:`~serving.store.Store`.
    bundle
        The served model.
    settings
        ``settings.monitor``: look-back, chunks, rules (``policy_path``).
    clock
        The service's clock: the run's instant and its records' times.
    trigger, actor
        ``"schedule"`` or ``"on demand"``, and who asked (recorded in the audit log).
    policy
        Alert rules; default: ``settings.monitor.policy_path`` or the built-in rules.
    """
    from models.monitoring import AlertPolicy

    if policy is None:
        path = settings.monitor.policy_path
        policy = AlertPolicy.from_toml(path) if path else AlertPolicy()
    now = clock.now()
    end = now.date()
    start = end - dt.timedelta(days=settings.monitor.lookback_days)
    try:
        with store.reading() as session:
            report = monitor_store(
                session, bundle, settings, start, end, by=settings.monitor.by, policy=policy
            )
    except MonitorError as exc:
        return WatchResult(None, [], False, exc.message)
    with store.transaction() as session:
        run = MonitorRun(
            at=now,
            model_version=bundle.version,
            period_start=start,
            period_end=end,
            trigger=trigger,
            report=report.to_dict(),
        )
        session.add(run)
        session.flush()
        append_audit(
            session,
            clock=clock,
            actor=actor,
            action="monitor.run",
            entity_type="monitor_run",
            entity_id=str(run.run_id),
            details={
                "model": bundle.version,
                "from": str(start),
                "to": str(end),
                "trigger": trigger,
            },
        )
        fresh = _record_alerts(session, run, report.alerts, clock)
        suspended = _suspend(session, settings, [a for a in fresh if a.suspend], clock)
        return WatchResult(run.run_id, fresh, suspended)


def _record_alerts(
    session: Session, run: MonitorRun, alerts: list[dict[str, Any]], clock: Clock
) -> list[MonitorAlert]:
    known = set(
        session.execute(
            sa.select(MonitorAlert.rule, MonitorAlert.chunk_start).where(
                MonitorAlert.model_version == run.model_version
            )
        ).all()
    )
    fresh = []
    for a in alerts:
        key = (a["rule"], a["start"] or "")
        if key in known:
            continue
        known.add(key)
        row = MonitorAlert(
            run_id=run.run_id,
            at=run.at,
            model_version=run.model_version,
            rule=a["rule"],
            kind=a["kind"],
            feature=a["feature"],
            value=a["value"],
            threshold=a["threshold"],
            chunk_start=a["start"] or "",
            chunk_end=a["end"],
            message=a["message"],
            suspend=a["suspend"],
            suspended=False,
        )
        session.add(row)
        session.flush()
        append_audit(
            session,
            clock=clock,
            actor=MONITOR_ACTOR,
            action="monitor.alert",
            entity_type="monitor_alert",
            entity_id=str(row.alert_id),
            details={"rule": row.rule, "message": row.message, "suspend": row.suspend},
        )
        fresh.append(row)
    return fresh


def _suspend(
    session: Session, settings: Settings, alerts: list[MonitorAlert], clock: Clock
) -> bool:
    """Switch to manual review for the first suspending alert (if not already on)."""
    if not alerts or read_runtime(session, settings).kill_switch:
        return False
    first = alerts[0]
    reason = f"monitoring alert #{first.alert_id}: {first.message}"
    set_runtime(session, _MONITOR, "kill_switch", True, clock=clock, reason=reason[:500])
    first.suspended = True
    return True


def list_alerts(session: Session, *, limit: int = 50) -> list[MonitorAlert]:
    """The newest alerts first (detached: readable after a read-only session ends)."""
    stmt = sa.select(MonitorAlert).order_by(MonitorAlert.alert_id.desc()).limit(limit)
    rows = list(session.scalars(stmt))
    for row in rows:
        session.expunge(row)
    return rows


def latest_monitor_run(session: Session) -> MonitorRun | None:
    """The newest monitoring run, if any (detached, like :func:`list_alerts`)."""
    stmt = sa.select(MonitorRun).order_by(MonitorRun.run_id.desc()).limit(1)
    run = session.scalars(stmt).first()
    if run is not None:
        session.expunge(run)
    return run
