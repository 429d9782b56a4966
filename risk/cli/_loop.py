"""The loop's verbs: ``risk export`` (the store as training data) and ``risk estimate``."""

from __future__ import annotations

import datetime
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ._app import app, console


class EstimateFormat(StrEnum):
    """How ``risk estimate`` prints."""

    table = "table"
    json = "json"


REVIEWS_FILE = "reviews.parquet"


def read_reviews(data: Path, model: str | None = None) -> Any:
    """``DATA/reviews.parquet`` (one model version's rows when ``model`` is given).

    Raises
    ------
    DataFileError
        The file is missing, or holds no score of ``model`` (the versions it does hold
        are named).
    """
    import polars as pl

    from risk.errors import DataFileError

    path = data / REVIEWS_FILE
    if not path.is_file():
        raise DataFileError(
            f"{path} does not exist: the reviews table comes from 'risk export'"
            " (one row per score with its review propensity and finding)"
        )
    frame = pl.read_parquet(path)
    if model is None:
        return frame
    mine = frame.filter(pl.col("model_version") == model)
    if mine.is_empty():
        held = sorted(set(frame["model_version"].to_list()))
        raise DataFileError(
            f"{path} holds no score of model {model!r}; it holds {', '.join(held) or 'none'}"
        )
    return mine


def _cell(e: Any) -> str:
    if e.value is None:
        return "-"
    return f"{e.value:.3f} [{e.low:.3f}, {e.high:.3f}]"


@app.command("estimate")
def estimate(
    data: Annotated[Path, typer.Option("--data", help="An export folder (risk export).")],
    model: Annotated[str, typer.Option("--model", help="The model version whose scores count.")],
    format: Annotated[
        EstimateFormat, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = EstimateFormat.table,
) -> None:
    """Estimate prevalence, precision and recall at capacity and the miss rate among
    unflagged applications, per month and overall, from the reviewed cases weighted by
    their review propensity (Horvitz-Thompson, 95% intervals)."""
    from rich.table import Table

    from models import estimate_reviews

    result = estimate_reviews(read_reviews(data, model))
    rows = [*result["months"], result["overall"]]
    if format is EstimateFormat.json:
        typer.echo(json.dumps({"model": model, "estimates": [r.to_dict() for r in rows]}))
        return
    table = Table(
        "period",
        "scored",
        "flagged",
        "reviewed (blind)",
        "prevalence",
        "precision at capacity",
        "recall at capacity",
        "miss rate, unflagged",
        title=f"Estimated from the blind sample: model {model} (95% intervals)",
    )
    for r in rows:
        table.add_row(
            r.period,
            str(r.applications),
            str(r.flagged),
            f"{r.reviewed} ({r.blind_reviewed})",
            _cell(r.prevalence),
            _cell(r.precision_at_capacity),
            _cell(r.recall_at_capacity),
            _cell(r.miss_rate_unflagged),
        )
    console.print(table)


def _principal(session: Any, username: str) -> Any:
    import sqlalchemy as sa

    from risk.errors import NotFoundError
    from serving.services import Principal
    from serving.store import User

    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFoundError(f"user {username!r} does not exist or is not active")
    return Principal(user.user_id, user.username, user.role)


@app.command("export")
def export(
    until: Annotated[
        datetime.datetime,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Last day included (YYYY-MM-DD)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder.")],
    user: Annotated[str, typer.Option("--user", help="The analyst or admin exporting (audited).")],
) -> None:
    """Export the store's records up to a day as the six contract tables plus
    reviews.parquet (each score's review propensity and finding), for retraining."""
    from risk.clock import WallClock
    from serving.services import export_store

    from ._serving import _session

    with _session() as session:
        result = export_store(
            session, _principal(session, user), until.date(), out, clock=WallClock()
        )
    for name, n in result.rows.items():
        console.print(f"{name}: {n} rows")
    console.print(f"wrote {out} (records up to the end of {until.date()})", highlight=False)
