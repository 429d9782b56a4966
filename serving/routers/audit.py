"""The audit log: read entries, verify the hash chain (auditors and admins)."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from serving.deps import StoreDep, allow
from serving.schemas import (
    ERROR_RESPONSES,
    AuditChainPublic,
    AuditEntryPublic,
    AuditPage,
    Offset,
)
from serving.services import Principal, verify_chain
from serving.store import AuditEntry

router = APIRouter(prefix="/v1/audit-log", tags=["audit"], responses=ERROR_RESPONSES)

Auditor = Annotated[Principal, Depends(allow("audit.read"))]


@router.get("", response_model=AuditPage)
def entries(
    store: StoreDep,
    user: Auditor,
    action: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> AuditPage:
    """Entries, newest first, optionally of one action."""
    query = sa.select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    with store.transaction() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = session.scalars(
            query.order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
        ).all()
        data = [AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows]
    return AuditPage(data=data, count=int(count or 0))


@router.get("/verify", response_model=AuditChainPublic)
def verify(store: StoreDep, user: Auditor) -> AuditChainPublic:
    """Recompute the hash chain; names the first edited or deleted entry."""
    with store.transaction() as session:
        report = verify_chain(session)
    return AuditChainPublic(
        ok=report.ok,
        entries=report.entries,
        first_broken=report.first_broken,
        problem=report.problem,
    )
