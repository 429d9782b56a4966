"""The append-only audit log, chained with an HMAC whose key lives outside the database.

Each entry stores ``prev_hash`` and ``hash = HMAC-SHA256(key, prev_hash + canonical
JSON of the entry)`` with the id of the key (``key_id``).  Someone who can write to
the database but does not hold the key cannot edit an entry and recompute the
chain.  Entries written before the store had a key are *legacy*: chained with
plain SHA-256 and no ``key_id``, accepted only at the chain's beginning.  Entries
are appended in the same transaction as the change they record, so a change and
its trace commit together or not at all.  :func:`verify_chain` recomputes the
chain, checks it against published heads (checkpoints), and names the first entry
that was edited or deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from serving.store import AuditEntry, AuditHead

__all__ = ["ChainReport", "append_audit", "entry_hash", "key_id", "verify_chain"]

GENESIS = "0" * 64


def _canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any], key: bytes | None = None) -> str:
    """``HMAC-SHA256(key, prev_hash + canonical JSON of entry)`` as hex.

    Without a key (legacy entries): ``sha256(prev_hash + canonical JSON of entry)``.
    """
    message = (prev_hash + _canonical(entry)).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name of ``key`` (it reveals nothing usable about the key)."""
    return hashlib.sha256(b"amanah audit key id:" + key).hexdigest()[:16]


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
        JSON-serialisable facts (ids and values, never protected attributes).
    """
    if session.new or session.dirty or session.deleted:
        session.flush()  # the change being recorded reaches the database first
    connection = session.connection()
    key = session.info.get("audit_key")
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
        key_id=None if key is None else key_id(key),
    )
    row.hash = entry_hash(prev_hash, _content(row), key)
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
        Whether every entry, the head and every checkpoint given are intact.
    entries
        Number of entries checked.
    first_broken
        Sequence number of the first entry found edited, or following a deleted one.
    problem
        What is wrong, in words (empty when ``ok``).
    legacy
        How many entries (at the chain's beginning) predate the key: chained with
        SHA-256, so only a published checkpoint protects them from a rewrite.
    head
        The hash of the last entry checked (what a checkpoint publishes with ``entries``).
    """

    ok: bool
    entries: int
    first_broken: int | None = None
    problem: str = ""
    legacy: int = 0
    head: str = GENESIS


def verify_chain(
    session: Session,
    *,
    checkpoints: Iterable[tuple[int, str]] = (),
    key: bytes | None = None,
    batch: int = 5000,
) -> ChainReport:
    """Recompute the chain from the genesis hash and report the first break.

    Parameters
    ----------
    session
        A session on the store (its ``audit_key`` is used unless ``key`` is given).
    checkpoints
        Published heads ``(count, hash)``: entry ``count`` must still have ``hash``,
        so a chain rewritten, cut short or wiped since it was published is caught.
    key
        The audit key (default: the store's).
    """
    key = key if key is not None else session.info.get("audit_key")
    walk = _Walk(key, {int(c): h for c, h in checkpoints})
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
            problem = walk.step(row)
            if problem:
                return walk.report(row.seq, problem)
            last_seq = row.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None or head.seq != last_seq or head.hash != walk.prev:
        missing = last_seq + 1
        return walk.report(
            missing,
            f"entry {missing} onwards was deleted: the chain ends at "
            f"{last_seq} but the head records {head.seq if head else '?'}",
        )
    beyond = sorted(c for c in walk.checkpoints if c > last_seq)
    if beyond:
        return walk.report(
            last_seq + 1,
            f"entry {last_seq + 1} onwards was deleted: the chain ends at {last_seq}"
            f" but a published checkpoint recorded {beyond[-1]} entries",
        )
    return walk.report(None, "")


class _Walk:
    """The state of a walk along the chain: the previous hash, counts, the key."""

    def __init__(self, key: bytes | None, checkpoints: dict[int, str]) -> None:
        self.key, self.key_id = key, None if key is None else key_id(key)
        self.checkpoints = checkpoints
        self.prev, self.expected, self.count, self.legacy = GENESIS, 1, 0, 0

    def step(self, row: AuditEntry) -> str:
        problem = self._check(row)
        if not problem:
            self.prev, self.expected, self.count = row.hash, row.seq + 1, self.count + 1
            self.legacy += row.key_id is None
        return problem

    def _check(self, row: AuditEntry) -> str:
        if row.seq != self.expected:
            return f"entry {self.expected} is missing (deleted): the chain jumps to {row.seq}"
        if row.prev_hash != self.prev:
            return f"entry {row.seq} does not follow its predecessor (prev_hash differs)"
        if row.key_id is None and self.legacy < self.count:
            return f"entry {row.seq} is unkeyed although entries before it are keyed (forged)"
        if row.key_id is not None and row.key_id != self.key_id:
            which = "no audit key was given" if self.key is None else "a different key"
            return f"entry {row.seq} was keyed with key {row.key_id}, but {which}"
        key = None if row.key_id is None else self.key
        if entry_hash(self.prev, _content(row), key) != row.hash:
            return f"entry {row.seq} was edited: its content no longer matches its hash"
        published = self.checkpoints.get(row.seq)
        if published is not None and published != row.hash:
            return (
                f"entry {row.seq} differs from the published checkpoint"
                f" {published}:{row.seq}: the chain was rewritten"
            )
        return ""

    def report(self, first_broken: int | None, problem: str) -> ChainReport:
        return ChainReport(
            ok=not problem,
            entries=self.count,
            first_broken=first_broken,
            problem=problem,
            legacy=self.legacy,
            head=self.prev,
        )
