"""The ``--engine`` and ``--scheduler`` options the heavy verbs share."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="polars (one machine) or dask (a Dask cluster); default: RISK_ENGINE__NAME (polars).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: local[:N] starts N local workers (default 2; memory per"
        " worker RISK_ENGINE__WORKER_MEMORY), or a scheduler address such as"
        " tcp://scheduler:8786; default: RISK_ENGINE__SCHEDULER.",
    ),
]


def chosen(engine: str | None, scheduler: str | None):
    """The settings with ``--engine``/``--scheduler`` applied (a scheduler implies dask)."""
    from risk.engine import engine_settings
    from risk.settings import get_settings

    if scheduler is not None and engine is None:
        engine = "dask"
    return engine_settings(get_settings(), engine, scheduler)
