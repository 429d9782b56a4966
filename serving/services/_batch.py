"""Scoring a batch: features and scores computed first, then stored in short transactions.

A batch of 500 applications spends most of its time reading history and
computing exact SHAP reasons, and storing 500 scores (inputs, score, case,
audit entries) takes seconds too.  Holding the store's write lock for either
made every other writer (a single score, a decision) wait for the whole batch.
Here the work runs in two steps:

1. **Compute**, in a read transaction (one snapshot): each item's refusals
   (a key used for another request, an application changed since it was
   received, a document id taken, against the store and the batch's earlier
   items), so a refused batch stores nothing; then its history look-ups,
   adjusted for the batch's own earlier applications (an item sees the earlier
   items of its batch in its network windows, as if they had been stored one by
   one), its feature row and score.
2. **Record**, in write transactions of at most ``serving.batch_write_chunk``
   items, in order: each item is received (a re-send is answered with its stored
   score) and its computed score routed, logged and audited.  Other writers take
   their turn between two chunks.  A batch interrupted between chunks keeps the
   chunks it stored; every item is idempotent (``KEY#i``, or its contents), so
   sending the batch again completes it without storing anything twice.

If the store received other applications (or history) before a chunk, the items
of that chunk they could change are computed again under the lock, from the
store as it then is, so every score is the one the one-by-one path would give.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from features import COUNTED_ON, Lookups, feature_row
from models import Bundle
from risk.clock import Clock
from risk.errors import ConflictError
from risk.settings import Settings
from serving.store import Store, raw_table

from ._auth import Principal
from ._history import agent_issuing_states, load_lookups
from ._idempotency import batch_item_key, find_replay, lock_for_scoring
from ._scoring import (
    ComputedScore,
    ScoreOutcome,
    application_changed,
    check_inputs,
    document_taken,
    input_fingerprint,
    receive_inputs,
    record_score,
    replayed_outcome,
)

__all__ = ["BatchItem", "score_batch"]

log = logging.getLogger("serving.batch")


@dataclass(frozen=True)
class BatchItem:
    """One item of a batch: contract rows (validated) and the reasons' language."""

    application: dict[str, Any]
    documents: list[dict[str, Any]]
    lang: str = "en"


@dataclass
class _Plan:
    item: BatchItem
    key: str | None
    fingerprint: str
    lookups: Lookups | None = None
    computed: ComputedScore | None = None
    recomputed: bool = False


def score_batch(
    store: Store,
    bundle: Bundle,
    settings: Settings,
    principal: Principal,
    items: list[BatchItem],
    *,
    clock: Clock,
    rng: random.Random | None = None,
    idempotency_key: str | None = None,
    wait: bool = True,
) -> list[ScoreOutcome]:
    """Score ``items`` in order; store them in short write transactions, in order.

    Each item is idempotent as :func:`~serving.services.score_application` is;
    with ``idempotency_key`` item ``i`` is stored under ``KEY#i``.  Items are
    stored in write transactions of ``settings.serving.batch_write_chunk`` (with
    ``wait=False`` only the first may raise :class:`~serving.store.StoreBusy`).

    Raises
    ------
    ConflictError
        An item cannot be received; the message and ``detail`` name its index.
    """
    plans = [
        _Plan(
            item=item,
            key=batch_item_key(idempotency_key, index),
            fingerprint=input_fingerprint(item.application, item.documents),
        )
        for index, item in enumerate(items)
    ]
    started = time.perf_counter()
    with store.reading() as session:
        marks = _compute(session, bundle, settings, principal, plans)
    computed = time.perf_counter()
    out: list[ScoreOutcome] = []
    held: list[float] = []
    arrived: list[int | None] = []
    size = settings.serving.batch_write_chunk
    for start in range(0, len(plans), size):
        # Short transactions: a single score waits for one chunk, not the whole batch.
        # Only the first may refuse to wait; later ones must finish what it began.
        with store.transaction(wait=wait or start > 0) as session:
            locked = time.perf_counter()
            news = _arrived_since(session, marks)
            out += _record_chunk(
                session, bundle, settings, principal, plans, start, start + size,
                news, clock, rng,
            )  # fmt: skip
            marks = _marks(session)  # this chunk's own rows are not news to the next
        held.append(time.perf_counter() - locked)
        arrived.append(None if news is None else len(news))
    log.info(
        "batch of %d: computed in %.0f ms, then %d write transactions held the lock %.0f ms"
        " in all (longest %.0f ms), %.0f ms from the first to the last"
        " (%s rows arrived in between, %d items recomputed)",
        len(plans), (computed - started) * 1000, len(held), sum(held) * 1000,
        max(held, default=0) * 1000, (time.perf_counter() - computed) * 1000,
        "some" if None in arrived else sum(arrived), sum(p.recomputed for p in plans),
    )  # fmt: skip
    return out


