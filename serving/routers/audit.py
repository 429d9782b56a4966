"""The audit log: read entries, verify the chain (auditors and admins); both reads audited."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from serving.deps import ClockDep, Offset, SettingsDep, StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    AuditChainPublic,
    AuditEntryPublic,
    AuditPage,
)
from serving.services import (
    Principal,
    append_audit,
    audit_checkpoint_path,
    read_checkpoints,
    verify_chain,
)
from serving.store import AuditEntry

router = APIRouter(prefix="/v1/audit-log", tags=["audit"], responses=ERROR_RESPONSES)

Auditor = Annotated[Principal, Depends(allow("audit.read"))]


@router.get("", response_model=AuditPage)
def entries(
    store: StoreDep,
    clock: ClockDep,
    user: Auditor,
    action: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> AuditPage:
    """Entries, newest first, optionally of one action (the read itself is an entry)."""
    query = sa.select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    with store.transaction() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = session.scalars(
            query.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
        ).all()
        data = [AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows]
        # Who read which part of the log is itself on the record (after the page was read).
        append_audit(
            session,
            actor=user.username,
            action="audit_log.read",
            entity_type="audit_log",
            entity_id=action or "*",
            details={"limit": limit, "offset": offset, "seqs": [d.seq for d in data]},
            clock=clock,
        )
    return AuditPage(data=data, count=int(count or 0))


@router.get("/verify", response_model=AuditChainPublic)
def verify(
    store: StoreDep, settings: SettingsDep, clock: ClockDep, user: Auditor
) -> AuditChainPublic:
    """Recompute the chain and check it against the checkpoint file; names the first break."""
    heads = [(c.count, c.hash) for c in read_checkpoints(audit_checkpoint_path(settings))]
    with store.transaction() as session:
        report = verify_chain(session, checkpoints=heads)
        append_audit(
            session,
            actor=user.username,
            action="audit_log.verify",
            entity_type="audit_log",
            entity_id="*",
            details={"ok": report.ok, "entries": report.entries, "checkpoints": len(heads)},
            clock=clock,
        )
    return AuditChainPublic(
        ok=report.ok,
        entries=report.entries,
        first_broken=report.first_broken,
        problem=report.problem,
        legacy=report.legacy,
        head=report.head,
        checkpoints=len(heads),
    )
