"""Service verbs: serve, db upgrade, users, teams, tokens, replay."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ._app import app, console, group

db_app = group("db", "The service's database.")


@contextmanager
def _session() -> Iterator[Any]:
    """A transaction on a store whose schema is current; the engine is disposed afterwards.

    A store behind this version is refused with the command that migrates it
    (:class:`~risk.errors.SchemaBehindError`); nothing migrates silently.
    """
    from risk.settings import get_settings
    from serving.services import load_audit_key
    from serving.store import Store

    settings = get_settings()
    store = Store(settings.database_url, audit_key=load_audit_key(settings))
    try:
        store.check_schema()
        with store.transaction() as session:
            yield session
    finally:
        store.dispose()


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    bundle: Annotated[
        Path | None, typer.Option(help="Serve this model bundle instead of the champion.")
    ] = None,
    resume_at: Annotated[
        str | None,
        typer.Option(
            help="Serve a simulated store on a clock that resumes at this instant"
            " (ISO, e.g. 2026-01-01T00:00:00) and runs at the wall's pace (default: where"
            " a demo in the data folder stopped, if one did; else the wall clock)."
        ),
    ] = None,
) -> None:
    """Start the scoring service (one worker process; run more processes to scale)."""
    from risk.clock import ContinuedClock
    from risk.settings import get_settings

    settings = get_settings()
    if bundle is not None:
        settings = settings.with_section("serving", model_source="bundle", bundle_path=bundle)
    clock = _clock(settings) if resume_at is None else ContinuedClock(_instant(resume_at))
    _serve(settings, host or settings.serving.host, port or settings.serving.port, clock)


def _instant(text: str) -> Any:
    import datetime as dt

    from risk.errors import ConfigError

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--resume-at must be an instant like 2026-01-01T00:00:00, got {text!r}"
        ) from None


def _clock(settings: Any) -> Any:
    """The demo's simulated clock continued when the data folder records one, else the wall's."""
    from serving._resume import CLOCK_FILE, resumed_clock

    clock = resumed_clock(settings.data_dir)
    if clock is not None:
        console.print(
            f"continuing the simulated clock at {clock.now():%Y-%m-%d %H:%M} (recorded in"
            f" {settings.data_dir / CLOCK_FILE}; remove that file to serve on the wall clock)",
            highlight=False,
            soft_wrap=True,
        )
    return clock


def _check_schema(settings: Any) -> None:
    from serving.store import Store

    store = Store(settings.database_url)
    try:
        store.check_schema()
    finally:
        store.dispose()


def _serve(settings: Any, host: str, port: int, clock: Any = None) -> None:
    import uvicorn

    from serving import create_app

    _check_schema(settings)  # before uvicorn starts: a clear message, not a traceback
    service = create_app(settings, clock=clock)
    # Everything imported so far lives as long as the process: frozen, the collector
    # never walks it again (a full collection over it pauses requests).
    gc.freeze()
    console.print(f"Amanah on http://{host}:{port}  (API docs: /docs; Ctrl-C stops it)")
    # One worker process: uvicorn's worker processes do not set TCP_NODELAY on their
    # sockets, which delays every small answer (uvicorn issue #3149).
    uvicorn.run(service, host=host, port=port, workers=1, log_level="warning")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store's schema to the latest version (the only way it migrates)."""
    from risk.settings import get_settings
    from serving.services import load_audit_key
    from serving.store import Store

    settings = get_settings()
    store = Store(settings.database_url, audit_key=load_audit_key(settings))
    try:
        store.upgrade()
    finally:
        store.dispose()
    console.print(f"store at {settings.database_url.split('@')[-1]} is up to date")


@app.command("replay")
def replay(
    score_id: str,
    bundle: Annotated[
        Path | None, typer.Option(help="Bundle of the score's model (default: configured).")
    ] = None,
) -> None:
    """Recompute a logged score from the store and check it matches the inference log."""
    from risk.errors import ModelUnavailableError
    from risk.settings import get_settings
    from serving.services import ModelHolder, replay_score

    settings = get_settings()
    holder = ModelHolder(settings)
    if bundle is not None:
        holder.load_path(bundle)
    elif holder.load_configured() is None:
        raise ModelUnavailableError(f"no model to replay with: {holder.last_error}")
    with _session() as session:
        report = replay_score(session, score_id, holder.bundle, settings)
    _print_replay(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_replay(report: Any) -> None:
    console.print(f"score {report.score_id} (model {report.model_version})")
    console.print(f"  inputs fingerprint: {'matches' if report.fingerprint_ok else 'DIFFERS'}")
    console.print(f"  features: {'all match' if not report.feature_mismatches else 'DIFFER'}")
    for name, logged, again in report.feature_mismatches:
        console.print(f"    {name}: logged {logged!r}, recomputed {again!r}")
    console.print(
        f"  score: logged {report.logged_score:.12f}, replayed {report.replayed_score:.12f}"
    )
    if report.logged_propensity is None:
        console.print("  review propensity: not recorded (scored before it was logged)")
    else:
        console.print(
            f"  review propensity: logged {report.logged_propensity:g},"
            f" replayed {report.replayed_propensity:g}"
        )
    console.print(
        "[green]replay reproduces the logged score[/]"
        if report.ok
        else "[red]replay does NOT reproduce the logged score[/]"
    )