def _record_chunk(
    session: Session,
    bundle: Bundle,
    settings: Settings,
    principal: Principal,
    plans: list[_Plan],
    start: int,
    stop: int,
    news: list[dict[str, Any]] | None,
    clock: Clock,
    rng: random.Random | None,
) -> list[ScoreOutcome]:
    """Step 2 for ``plans[start:stop]``, in one write transaction."""
    part = plans[start:stop]
    ids = [p.item.application["application_id"] for p in part]
    lock_for_scoring(session, ids, [p.key for p in part], user_id=principal.user_id)
    out = []
    for index, plan in enumerate(part, start):
        try:
            out.append(_record(session, bundle, settings, principal, plan, news, clock, rng))
        except ConflictError as exc:
            raise _at_item(index, exc) from exc
    return out


def _at_item(index: int, exc: ConflictError) -> ConflictError:
    """``exc`` naming the batch item it is about: the client fixes that one and sends again."""
    return ConflictError(
        f"items[{index}]: {exc.message}",
        detail=[{"loc": ["body", "items", index], "msg": exc.message}],
    )


def _compute(
    session: Session, bundle: Bundle, settings: Settings, principal: Principal, plans: list[_Plan]
) -> dict[str, Any]:
    """Step 1: every item's look-ups and score from one snapshot; the snapshot's marks."""
    if session.get_bind().dialect.name == "postgresql":  # one snapshot for every read below
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    marks = _marks(session)
    pending: list[tuple[dict[str, Any], str | None]] = []  # earlier new applications
    seen: dict[str, str] = {}  # application id -> fingerprint, earlier in the batch
    owners: dict[str, str] = {}  # document id -> application id, earlier in the batch
    for index, plan in enumerate(plans):
        try:
            stored = _check(session, bundle, principal, plan, seen, owners)
        except ConflictError as exc:
            raise _at_item(index, exc) from exc
        app = plan.item.application
        if stored is None or app["application_id"] in seen:
            continue  # answered from the store, or computed under the lock if ever needed
        lookups = load_lookups(session, app, settings)
        plan.lookups = _with_pending(session, settings, app, lookups, pending)
        plan.computed = _score(bundle, settings, plan, plan.lookups)
        seen[app["application_id"]] = plan.fingerprint
        if not stored:
            pending.append((app, _primary_state(plan.item.documents)))
    return marks


def _check(
    session: Session,
    bundle: Bundle,
    principal: Principal,
    plan: _Plan,
    seen: dict[str, str],
    owners: dict[str, str],
) -> bool | None:
    """Every refusal the item would meet when stored, found before anything is stored.

    None: a re-send, answered from the store.  Else whether the store already
    holds the application (with the same contents).  Raises the 409 the write step
    would raise, against the store and the batch's earlier items alike.
    """
    app_id = plan.item.application["application_id"]
    if _find(session, bundle, principal, plan) is not None:
        return None
    if seen.get(app_id, plan.fingerprint) != plan.fingerprint:
        raise application_changed(app_id)
    stored = check_inputs(session, plan.item.application, plan.item.documents, plan.fingerprint)
    for document in plan.item.documents:
        owner = owners.setdefault(document["document_id"], app_id)
        if owner != app_id:
            raise document_taken(document["document_id"])
    return stored


def _find(session: Session, bundle: Bundle, principal: Principal, plan: _Plan) -> Any:
    return find_replay(
        session,
        user_id=principal.user_id,
        key=plan.key,
        application_id=plan.item.application["application_id"],
        fingerprint=plan.fingerprint,
        lang=plan.item.lang,
        model_version=str(bundle.version),
    )


def _score(bundle: Bundle, settings: Settings, plan: _Plan, lookups: Lookups) -> ComputedScore:
    item = plan.item
    features = feature_row(item.application, item.documents, lookups, settings=settings)
    case_score = bundle.score_one(features, lang=item.lang, top=settings.serving.top_reasons)
    app_id = item.application["application_id"]
    return ComputedScore(app_id, plan.fingerprint, item.lang, features, case_score)


