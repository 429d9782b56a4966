"""``risk train`` and ``risk score-batch``: train a model bundle, score many cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from risk.errors import ConfigError

from ._app import app, console
from ._engine import EngineOption, SchedulerOption, chosen


def _bar() -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command("train")
def train(
    out: Annotated[Path, typer.Option(help="Folder to write the model bundle to.")],
    data: Annotated[
        Path | None, typer.Option(help="Folder of contract tables (e.g. from `risk synth`).")
    ] = None,
    table: Annotated[
        Path | None, typer.Option(help="Your own feature table (.csv or .parquet).")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="Dataset spec (TOML) describing --table.")
    ] = None,
    explanations: Annotated[
        Path | None,
        typer.Option(help="Also write global SHAP plots, importance and the test split here."),
    ] = None,
    track: Annotated[
        bool,
        typer.Option(help="Log the run to MLflow and register it as the challenger."),
    ] = True,
    by: Annotated[
        str | None,
        typer.Option(help="Who trains (recorded; a waiver must be approved by someone else)."),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            help="naive (confirmed = 1, everything else 0) or reviewed-ipw (reviewed cases only,"
            " weighted by 1/review propensity from reviews.parquet); default: reviewed-ipw when"
            " --data holds reviews.parquet, naive otherwise."
        ),
    ] = None,
    features: Annotated[
        Path | None,
        typer.Option(
            help="With --engine dask: the features folder `risk features --engine dask` wrote"
            " for --data (default: compute them on the cluster)."
        ),
    ] = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Train, calibrate and threshold a risk model; write the bundle (model.txt, bundle.json).

    With tracking on (the default) the run is logged to MLflow with its fairness report,
    explanations, model card and oversight report, and registered as the challenger.
    """
    from models import train_table, train_world

    if (data is None) == (table is None):
        raise ConfigError("give either --data DIR or --table FILE --spec SPEC.toml")
    if table is not None and labels is not None:
        raise ConfigError("--labels applies to --data (contract tables), not to --table")
    if table is not None and spec is None:
        raise ConfigError("--table needs --spec SPEC.toml describing its columns")
    settings = chosen(engine, scheduler)
    if settings.engine.name == "dask" and data is None:
        raise ConfigError("--engine dask trains from --data DIR (contract tables)")
    if features is not None and settings.engine.name != "dask":
        raise ConfigError("--features applies to --engine dask (the polars engine computes them)")
    with _bar() as bar:
        task = bar.add_task("train", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            bar.update(task, description=f"train: {stage}", completed=fraction)

        if settings.engine.name == "dask":
            result = _train_dask(data, features, settings, progress, labels)
        elif data is not None:
            result = train_world(data, settings=settings, progress=progress, labels=labels)
        else:
            result = train_table(table, spec, settings=settings, progress=progress)
        bar.update(task, description="train: saving", completed=1.0)
        result.bundle.save(out)
        if explanations is not None:
            _write_explanations(result, explanations)
    _print_summary(result, out)
    if track:
        _track(result, settings, data if data is not None else table.parent, by)


def _train_dask(
    data: Path, features: Path | None, settings: Any, progress: Any, labels: str | None
) -> Any:
    from models._dask_world import train_world_dask
    from risk.engine import dask_client

    with dask_client(settings.engine) as client:
        return train_world_dask(client, data, features=features, settings=settings,
                                progress=progress, labels=labels)  # fmt: skip


def _track(result: Any, settings: Any, data_dir: Path, by: str | None) -> None:
    import getpass

    from experiments import log_training_run

    trained_by = by or getpass.getuser()
    with console.status("logging the run to MLflow (audit, explanations, model card, report)"):
        info = log_training_run(result, settings=settings, data_dir=data_dir, trained_by=trained_by)
    from models import model_name

    name = model_name(result.bundle.fingerprint, info.version)
    console.print(
        f"MLflow run {info.run_id}: registered version {info.version}, {name}, as challenger"
        f" (trained by {trained_by}); fairness verdict: {info.fairness_verdict}"
    )
    if info.report_path is not None:
        console.print(f"oversight report: {info.report_path}")


def _write_explanations(result: Any, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    result.global_explanation.save_plots(directory)
    result.global_explanation.to_frame().write_csv(directory / "importance.csv")
    result.test_frame.write_parquet(directory / "test_scored.parquet")


def _print_summary(result: Any, out: Path) -> None:
    from rich.table import Table

    bundle = result.bundle
    labels = bundle.meta.get("labels") or {}
    if labels.get("weights"):
        w = labels["weights"]
        console.print(
            f"labels: {labels['policy']} ({w['rows_weighted']} reviewed cases weighted by"
            f" 1/propensity, total weight {w['weight_total']:g})"
        )
    elif labels:
        console.print(f"labels: {labels['policy']}")
    table = Table(title=f"Model {bundle.version} written to {out}")
    table.add_column("metric (test split)")
    for column in ("model", "baseline", "model_truth", "baseline_truth"):
        if column in result.metrics:
            table.add_column(column.replace("_", " vs "), justify="right")
    keys = (
        "roc_auc",
        "pr_auc",
        "brier",
        "ece",
        "precision_at_capacity",
        "recall_at_capacity",
        "lift_at_capacity",
    )
    cols = [
        c for c in ("model", "baseline", "model_truth", "baseline_truth") if c in result.metrics
    ]
    for key in keys:
        cells = [result.metrics[c].get(key) for c in cols]
        table.add_row(key, *("-" if v is None else f"{v:.4f}" for v in cells))
    console.print(table)
    console.print(
        f"threshold: score >= {bundle.threshold:.4f} (margin {bundle.threshold_margin:.4f}),"
        f" capacity {bundle.bands.capacity:.1%}; trees: {bundle.meta.get('best_iteration')}"
    )


def _score_dask(model, data, out, settings, explain, lang, top, chunk_size) -> None:
    from models._dask_batch import score_batch_dask
    from risk.engine import dask_client

    status = console.status(f"score-batch on Dask ({settings.engine.scheduler})")
    with status, dask_client(settings.engine) as client:
        summary = score_batch_dask(
            client, model, data, out, explain=explain, lang=lang, top=top,
            chunk_size=chunk_size, settings=settings,
        )  # fmt: skip
    console.print(
        f"scored {summary['rows']:,} cases in {summary['parts']} partitions:"
        f" {summary['flagged']:,} flagged for review; written to {out}"
    )


@app.command("score-batch")
def score_batch(
    model: Annotated[Path, typer.Option(help="Model bundle folder.")],
    data: Annotated[
        Path, typer.Option(help="Folder of contract tables, or a feature table (.csv/.parquet).")
    ],
    out: Annotated[Path, typer.Option(help="Output file (.parquet or .csv).")],
    explain: Annotated[
        str, typer.Option(help="Write reasons for: all, flagged (default) or none.")
    ] = "flagged",
    lang: Annotated[str, typer.Option(help="Language of the reasons: en or id.")] = "en",
    top: Annotated[int, typer.Option(help="Reasons per direction (raised, lowered).")] = 3,
    chunk_size: Annotated[int, typer.Option(help="Rows per chunk.")] = 50_000,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Score many cases: id, calibrated score, band, flag and the top reasons.

    With --engine dask, --out is a folder of parts (one per input partition) and the
    bundle folder must be readable by every worker.
    """
    from models import batch_input, load_bundle
    from models import score_batch as run

    settings = chosen(engine, scheduler)
    if settings.engine.name == "dask":
        _score_dask(model, data, out, settings, explain, lang, top, chunk_size)
        return
    bundle = load_bundle(model)
    rows = batch_input(bundle, data)
    with _bar() as bar:
        task = bar.add_task("score-batch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = run(
            bundle,
            rows,
            out,
            explain=explain,
            lang=lang,
            top=top,
            chunk_size=chunk_size,
            progress=progress,
        )
    console.print(
        f"scored {summary['rows']:,} cases with model {bundle.version}:"
        f" {summary['flagged']:,} flagged for review; written to {out}"
    )
