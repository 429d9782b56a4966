"""Evidence before promotion: ``risk backtest`` (and the comparison of two versions)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from risk.errors import ConfigError

from ._app import app, console

BACKTEST_FILES = ("backtest.parquet", "backtest.json")


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} must be a day like 2025-01-31, got {text!r}") from None


def _period(start: str, end: str) -> tuple[dt.date, dt.date]:
    """``--from`` and ``--to`` as days, refused if backwards before any model is loaded."""
    from serving.services import period_bounds

    first, last = _day(start, "--from"), _day(end, "--to")
    period_bounds(first, last)
    return first, last


def registered_bundle(settings: Any, version: str) -> tuple[Any, str]:
    """A registered version's bundle and its one name (``"v3 (1a2b3c4d)"``).

    Raises
    ------
    NotFoundError
        The registry has no such version.
    """
    from experiments import version_bundle_dir
    from models import load_bundle, model_name

    bundle = load_bundle(version_bundle_dir(settings, version))
    return bundle, model_name(bundle.fingerprint, version)


def reading_session(settings: Any) -> Any:
    """The store (read-only use) for a verb that only reads it; the caller disposes it.

    A store whose schema is behind is refused with the command that migrates it.
    """
    from serving.store import Store

    store = Store(settings.database_url)
    try:
        store.check_schema()
    except Exception:
        store.dispose()
        raise
    return store


@app.command("backtest")
def backtest(
    model: Annotated[str, typer.Option("--model", help="A registered model version.")],
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (included).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for backtest.parquet and .json.")],
) -> None:
    """Replay the inputs the service logged over a period through any registered version:
    what it would have scored and flagged on those applications (exactly: the version
    that made the scores gets them back to the last bit)."""
    from risk.settings import get_settings
    from serving.services import backtest_store

    settings = get_settings()
    first, last = _period(start, end)
    bundle, label = registered_bundle(settings, model)
    store = reading_session(settings)
    try:
        with store.reading() as session:
            result = backtest_store(
                session, bundle, first, last, label=label, progress=_reading_progress()
            )
    finally:
        store.dispose()
    out.mkdir(parents=True, exist_ok=True)
    result.rows.write_parquet(out / BACKTEST_FILES[0])
    (out / BACKTEST_FILES[1]).write_text(json.dumps(result.summary, indent=2))
    _print_backtest(result.summary, out)


def _reading_progress() -> Callable[[int, int], None]:
    """A progress report for a backtest reading its logged rows, silent when it is one chunk."""
    several = False

    def report(done: int, total: int) -> None:
        nonlocal several
        several = several or done < total
        if several:
            typer.echo(f"read {done:,} of {total:,} logged rows", err=True)

    return report


def _print_backtest(s: dict[str, Any], out: Path) -> None:
    console.print(
        f"{s['model']} over {s['period'][0]} to {s['period'][1]}: {s['n']} logged scores"
        f" replayed, {s['flagged']} flagged ({s['flag_rate']:.2%})",
        highlight=False,
    )
    logged = ", ".join(f"{v}: {n}" for v, n in s["logged_by"].items())
    console.print(f"logged by model version {logged}", highlight=False)
    if s["own_scores"]:
        console.print(
            f"its own logged scores: {s['own_scores_exact']} of {s['own_scores']} replayed"
            f" exactly (largest difference {s['own_scores_max_difference']:.3g})",
            highlight=False,
        )
    console.print(f"wrote {out / BACKTEST_FILES[0]} and {out / BACKTEST_FILES[1]}")


@app.command("compare")
def compare(
    champion: Annotated[str, typer.Option("--champion", help="The registered champion version.")],
    challenger: Annotated[
        str, typer.Option("--challenger", help="The registered challenger version.")
    ],
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (included).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for compare.json and compare.html.")],
    track: Annotated[
        bool, typer.Option(help="Log it on the challenger's MLflow run (the gate reads it).")
    ] = True,
) -> None:
    """Compare a challenger with the champion on the applications the service scored over
    a period: who each would flag at the same capacity, estimated precision and recall
    from the reviews (95% intervals, paired difference), live fairness, what each relies
    on, and a verdict per check in words."""
    from models import write_compare_html
    from risk.clock import WallClock
    from risk.settings import get_settings
    from serving.services import compare_store

    settings = get_settings()
    first, last = _period(start, end)
    if champion == challenger:
        raise ConfigError(f"--champion and --challenger are both version {champion}")
    a, a_name = registered_bundle(settings, champion)
    b, b_name = registered_bundle(settings, challenger)
    store = reading_session(settings)
    try:
        with store.reading() as session:
            report = compare_store(
                session, a, b, first, last, names=(a_name, b_name), settings=settings,
                clock=WallClock(),
            )  # fmt: skip
    finally:
        store.dispose()
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(report, indent=2))
    write_compare_html(report, out / "compare.html")
    for check in report["checks"]:
        console.print(f"{check['verdict']}: {check['text']}", highlight=False)
    console.print(f"verdict: {report['verdict']}", highlight=False)
    console.print(f"wrote {out / 'compare.json'} and {out / 'compare.html'}")
    if track:
        from experiments import log_comparison

        summary = log_comparison(
            report, out, champion=champion, challenger=challenger, settings=settings
        )
        console.print(
            f"logged on run {summary['run_id']} of version {challenger}"
            f" ({summary['artifact_path']})",
            highlight=False,
        )