def _record(
    session: Session,
    bundle: Bundle,
    settings: Settings,
    principal: Principal,
    plan: _Plan,
    news: list[dict[str, Any]] | None,
    clock: Clock,
    rng: random.Random | None,
) -> ScoreOutcome:
    """Step 2 for one item, under the lock: receive it, recompute if stale, record it."""
    item = plan.item
    stored = receive_inputs(
        session, bundle, principal, item.application, item.documents,
        fingerprint=plan.fingerprint, lang=item.lang, idempotency_key=plan.key,
    )  # fmt: skip
    if stored is not None:
        return replayed_outcome(session, stored)
    computed = plan.computed
    if computed is None or _stale(item.application, news, settings):
        lookups = load_lookups(session, item.application, settings)
        if computed is None or lookups != plan.lookups:
            computed, plan.recomputed = _score(bundle, settings, plan, lookups), True
    return record_score(
        session, bundle, settings, principal, computed,
        clock=clock, rng=rng, idempotency_key=plan.key,
    )  # fmt: skip


# -- the batch's own earlier applications ---------------------------------------------


def _primary_state(documents: list[dict[str, Any]]) -> str | None:
    """The issuing state of the primary document: passport first, then the lowest id."""
    if not documents:
        return None
    primary = min(documents, key=lambda d: (d["document_type"] != "passport", d["document_id"]))
    return primary.get("issuing_state")


def _with_pending(
    session: Session,
    settings: Settings,
    application: dict[str, Any],
    lookups: Lookups,
    pending: list[tuple[dict[str, Any], str | None]],
) -> Lookups:
    """``lookups`` with the batch's earlier, not yet stored applications counted in."""
    at: dt.datetime = application["submitted_at"]
    since = at - dt.timedelta(days=settings.features.network_window_days)
    near = [(p, state) for p, state in pending if since <= p["submitted_at"] < at]
    if not near:
        return lookups
    counts = dict(lookups.counts)
    for name, key in COUNTED_ON.items():
        value = application.get(key)
        if value is not None:
            counts[name] = int(counts[name] or 0) + sum(p.get(key) == value for p, _ in near)
    agent = application.get("agent_id")
    shared = {state for p, state in near if agent is not None and p.get("agent_id") == agent}
    if shared:
        states = agent_issuing_states(session, application, settings) | shared
        counts["agent_issuing_states"] = len(states - {None})
    return dataclasses.replace(lookups, counts=counts)


# -- what arrived between the two steps -----------------------------------------------

#: The tables whose rows feed an item's look-ups, and the columns that tie a row to it.
_FED_BY = {
    "applications": tuple(COUNTED_ON.values()),
    "travel_history": ("applicant_id",),
    "prior_decisions": ("applicant_id",),
    "sponsors": ("sponsor_id",),
}


def _marks(session: Session) -> dict[str, Any]:
    """Where each feeding table stood: SQLite's last rowid, else the row count."""
    fn = "max(rowid)" if session.get_bind().dialect.name == "sqlite" else "count(*)"
    return {
        table: session.execute(sa.text(f"SELECT {fn} FROM {table}")).scalar() or 0
        for table in _FED_BY
    }


def _arrived_since(session: Session, marks: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Rows stored since ``marks`` (SQLite), or None when they cannot be told apart.

    An empty list: nothing arrived, every computed score stands.  None (PostgreSQL,
    where rows have no arrival order, and the counts moved): every item's look-ups
    are read again under the lock and its score recomputed if they changed.
    """
    now = _marks(session)
    if now == marks:
        return []
    if session.get_bind().dialect.name != "sqlite":
        return None
    news = []
    for table, columns in _FED_BY.items():
        if now[table] != marks[table]:
            t = raw_table(table)
            query = sa.select(*(t.c[c] for c in columns), *_when(t)).where(
                sa.literal_column("rowid") > marks[table]
            )
            news += [dict(r) for r in session.execute(query).mappings()]
    return news


def _when(table: sa.Table) -> tuple[sa.ColumnElement[Any], ...]:
    return (table.c.submitted_at,) if table.name == "applications" else ()


def _stale(
    application: dict[str, Any], news: list[dict[str, Any]] | None, settings: Settings
) -> bool:
    """Could a row that arrived between the steps change this application's look-ups?"""
    if news is None:
        return True
    at: dt.datetime = application["submitted_at"]
    since = at - dt.timedelta(days=settings.features.network_window_days)
    for row in news:
        shared = any(
            application.get(c) is not None and row[c] == application.get(c)
            for c in row
            if c != "submitted_at"
        )
        in_window = "submitted_at" not in row or since <= row["submitted_at"] < at
        if shared and in_window:
            return True
    return False
