"""``risk features``: list the feature catalogue, or compute features for a world."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from risk.errors import FeatureError

from ._app import app, console
from ._engine import EngineOption, SchedulerOption, chosen


class CatalogueFormat(StrEnum):
    """How ``risk features --catalogue`` prints."""

    table = "table"
    json = "json"
    markdown = "markdown"


@app.command("features")
def features(
    catalogue: Annotated[
        bool, typer.Option("--catalogue", help="Print the feature catalogue and exit.")
    ] = False,
    fmt: Annotated[
        CatalogueFormat, typer.Option("--format", help="Catalogue format.")
    ] = CatalogueFormat.table,
    data: Annotated[
        Path | None, typer.Option("--data", help="Folder with the six contract tables.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Parquet file to write the features to (with --engine dask: a folder of"
            " parts, one per input partition).",
        ),
    ] = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Print the feature catalogue (--catalogue) or compute features (--data DIR --out FILE)."""
    if catalogue:
        _print_catalogue(fmt)
        return
    if data is None or out is None:
        raise FeatureError(
            "risk features needs --catalogue, or both --data DIR and --out FILE.parquet"
        )
    settings = chosen(engine, scheduler)
    if settings.engine.name == "dask":
        if out.suffix == ".csv":
            raise FeatureError(f"--out with --engine dask is a folder of Parquet parts, got {out}")
        _compute_dask(data, out, settings)
        return
    if out.suffix != ".parquet":
        raise FeatureError(f"--out must be a .parquet file, got {out}")
    _compute(data, out)


def _compute_dask(data: Path, out: Path, settings) -> None:
    from features import catalogue
    from features._dask import write_features_dask
    from risk.engine import dask_client

    status = console.status(f"features on Dask ({settings.engine.scheduler})")
    with status, dask_client(settings.engine) as client:
        done = write_features_dask(client, data, out, settings=settings)
    console.print(f"{done['parts']} parts written to {out}", highlight=False, soft_wrap=True)
    _summary_counts(done["rows"], done["nulls"], catalogue(), out)


def _print_catalogue(fmt: CatalogueFormat) -> None:
    from rich.table import Table

    from features import catalogue

    cat = catalogue()
    if fmt is CatalogueFormat.json:
        console.print_json(cat.to_json())
        return
    if fmt is CatalogueFormat.markdown:
        console.print(cat.to_markdown(), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=f"Feature catalogue ({len(cat)} features, hash {cat.hash()[:12]})")
    table.add_column("feature", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("description", overflow="fold")
    for group, names in cat.groups.items():
        table.add_row(f"[bold]{group}[/]", "", "")
        for name in names:
            s = cat.get(name)
            unit = f" ({s.unit})" if s.unit else ""
            table.add_row(
                f"  {s.name}", s.kind, s.description + unit, end_section=name == names[-1]
            )
    console.print(table)


def _compute(data: Path, out: Path) -> None:
    import polars as pl
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from features import ID_COLUMNS, build_family, catalogue
    from risk.io import load_tables, write_table

    tables = load_tables(data)
    cat = catalogue()
    blocks = [tables.applications.select(ID_COLUMNS).collect()]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("features", total=len(cat.groups))
        for group in cat.groups:
            bar.update(task, description=f"features: {group}")
            blocks.append(build_family(group, tables).collect())
            bar.advance(task)
    frame = pl.concat(blocks, how="horizontal")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_table(frame, out)
    _summary(frame, cat, out)


def _summary(frame, cat, out: Path) -> None:
    _summary_counts(frame.height, frame.null_count().row(0, named=True), cat, out)


def _summary_counts(rows: int, nulls: dict, cat, out: Path) -> None:
    from rich.table import Table

    table = Table(title=f"Features written to {out}")
    table.add_column("group")
    table.add_column("features", justify="right")
    table.add_column("null cells", justify="right")
    table.add_column("null share", justify="right")
    for group, names in cat.groups.items():
        missing = sum(nulls[n] for n in names)
        cells = rows * len(names)
        share = f"{missing / cells:.1%}" if cells else "-"
        table.add_row(group, str(len(names)), f"{missing:,}", share)
    table.add_row("all", str(len(cat)), f"{sum(nulls[n] for n in cat.names):,}", "", style="bold")
    console.print(f"{rows:,} applications x {len(cat)} features")
    console.print(table)
