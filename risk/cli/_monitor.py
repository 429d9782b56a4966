"""``risk monitor``: drift, score-shift attribution, label-free estimates and alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from risk.errors import ConfigError
from risk.text import plural

from ._app import app, console
from ._engine import EngineOption, SchedulerOption, chosen


@app.command("monitor")
def monitor_command(
    out: Annotated[Path, typer.Option(help="Folder to write monitor.json and monitor.html to.")],
    model: Annotated[
        Path | None,
        typer.Option(help="Model bundle folder (default with --from: the service's model)."),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            help="Reference feature table, as --current (default: the bundle's reference profile)."
        ),
    ] = None,
    current: Annotated[
        Path | None,
        typer.Option(
            help="Current feature table: .csv, .parquet or a folder of Parquet parts (with"
            " --engine dask: Parquet)."
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of the period in the store.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of the period in the store (included).")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Chunk by 'week' or 'month'.")] = None,
    time: Annotated[str | None, typer.Option(help="Time column of --current (for --by).")] = None,
    label: Annotated[
        str | None, typer.Option(help="Label column of --current (realised figures).")
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="Protected attribute columns of --current, comma-separated.")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option(help="Alert rules (TOML); default: the settings' or built-in.")
    ] = None,
    track: Annotated[
        bool, typer.Option(help="Log the report to MLflow as a monitoring run.")
    ] = True,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Watch a model: per chunk, feature drift, what moved the scores, estimated
    performance, live fairness and alerts.

    Either over scored applications in the store (--from DAY --to DAY [--by month]) or
    over two feature tables (--current FILE --model BUNDLE [--reference FILE]).

    With --engine dask, --current is a folder of Parquet parts: each worker summarises its
    partitions, and the values the tests need whole come to the driver one column at a
    time; the figures are the same.
    """
    from models.monitoring import write_html

    settings = chosen(engine, scheduler)
    dask = settings.engine.name == "dask"
    by = by or ("month" if start else None)
    rules = _policy(policy, settings)
    if current is not None:
        if start or end:
            raise ConfigError("give either --current FILE or --from/--to, not both")
        report = _tables(model, reference, current, time, by, label, groups, rules, settings)
    elif dask:
        raise ConfigError(
            "--engine dask monitors a --current folder of parts; --from/--to read the"
            " service's store, on one machine"
        )
    elif start and end:
        report = _store(model, _day(start, "--from"), _day(end, "--to"), by, rules, settings)
    else:
        raise ConfigError("give --current FILE --model BUNDLE, or --from DAY --to DAY")
    out.mkdir(parents=True, exist_ok=True)
    (out / "monitor.json").write_text(report.to_json())
    write_html(report, out / "monitor.html")
    _summary(report, out)
    if track:
        from experiments import log_monitoring_run

        run_id = log_monitoring_run(report, out, settings=settings)
        console.print(f"logged to MLflow as monitoring run {run_id}")


def _policy(path: Path | None, settings: Any) -> Any:
    from models.monitoring import AlertPolicy

    path = path or settings.monitor.policy_path
    return AlertPolicy.from_toml(path) if path else AlertPolicy()


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} must be a day like 2025-01-31, got {text!r}") from None


def _tables(model, reference, current, time, by, label, groups, rules, settings) -> Any:
    import copy

    from models import load_bundle
    from models.fairness import read_scores
    from models.monitoring import build_profile, monitor

    if model is None:
        raise ConfigError("--current needs --model BUNDLE")
    bundle = load_bundle(model)
    cols = [g.strip() for g in groups.split(",") if g.strip()] if groups else []
    kwargs = {"settings": settings.monitor, "time": time, "by": by, "label": label,
              "groups": cols, "fairness": settings.fairness, "policy": rules}  # fmt: skip
    if settings.engine.name == "dask":
        return _on_dask(bundle, model, reference, current, kwargs, settings)
    if reference is not None:
        bundle = copy.copy(bundle)
        bundle.reference = build_profile(bundle, read_scores(reference), settings.monitor).to_dict()
    return monitor(bundle, read_scores(current), **kwargs)


def _on_dask(bundle, model: Path, reference: Path | None, current: Path, kwargs, settings) -> Any:
    import copy

    from models.monitoring import build_profile_dask, monitor_dask
    from risk.engine import dask_client

    status = console.status(f"monitoring on Dask ({settings.engine.scheduler})")
    with status, dask_client(settings.engine) as client:
        if reference is not None:
            bundle = copy.copy(bundle)
            profile = build_profile_dask(client, model, reference, settings.monitor, bundle=bundle)
            bundle.reference = profile.to_dict()
        return monitor_dask(client, model, current, bundle=bundle, **kwargs)


def _store(model, start: dt.date, end: dt.date, by, rules, settings) -> Any:
    from models import load_bundle
    from serving.services import monitor_store
    from serving.store import Store

    bundle = load_bundle(model) if model is not None else _service_bundle(settings)
    store = Store(settings.database_url)
    try:
        store.check_schema()
        with store.reading() as session:
            return monitor_store(session, bundle, settings, start, end, by=by, policy=rules)
    finally:
        store.dispose()


def _service_bundle(settings: Any) -> Any:
    from serving.services import ModelHolder

    holder = ModelHolder(settings)
    bundle = holder.load_configured()
    if bundle is None:
        raise ConfigError(f"no model to monitor ({holder.last_error}): give --model BUNDLE")
    return bundle


def _summary(report: Any, out: Path) -> None:
    tested = [c for c in report.chunks if c.get("status") == "tested"]
    console.print(
        f"model {report.model}: {plural(len(report.chunks), 'chunk')}, {len(tested):,} tested"
    )
    for c in report.chunks:
        when = c["start"][:10] if c.get("start") else "all rows"
        if c.get("status") != "tested":
            console.print(f"  {when}: {c['n']} rows, not tested ({c['why']})")
            continue
        drifted = [n for n, f in c["features"].items() if f["drifted"]]
        names = f": {', '.join(drifted[:6])}" if drifted else ""
        console.print(
            f"  {when}: {c['n']} rows, {plural(len(drifted), 'drifted feature')}{names};"
            f" score PSI {c['score']['psi']:.3f}; {plural(len(c['alerts']), 'alert')}"
        )
    console.print(f"wrote {out / 'monitor.json'} and {out / 'monitor.html'}", soft_wrap=True)
