"""Runtime settings changed through the service: kill switch, threshold, blind-sample rate.

Defaults come from :class:`risk.settings.Settings`; changes are stored and audited.
The kill switch needs a written reason; who switched it, when and why is read back
from the audit log, which is where it is kept tamper-evident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Bundle, ReviewPolicy
from risk.clock import Clock
from risk.errors import RequestValidationError
from risk.settings import Settings
from serving.store import AuditEntry, ServiceSetting

from ._audit import append_audit
from ._auth import Principal, require
from ._text import require_text

__all__ = [
    "MAX_KILL_REASON",
    "KillSwitchEvent",
    "RuntimeSettings",
    "kill_switch_history",
    "kill_switch_on",
    "read_runtime",
    "set_runtime",
    "switch_kill",
]

#: The longest reason a kill-switch change may give.
MAX_KILL_REASON = 500


@dataclass(frozen=True)
class RuntimeSettings:
    """The settings scoring reads on every request.

    Attributes
    ----------
    kill_switch
        Send every application to manual review.
    blind_sample_rate
        Share of unflagged applications sent to review without their score.
    threshold
        Calibrated-score threshold overriding the model bundle's (``None``: the bundle's).
    """

    kill_switch: bool
    blind_sample_rate: float
    threshold: float | None

    def policy(self, bundle: Bundle) -> ReviewPolicy:
        """The review policy these settings put in force for ``bundle``."""
        return ReviewPolicy.for_bundle(
            bundle,
            threshold_override=self.threshold,
            blind_sample_rate=self.blind_sample_rate,
            kill_switch=self.kill_switch,
        )


_KEYS = ("kill_switch", "blind_sample_rate", "threshold", "shadow_scoring")


_TABLE = ServiceSetting.__table__
_READ = sa.select(_TABLE.c.key, _TABLE.c.value)


def read_runtime(session: Session, settings: Settings) -> RuntimeSettings:
    """The current runtime settings (stored values over configured defaults)."""
    stored = dict(session.connection().execute(_READ).all())
    return RuntimeSettings(
        kill_switch=bool(stored.get("kill_switch", False)),
        blind_sample_rate=float(stored.get("blind_sample_rate", settings.review.blind_sample_rate)),
        threshold=stored.get("threshold"),
    )


def _validate(key: str, value: Any) -> Any:
    # The threshold and the blind-sample rate are the review policy's to check.
    if key == "threshold":
        return ReviewPolicy.check_threshold(value)
    if key == "blind_sample_rate":
        return ReviewPolicy.check_blind_sample_rate(value)
    if isinstance(value, bool):
        return value
    raise RequestValidationError(
        f"setting {key!r} cannot be {value!r}",
        detail=[{"loc": ["body", key], "msg": f"invalid value {value!r}"}],
    )


def set_runtime(
    session: Session,
    principal: Principal,
    key: str,
    value: Any,
    *,
    clock: Clock,
    reason: str | None = None,
) -> None:
    """Store one runtime setting and audit the change (old and new value, and ``reason``)."""
    if key not in _KEYS:
        raise RequestValidationError(f"unknown setting {key!r}; known: {', '.join(_KEYS)}")
    value = _validate(key, value)
    row = session.get(ServiceSetting, key)
    old = None if row is None else row.value
    now = clock.now()
    if row is None:
        session.add(
            ServiceSetting(key=key, value=value, updated_at=now, updated_by=principal.user_id)
        )
    else:
        row.value, row.updated_at, row.updated_by = value, now, principal.user_id
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="setting.change",
        entity_type="setting",
        entity_id=key,
        details={"old": old, "new": value, **({"reason": reason} if reason else {})},
    )


@dataclass(frozen=True)
class KillSwitchEvent:
    """One change of the kill switch: on or off, by whom, when and why."""

    enabled: bool
    actor: str
    at: dt.datetime
    reason: str | None


def switch_kill(
    session: Session, principal: Principal, enabled: bool, reason: str, *, clock: Clock
) -> None:
    """Turn manual review of everything on or off, with a written reason (audited).

    Raises
    ------
    RequestValidationError
        If ``reason`` is empty, longer than :data:`MAX_KILL_REASON`, or holds control
        characters or bidirectional overrides (field ``body.reason``): it is shown on
        every officer's page.
    """
    require(principal, "settings.kill_switch")
    empty = "switching the kill switch needs a written reason"
    text = require_text(reason or "", "reason", empty=empty, max_length=MAX_KILL_REASON)
    set_runtime(session, principal, "kill_switch", enabled, clock=clock, reason=text)


_SWITCHES = (
    sa.select(AuditEntry)
    .where(
        AuditEntry.action == "setting.change",
        AuditEntry.entity_type == "setting",
        AuditEntry.entity_id == "kill_switch",
    )
    .order_by(AuditEntry.seq.desc())
)


def kill_switch_history(session: Session, limit: int = 50) -> list[KillSwitchEvent]:
    """The kill switch's changes, newest first."""
    return [
        KillSwitchEvent(
            enabled=bool(e.details.get("new")),
            actor=e.actor,
            at=e.at,
            reason=e.details.get("reason"),
        )
        for e in session.scalars(_SWITCHES.limit(limit))
    ]


def kill_switch_on(session: Session) -> KillSwitchEvent | None:
    """The change that turned the kill switch on, while it is on; else ``None``."""
    latest = kill_switch_history(session, limit=1)
    return latest[0] if latest and latest[0].enabled else None
