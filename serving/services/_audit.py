"""The append-only, hash-chained audit log.

Each entry stores ``prev_hash`` and ``hash = sha256(prev_hash + canonical JSON of the
entry)``.  Entries are appended in the same transaction as the change they record,
so a change and its trace commit together or not at all.  :func:`verify_chain`
recomputes the chain and names the first entry that was edited or deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from serving.store import AuditEntry, AuditHead

__all__ = ["ChainReport", "append_audit", "entry_hash", "verify_chain"]

GENESIS = "0" * 64


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of entry)`` as hex."""
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def _content(row: AuditEntry) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at.isoformat(timespec="microseconds"),
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "details": row.details,
    }


_HEAD, _LOG = AuditHead.__table__, AuditEntry.__table__
_READ_HEAD = sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.head_id == 1).with_for_update()
_ENTRY_COLUMNS = tuple(c.name for c in _LOG.columns)
_INSERT_ENTRY = _LOG.insert()
_MOVE_HEAD = (
    _HEAD.update()
    .where(_HEAD.c.head_id == 1)
    .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)


def append_audit(
    session: Session,
    *,
    clock: Clock,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in ``session``'s transaction, locking the chain head.

    Parameters
    ----------
    session
        The open transaction of the change being recorded.
    clock
        The service's clock: the entry's time.
    actor
        Username of who did it (``"system"`` for the service itself).
    action
        What happened, e.g. ``"score"``, ``"case.view"``, ``"decision"``.
    entity_type, entity_id
        What it happened to.
    details
        JSON-serialisable facts (ids and values, never audit-only attributes).
    """
    if session.new or session.dirty or session.deleted:
        session.flush()  # the change being recorded reaches the database first
    connection = session.connection()
    seq, prev_hash = connection.execute(_READ_HEAD).one()
    # Round-trip through JSON so the hash is computed on what the database returns.
    stored_details = json.loads(_canonical(details or {}))
    row = AuditEntry(
        seq=seq + 1,
        at=clock.now(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        details=stored_details,
        prev_hash=prev_hash,
        hash="",
    )
    row.hash = entry_hash(prev_hash, _content(row))
    # Plain statements: the row is written as built, without the ORM's unit of work.
    connection.execute(_INSERT_ENTRY, {c: getattr(row, c) for c in _ENTRY_COLUMNS})
    connection.execute(_MOVE_HEAD, {"new_seq": row.seq, "new_hash": row.hash})
    return row


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the audit chain.

    Attributes
    ----------
    ok
        Whether every entry and the head are intact.
    entries
        Number of entries checked.
    first_broken
        Sequence number of the first entry found edited, or following a deleted one.
    problem
        What is wrong, in words (empty when ``ok``).
    """

    ok: bool
    entries: int
    first_broken: int | None = None
    problem: str = ""


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute the chain from the genesis hash and report the first break."""
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = (
            session.execute(
                sa.select(AuditEntry)
                .where(AuditEntry.seq > last_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for row in rows:
            problem = _check(row, prev, expected_seq)
            if problem:
                return ChainReport(False, count, row.seq, problem)
            prev, expected_seq, count, last_seq = row.hash, row.seq + 1, count + 1, row.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None or head.seq != last_seq or head.hash != prev:
        missing = last_seq + 1
        return ChainReport(
            False,
            count,
            missing,
            f"entry {missing} onwards was deleted: the chain ends at "
            f"{last_seq} but the head records {head.seq if head else '?'}",
        )
    return ChainReport(True, count)


def _check(row: AuditEntry, prev: str, expected_seq: int) -> str:
    if row.seq != expected_seq:
        return f"entry {expected_seq} is missing (deleted): the chain jumps to {row.seq}"
    if row.prev_hash != prev:
        return f"entry {row.seq} does not follow its predecessor (prev_hash differs)"
    if entry_hash(prev, _content(row)) != row.hash:
        return f"entry {row.seq} was edited: its content no longer matches its hash"
    return ""
