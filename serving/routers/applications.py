"""Scoring: one application, a batch, and reading a logged score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Header, Path, Request, Response

from risk.errors import NotFoundError
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
    BatchItem,
    ModelHolder,
    Principal,
    ScoreOutcome,
    score_application,
)
from serving.services import score_batch as score_batch_items
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


def _items(items: list[ScoreRequest]) -> list[BatchItem]:
    return [
        BatchItem(i.application.model_dump(), [d.model_dump() for d in i.documents], i.lang)
        for i in items
    ]


def _score_one(
    request: Request,
    store: Store,
    holder: ModelHolder,
    settings: Settings,
    user: Principal,
    body: ScoreRequest,
    key: str | None,
    wait: bool,
) -> ScoreOutcome:
    bundle = holder.bundle  # 503 before touching the store when no model is loaded
    (item,) = _items([body])
    with store.transaction(wait=wait) as session:
        return score_application(
            session,
            bundle,
            settings,
            user,
            item.application,
            item.documents,
            clock=request.app.state.clock,
            lang=item.lang,
            rng=request.app.state.rng,
            idempotency_key=key,
        )


def _shadow(request: Request, store: Store, settings: Settings, outcomes: list) -> None:
    """Committed new scores go to the challenger in shadow (added to its list; never blocks)."""
    scores = [o.score for o in outcomes if not o.replayed]
    request.app.state.shadow.submit(store, request.app.state.clock, settings, scores)


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
        outcome = _once_more_on_collision(
            lambda: _score_one(request, store, holder, settings, user, body, idempotency_key, wait)
        )
        _shadow(request, store, settings, [outcome])
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
    """Score several applications in order; a batch with a refused item stores nothing.

    Items are stored in order in short write transactions (``batch_write_chunk``);
    if the service fails part-way, sending the same batch again completes it.

    Each item is idempotent as a single score is (an ``Idempotency-Key`` names the
    batch; item ``i`` is stored under ``KEY#i``).  ``Idempotent-Replayed-Items``
    lists the indexes of the items answered with their stored score.
    """
    # A plain ``def``: a batch can take long enough to matter to the event loop.
    bundle = holder.bundle  # 503 before touching the store when no model is loaded
    app_state = request.app.state
    outcomes = _once_more_on_collision(
        lambda: score_batch_items(
            store,
            bundle,
            settings,
            user,
            _items(body.items),
            clock=app_state.clock,
            rng=app_state.rng,
            idempotency_key=idempotency_key,
        )
    )
    _shadow(request, store, settings, outcomes)
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
