"""``risk validate``: check a folder of raw tables against the data contract."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from risk.text import plural

from ._app import app, console


class OutputFormat(StrEnum):
    """How ``risk validate`` prints its report."""

    table = "table"
    json = "json"


@app.command("validate")
def validate(
    data: Annotated[
        Path, typer.Option("--data", help="Folder with one file per table (.parquet or .csv).")
    ],
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table (for people) or json (for tools).")
    ] = OutputFormat.table,
    max_per_rule: Annotated[
        int,
        typer.Option("--max-per-rule", min=1, help="Problems shown per table, column and rule."),
    ] = 20,
) -> None:
    """Check every table in DATA against the contract; exit 0 when clean, 1 otherwise."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from risk.contract import TABLES
    from risk.validation import validate_dir

    with Progress(
        TextColumn("validate {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=format is OutputFormat.json,
    ) as bar:
        task = bar.add_task("", total=len(TABLES))

        def step(name: str) -> None:
            bar.update(task, advance=1, description=name)

        report = validate_dir(data, max_per_rule=max_per_rule, progress=step)
    if format is OutputFormat.json:
        typer.echo(report.to_json())
    else:
        _print_report(report, data)
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report, data: Path) -> None:
    from rich.table import Table

    if report.problems:
        table = Table(title=f"Contract problems in {data}", show_lines=False)
        for name in ("table", "row", "key", "column", "value", "rule"):
            table.add_column(name, overflow="fold")
        for p in report.problems:
            row = "" if p.row is None else str(p.row)
            table.add_row(p.table, row, p.key or "", p.column or "", p.value or "", p.rule)
        console.print(table)
        counts = Table(title="Problems per rule (all counted, not only those shown)")
        for name in ("table", "column", "rule", "count"):
            counts.add_column(name, overflow="fold")
        for c in report.count_rows():
            counts.add_row(c["table"], c["column"] or "", c["rule"], str(c["count"]))
        console.print(counts)
    tables = ", ".join(f"{t} {n:,}" for t, n in report.rows.items())
    if report.ok:
        console.print(f"[green]OK[/]: no problems in {data} (rows: {tables})", highlight=False)
    else:
        rules = len(report.counts)
        console.print(
            f"[red]FAILED[/]: {plural(report.total, 'problem')} breaking"
            f" {plural(rules, 'rule')} in {data}"
            f" (rows: {tables or 'none read'})",
            highlight=False,
        )
