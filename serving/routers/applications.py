"""Scoring: one application, a batch, and reading a logged score."""

from __future__ import annotations

import random
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

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
from serving.services import ModelHolder, Principal, score_application
from serving.store import Score, Store

from ._present import json_answer, score_public, stored_score_public

router = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES)

Scorer = Annotated[Principal, Depends(allow("score"))]
ScoreReader = Annotated[Principal, Depends(allow("scores.read"))]


def _score_all(
    request: Request,
    store: Store,
    holder: ModelHolder,
    settings: Settings,
    user: Principal,
    items: list[ScoreRequest],
    *,
    wait: bool = True,
    batch: bool = False,
) -> list[ScorePublic]:
    bundle = holder.bundle  # 503 before touching the store when no model is loaded
    rng: random.Random = request.app.state.rng
    clock: Clock = request.app.state.clock
    inputs = [
        (i.application.model_dump(), [d.model_dump() for d in i.documents], i.lang) for i in items
    ]
    with store.transaction(wait=wait) as session:  # all items commit together, or none
        out = []
        for index, (app, docs, lang) in enumerate(inputs):
            try:
                outcome = score_application(
                    session, bundle, settings, user, app, docs, clock=clock, lang=lang, rng=rng
                )
            except ConflictError as exc:
                if not batch:
                    raise
                # which item of the batch: the client fixes that one and sends the batch again
                raise ConflictError(
                    f"items[{index}]: {exc.message}",
                    detail=[{"loc": ["body", "items", index], "msg": exc.message}],
                ) from exc
            out.append(score_public(outcome, holder.name_of))
        return out


@router.post("/v1/applications/score", response_model=ScorePublic)
async def score(
    body: ScoreRequest,
    request: Request,
    store: StoreDep,
    holder: HolderDep,
    settings: SettingsDep,
    user: Scorer,
) -> Response:
    """Score one application with its documents; ``review`` opens a case."""
    return await run_write(
        store,
        lambda wait: json_answer(
            _score_all(request, store, holder, settings, user, [body], wait=wait)[0]
        ),
    )


@router.post("/v1/applications/score-batch", response_model=ScoreBatchPublic)
def score_batch(
    body: ScoreBatchRequest,
    request: Request,
    store: StoreDep,
    holder: HolderDep,
    settings: SettingsDep,
    user: Scorer,
) -> Response:
    """Score several applications in order; they are stored together or not at all."""
    # A plain ``def``: a batch can take long enough to matter to the event loop.
    data = _score_all(request, store, holder, settings, user, body.items, batch=True)
    return json_answer(ScoreBatchPublic(data=data, count=len(data)))


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
