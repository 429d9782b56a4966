"""Scoring a batch: features and scores computed before the write lock, written under it.

A batch of 500 applications spends most of its time reading history and
computing exact SHAP reasons.  Doing that inside the store's write transaction
made every other writer (a single score, a decision) wait for the whole batch.
Here the work runs in two steps:

1. **Compute**, in a read transaction (one snapshot): each item's history
   look-ups, adjusted for the batch's own earlier applications (an item sees the
   earlier items of its batch in its network windows, as if they had been
   stored one by one), then its feature row and score.
2. **Record**, in the write transaction: each item is received (a re-send is
   answered with its stored score, a changed application refused) and its
   computed score routed, logged and audited, all or nothing.

If the store received other applications (or history) between the two steps,
the items they could change are computed again under the lock, from the store
as it then is, so every score is the one the one-by-one path would give.
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
    bundle: Any,
    settings: Settings,
    principal: Principal,
    items: list[BatchItem],
    *,
    clock: Clock,
    rng: random.Random | None = None,
    idempotency_key: str | None = None,
    wait: bool = True,
) -> list[ScoreOutcome]:
    """Score ``items`` in order and store them together, holding the write lock only to write.

    Each item is idempotent as :func:`~serving.services.score_application` is;
    with ``idempotency_key`` item ``i`` is stored under ``KEY#i``.

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
    with store.transaction(wait=wait) as session:
        locked = time.perf_counter()
        ids = [p.item.application["application_id"] for p in plans]
        lock_for_scoring(session, ids, [p.key for p in plans], user_id=principal.user_id)
        news = _arrived_since(session, marks)
        out = []
        for index, plan in enumerate(plans):
            try:
                out.append(_record(session, bundle, settings, principal, plan, news, clock, rng))
            except ConflictError as exc:
                raise _at_item(index, exc) from exc
    log.info(
        "batch of %d: computed in %.0f ms, waited %.0f ms for the write lock, held it %.0f ms"
        " (%s rows arrived in between, %d items recomputed)",
        len(plans), (computed - started) * 1000, (locked - computed) * 1000,
        (time.perf_counter() - locked) * 1000, "some" if news is None else len(news),
        sum(p.recomputed for p in plans),
    )  # fmt: skip
    return out


def _at_item(index: int, exc: ConflictError) -> ConflictError:
    """``exc`` naming the batch item it is about: the client fixes that one and sends again."""
    return ConflictError(
        f"items[{index}]: {exc.message}",
        detail=[{"loc": ["body", "items", index], "msg": exc.message}],
    )


def _compute(
    session: Session, bundle: Any, settings: Settings, principal: Principal, plans: list[_Plan]
) -> dict[str, Any]:
    """Step 1: every item's look-ups and score from one snapshot; the snapshot's marks."""
    if session.get_bind().dialect.name == "postgresql":  # one snapshot for every read below
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    marks = _marks(session)
    pending: list[tuple[dict[str, Any], str | None]] = []  # earlier new applications
    seen: set[str] = set()
    for index, plan in enumerate(plans):
        app = plan.item.application
        try:
            replay = _find(session, bundle, principal, plan)
        except ConflictError as exc:
            raise _at_item(index, exc) from exc
        if replay is not None or app["application_id"] in seen:
            continue  # answered from the store, or computed under the lock if ever needed
        lookups = load_lookups(session, app, settings)
        plan.lookups = _with_pending(session, settings, app, lookups, pending)
        plan.computed = _score(bundle, settings, plan, plan.lookups)
        seen.add(app["application_id"])
        if not _stored(session, app["application_id"]):
            pending.append((app, _primary_state(plan.item.documents)))
    return marks


def _find(session: Session, bundle: Any, principal: Principal, plan: _Plan) -> Any:
    return find_replay(
        session,
        user_id=principal.user_id,
        key=plan.key,
        application_id=plan.item.application["application_id"],
        fingerprint=plan.fingerprint,
        lang=plan.item.lang,
        model_version=str(bundle.version),
    )


def _score(bundle: Any, settings: Settings, plan: _Plan, lookups: Lookups) -> ComputedScore:
    item = plan.item
    features = feature_row(item.application, item.documents, lookups, settings=settings)
    case_score = bundle.score_one(features, lang=item.lang, top=settings.serving.top_reasons)
    app_id = item.application["application_id"]
    return ComputedScore(app_id, plan.fingerprint, item.lang, features, case_score)


def _record(
    session: Session,
    bundle: Any,
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


_APPS = raw_table("applications")
_IS_STORED = sa.select(_APPS.c.application_id).where(_APPS.c.application_id == sa.bindparam("id"))


def _stored(session: Session, application_id: str) -> bool:
    return session.execute(_IS_STORED, {"id": application_id}).first() is not None


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
