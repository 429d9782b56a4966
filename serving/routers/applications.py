"""Scoring: one application, a batch, and reading a logged score."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Annotated, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Path, Request, Response

from risk.clock import Clock
from risk.errors import ConflictError, NotFoundError
from risk.settings import Settings
from serving.deps import HolderDep, SettingsDep, StoreDep, allow, run_write
from serving.schemas import (
    ERROR_RESPONSES,
    ScoreBatchPublic,
    ScoreBatchRequest,
    ScorePublic,
    ScoreRequest,
)
from serving.services import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_IDEMPOTENCY_KEY,
    ModelHolder,
    Principal,
    ScoreOutcome,
    batch_item_key,
    lock_for_scoring,
    score_application,
)
from serving.store import Score, Store

from ._present import json_answer, score_public, stored_score_public

T = TypeVar("T")

router = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES)

Scorer = Annotated[Principal, Depends(allow("score"))]
ScoreReader = Annotated[Principal, Depends(allow("scores.read"))]


#: The client's name for a request, so a re-send is answered, not scored again.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="A name for this request (1-64 characters from A-Z a-z 0-9 . _ : -)."
        " A re-send with the same key gets the original answer (header"
        " `Idempotent-Replayed: true`) and stores nothing; the same key with"
        " different inputs is refused with 409.",
    ),
]
#: Answer header: this answer is a stored one, given again to a re-sent request.
REPLAYED = "Idempotent-Replayed"


def _score_all(
    request: Request,
    store: Store,
    holder: ModelHolder,
    settings: Settings,
    user: Principal,
    items: list[ScoreRequest],
    *,
    key: str | None = None,
    wait: bool = True,
    batch: bool = False,
) -> list[ScoreOutcome]:
    bundle = holder.bundle  # 503 before touching the store when no model is loaded
    rng: random.Random = request.app.state.rng
    clock: Clock = request.app.state.clock
    inputs = [
        (i.application.model_dump(), [d.model_dump() for d in i.documents], i.lang) for i in items
    ]
    with store.transaction(wait=wait) as session:  # all items commit together, or none
        lock_for_scoring(
            session,
            [app["application_id"] for app, _, _ in inputs],
            [batch_item_key(key, i) if batch else key for i in range(len(inputs))],
            user_id=user.user_id,
        )
        out = []
        for index, (app, docs, lang) in enumerate(inputs):
            try:
                outcome = score_application(
                    session, bundle, settings, user, app, docs, clock=clock, lang=lang, rng=rng,
                    idempotency_key=batch_item_key(key, index) if batch else key,
                )  # fmt: skip
            except ConflictError as exc:
                if not batch:
                    raise
                # which item of the batch: the client fixes that one and sends the batch again
                raise ConflictError(
                    f"items[{index}]: {exc.message}",
                    detail=[{"loc": ["body", "items", index], "msg": exc.message}],
                ) from exc
            out.append(outcome)
        return out


def _once_more_on_collision(work: Callable[[], T]) -> T:
    """Run ``work``; if a concurrent request committed the same rows first, run it again.

    The advisory locks serialise two sends of one application; two different
    applications that share a new document id can still collide on PostgreSQL's
    unique index.  The second attempt sees the committed rows and answers as a
    re-send would (the stored score, or a 409 naming what is taken).
    """
    try:
        return work()
    except sa.exc.IntegrityError:
        return work()


@router.post("/v1/applications/score", response_model=ScorePublic)
async def score(
    body: ScoreRequest,
    request: Request,
    store: StoreDep,
    holder: HolderDep,
    settings: SettingsDep,
    user: Scorer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Score one application with its documents; ``review`` opens a case.

    A re-sent request (the same ``Idempotency-Key``, or the same application and
    inputs in the same language while the same model serves) is answered with the
    original score and ``Idempotent-Replayed: true``; nothing new is stored.
    """

    def work(wait: bool) -> Response:
        (outcome,) = _once_more_on_collision(
            lambda: _score_all(
                request, store, holder, settings, user, [body], key=idempotency_key, wait=wait
            )
        )
        answer = json_answer(score_public(outcome, holder.name_of))
        if outcome.replayed:
            answer.headers[REPLAYED] = "true"
        return answer

    return await run_write(store, work)


@router.post("/v1/applications/score-batch", response_model=ScoreBatchPublic)
def score_batch(
    body: ScoreBatchRequest,
    request: Request,
    store: StoreDep,
    holder: HolderDep,
    settings: SettingsDep,
    user: Scorer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Score several applications in order; they are stored together or not at all.

    Each item is idempotent as a single score is (an ``Idempotency-Key`` names the
    batch; item ``i`` is stored under ``KEY#i``).  ``Idempotent-Replayed-Items``
    lists the indexes of the items answered with their stored score.
    """
    # A plain ``def``: a batch can take long enough to matter to the event loop.
    outcomes = _once_more_on_collision(
        lambda: _score_all(
            request, store, holder, settings, user, body.items, key=idempotency_key, batch=True
        )
    )
    data = [score_public(o, holder.name_of) for o in outcomes]
    answer = json_answer(ScoreBatchPublic(data=data, count=len(data)))
    replayed = [str(i) for i, o in enumerate(outcomes) if o.replayed]
    if replayed:
        answer.headers[f"{REPLAYED}-Items"] = ",".join(replayed)
    return answer


@router.get("/v1/scores/{score_id}", response_model=ScorePublic)
def get_score(
    score_id: Annotated[str, Path(max_length=64)],
    store: StoreDep,
    holder: HolderDep,
    user: ScoreReader,
) -> ScorePublic:
    """A logged score."""
    with store.transaction() as session:
        row = session.get(Score, score_id)
        if row is None:
            raise NotFoundError(f"score {score_id!r} does not exist")
        return stored_score_public(session, row, holder.name_of)
