"""``risk fairness``: the fairness report of any scored table (Parquet or CSV).

``risk audit`` is the same command under its former name, kept for one release so
scripts keep working; "audit" now names only the hash-chained audit log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from risk.errors import AmanahError, RequestValidationError

from ._app import app, console, err_console
from ._engine import EngineOption, SchedulerOption, chosen


def _parse_references(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        col, sep, value = pair.partition("=")
        if not sep or not col:
            raise RequestValidationError(
                f"--reference {pair!r}: expected COL=VALUE, e.g. --reference sex=F"
            )
        out[col] = value
    return out


@app.command(
    "audit",
    help="Alias of 'risk fairness' (its former name, kept for one release): the fairness"
    " report of a scored table.",
)
@app.command("fairness")
def fairness(
    scores: Annotated[Path, typer.Option("--scores", help="Scored table (.parquet or .csv).")],
    label: Annotated[str, typer.Option("--label", help="Binary truth column (0/1).")],
    group: Annotated[
        list[str], typer.Option("--group", help="Protected attribute column; repeat for more.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for fairness.json and .html.")],
    score: Annotated[str | None, typer.Option("--score", help="Score column in [0, 1].")] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Flag when score >= threshold.")
    ] = None,
    flag: Annotated[str | None, typer.Option("--flag", help="Binary flag column.")] = None,
    intersections: Annotated[
        bool, typer.Option("--intersections", help="Also report every pair of attributes.")
    ] = False,
    reference: Annotated[
        list[str] | None,
        typer.Option("--reference", help="COL=VALUE reference group (default: largest)."),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Tolerance policy (TOML).")
    ] = None,
    investigated: Annotated[
        str | None, typer.Option("--investigated", help="Binary column: add the label-bias view.")
    ] = None,
    confirmed: Annotated[
        str | None, typer.Option("--confirmed", help="Binary confirmed-violation column.")
    ] = None,
    truth: Annotated[
        str | None, typer.Option("--truth", help="Binary true-violation column, if known.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 2 when the verdict is fail.")
    ] = False,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """The fairness report of a scored table: group disparities in fairness.json and .html.

    With --engine dask, --scores is a folder of parts: each worker summarises its
    partitions (group counts, score ties, calibration bins) and the report is built from
    their sum, with the same figures.
    """
    try:
        verdict = _run(
            scores,
            label=label,
            groups=group,
            out=out,
            score=score,
            threshold=threshold,
            flag=flag,
            intersections=intersections,
            references=reference or [],
            policy_path=policy,
            investigated=investigated,
            confirmed=confirmed,
            truth=truth,
            engine=chosen(engine, scheduler).engine,
        )
    except AmanahError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    if strict and verdict != "pass":
        raise typer.Exit(2)


def _run(
    scores: Path,
    *,
    label: str,
    groups: list[str],
    out: Path,
    score: str | None,
    threshold: float | None,
    flag: str | None,
    intersections: bool,
    references: list[str],
    policy_path: Path | None,
    investigated: str | None,
    confirmed: str | None,
    truth: str | None,
    engine=None,
) -> str:
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from models.fairness import FairnessPolicy, fairness_report, label_bias, read_scores

    refs = _parse_references(references)
    if (investigated is None) != (confirmed is None) or (truth and not investigated):
        raise RequestValidationError(
            "--investigated and --confirmed go together (and --truth needs both)"
        )
    policy = FairnessPolicy.from_toml(policy_path) if policy_path else FairnessPolicy.default()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"reading {scores}", total=4)
        args = {"label": label, "groups": groups, "score": score, "threshold": threshold,
                "flag": flag, "intersections": intersections, "reference": refs,
                "policy": policy}  # fmt: skip
        bias_args = None
        if investigated is not None and confirmed is not None:
            bias_args = {"investigated": investigated, "confirmed": confirmed, "truth": truth,
                         "min_group_size": policy.min_group_size}  # fmt: skip
        if engine is not None and engine.name == "dask":
            progress.update(task, advance=1, description="summarising partitions on Dask")
            result, bias = _on_dask(scores, args, bias_args, engine)
        else:
            frame = read_scores(scores)
            progress.update(task, advance=1, description="measuring groups and bootstrap")
            result = fairness_report(frame, source=str(scores), **args)
            bias = None
            if bias_args is not None:
                progress.update(task, description="label-bias view")
                bias = label_bias(frame, groups, **bias_args)
        progress.update(task, advance=1, description="writing fairness.json and .html")
        _write(result, out, bias)
        progress.update(task, advance=2)
    _summary(result, out)
    return result.verdict


def _on_dask(scores: Path, args: dict, bias_args: dict | None, engine):
    from models.fairness import fairness_report_dask, label_bias_dask
    from risk.engine import dask_client

    with dask_client(engine) as client:
        result = fairness_report_dask(client, scores, **args)
        bias = None
        if bias_args is not None:
            bias = label_bias_dask(client, scores, args["groups"], **bias_args)
        return result, bias


def _write(result, out: Path, bias) -> None:
    from models.fairness import write_html

    out.mkdir(parents=True, exist_ok=True)
    (out / "fairness.json").write_text(result.to_json() + "\n", encoding="utf-8")
    write_html(result, out / "fairness.html", label_bias=bias)


def _summary(result, out: Path) -> None:
    from rich.table import Table

    table = Table(title=f"Fairness report: {result.verdict.upper()}")
    table.add_column("attribute")
    table.add_column("reference")
    table.add_column("verdict")
    table.add_column("failing")
    for name, attr in result.attributes.items():
        failing = [f"{m}: {', '.join(v.failing)}" for m, v in attr.verdicts.items() if v.failing]
        table.add_row(name, str(attr.reference), attr.verdict, "; ".join(failing))
    console.print(table)
    console.print(f"wrote {out / 'fairness.json'} and {out / 'fairness.html'}")
