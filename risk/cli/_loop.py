"""The loop's verbs: ``risk estimate`` (population figures from the blind sample)."""

from __future__ import annotations

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
