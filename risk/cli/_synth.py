"""``risk synth``: generate a synthetic world of the six contract tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app, console


@app.command("synth")
def synth(
    applications: Annotated[
        int | None, typer.Option("--applications", "-n", help="Applications (default: settings).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: settings).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: DATA_DIR/world).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day of the window (ISO date).")] = None,
    years: Annotated[int | None, typer.Option(help="Length of the window in years.")] = None,
    drift: Annotated[
        str | None,
        typer.Option(
            help="Drift scenario from --drift-from on: 'new-post' (a new post takes"
            " --drift-share of the applications: work visas, long stays, a third of the"
            " funds, lower image quality, and forged documents the tamper scanner misses)."
        ),
    ] = None,
    drift_from: Annotated[
        str | None,
        typer.Option(help="First day of the drift (ISO date; default: 90 days before the end)."),
    ] = None,
    drift_share: Annotated[
        float, typer.Option(help="Share of applications from --drift-from on that drift.")
    ] = 0.35,
    partition_by: Annotated[
        str | None,
        typer.Option(
            "--partition-by",
            help="'month': write each table as a hive-style partitioned folder"
            " (applications/month=2024-03/part-0.parquet) for the Dask engine.",
        ),
    ] = None,
) -> None:
    """Generate a synthetic world: the six contract tables, truth.parquet and manifest.json.

    Without --drift the world is byte for byte what the same seed always gives.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from risk.settings import get_settings
    from risk.synth import STEPS, synthesize

    settings = get_settings()
    cfg = settings.synth
    n = applications if applications is not None else cfg.applications
    out_dir = out if out is not None else settings.data_dir / "world"
    first = start or cfg.start_date
    span = years if years is not None else cfg.years
    scenario = _scenario(drift, drift_from, drift_share, first, span)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("synth", total=len(STEPS) + 1)

        def step(name: str) -> None:
            bar.update(task, description=f"synth: {name}", completed=[*STEPS, "write"].index(name))

        manifest = synthesize(
            n,
            seed if seed is not None else cfg.seed,
            out_dir,
            start=first,
            years=span,
            progress=step,
            drift=scenario,
            partition_by=partition_by,
        )
        bar.update(task, completed=len(STEPS) + 1)
    console.print(_summary(out_dir, manifest))


def _scenario(name, day, share, start, years):
    """The drift scenario asked for, if any (default start: 90 days before the window ends)."""
    import datetime as dt

    from risk.errors import ConfigError
    from risk.synth import DriftScenario

    if name is None:
        if day is not None:
            raise ConfigError("synth: --drift-from needs --drift SCENARIO")
        return None
    if day is None:
        first = dt.date.fromisoformat(str(start))
        end = first.replace(year=first.year + years)
        return DriftScenario(name, end - dt.timedelta(days=90), share)
    try:
        return DriftScenario(name, dt.date.fromisoformat(day), share)
    except ValueError:
        raise ConfigError(f"synth: --drift-from {day!r} is not an ISO date (YYYY-MM-DD)") from None


def _summary(out_dir: Path, manifest):
    """Rows per table, base rates, investigated and confirmed shares."""
    from rich.table import Table

    from risk.io import scan_table

    truth = scan_table(out_dir, "truth").collect()
    outcomes = scan_table(out_dir, "outcomes").collect()
    table = Table(title=f"Synthetic world in {out_dir} (seed {manifest.seed})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, rows in manifest.rows.items():
        table.add_row(f"rows: {name}", f"{rows:,}")
    for column in ("overstay", "document_fraud", "misrepresentation", "any_violation"):
        table.add_row(f"base rate: {column}", f"{truth[column].mean():.2%}")
    investigated = outcomes["investigated"]
    table.add_row("investigated share", f"{investigated.mean():.2%}")
    confirmed = outcomes["violation_confirmed"].fill_null(False)
    table.add_row("confirmed share (of all)", f"{confirmed.mean():.2%}")
    pending = (investigated & outcomes["known_at"].is_null()).mean()
    table.add_row("pending at snapshot", f"{pending:.2%}")
    return table
