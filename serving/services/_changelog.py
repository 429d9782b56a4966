"""The public changelog: every model promotion and every change of review capacity.

Promotions come from the registry's promotion log (passed in: only ``experiments``
reads MLflow); capacity changes (the threshold, the blind-sample rate, the switch to
manual review of everything) from the audit log.  An entry says when, what changed in
plain words (a message key and its values), the new model's fairness verdict, and
whether a waiver let it through, naming the approving *role*, never the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from serving.store import AuditEntry, User

__all__ = ["ChangeEntry", "public_changelog"]

#: Runtime settings whose changes are published (they change who gets reviewed).
CAPACITY_SETTINGS = ("threshold", "blind_sample_rate", "kill_switch")


@dataclass(frozen=True)
class ChangeEntry:
    """One published change: ``key`` and ``values`` say it in words (EN and ID)."""

    at: dt.datetime
    kind: Literal["model", "capacity"]
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    #: The promoted model's fairness verdict (``pass``, ``fail``, ``not measured``).
    fairness: str | None = None
    #: The role that approved a waiver of the release gate (``None``: no waiver).
    waiver_role: str | None = None
    #: What the waived gate had found (check names: ``fairness``, ``quality.pr_auc``).
    waived: tuple[str, ...] = ()


def _naive_utc(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def _promotion(record: dict[str, Any]) -> ChangeEntry:
    checks = {c.get("check"): c for c in record.get("checks", [])}
    fairness = checks.get("fairness", {}).get("value") or "not measured"
    waiver = record.get("waiver") or None
    return ChangeEntry(
        at=_naive_utc(record["at"]),
        kind="model",
        key="chg_model",
        values={
            "name": record.get("name") or f"v{record['version']}",
            "previous": f"v{record['previous_champion']}"
            if record.get("previous_champion")
            else "",
        },
        fairness=str(fairness),
        waiver_role=(waiver.get("approver_role") or "supervisor") if waiver else None,
        waived=tuple(record.get("failed") or ()) if waiver else (),
    )


def _setting(entry: AuditEntry, roles: dict[str, str]) -> ChangeEntry:
    old, new = entry.details.get("old"), entry.details.get("new")
    key = f"chg_{entry.entity_id}"
    if entry.entity_id == "kill_switch":
        key = "chg_kill_switch_on" if new else "chg_kill_switch_off"
    elif new is None:
        key += "_model"  # the threshold returns to the model's own
    return ChangeEntry(
        at=entry.at,
        kind="capacity",
        key=key,
        values={"old": old, "new": new, "role": roles.get(entry.actor, "system")},
    )


def public_changelog(
    session: Session, promotions: list[dict[str, Any]], limit: int = 50
) -> list[ChangeEntry]:
    """The latest ``limit`` published changes, newest first.

    Parameters
    ----------
    session
        The store (audit log and users).
    promotions
        The registry's promotion attempts (:func:`experiments.promotion_history`);
        only promotions that happened are published.
    """
    entries = [_promotion(r) for r in promotions if r.get("result") == "promoted" and r.get("at")]
    rows = session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.action == "setting.change",
            AuditEntry.entity_id.in_(CAPACITY_SETTINGS),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    ).all()
    actors = {r.actor for r in rows}
    roles = dict(
        session.execute(sa.select(User.username, User.role).where(User.username.in_(actors))).all()
    )
    entries += [_setting(r, roles) for r in rows if r.details.get("old") != r.details.get("new")]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]
