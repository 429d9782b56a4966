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
) -> None:
    """Generate a synthetic world: the six contract tables, truth.parquet and manifest.json."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from risk.settings import get_settings
    from risk.synth import STEPS, synthesize

    settings = get_settings()
    cfg = settings.synth
    n = applications if applications is not None else cfg.applications
    out_dir = out if out is not None else settings.data_dir / "world"
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
            start=start or cfg.start_date,
            years=years if years is not None else cfg.years,
            progress=step,
        )
        bar.update(task, completed=len(STEPS) + 1)
    console.print(_summary(out_dir, manifest))


def _summary(out_dir: Path, manifest):
    """Rows per table, base rates, investigated and confirmed shares."""
    import polars as pl
    from rich.table import Table

    truth = pl.read_parquet(out_dir / "truth.parquet")
    outcomes = pl.read_parquet(out_dir / "outcomes.parquet")
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
