"""``risk demo``: the main job end to end, and how to serve what it built."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from risk.text import plural

from ._app import app, console
from ._serving import _serve

__all__ = ["DEMO_CREDENTIALS", "serve_command"]


@app.command("demo")
def demo(
    applications: Annotated[
        int, typer.Option(help="Size of the synthetic world (applications over 3 years).")
    ] = 30_000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the service at the end.")
    ] = True,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
) -> None:
    """The whole job on embedded defaults: a world, a model, a simulated year, demo users.

    Builds a synthetic world, trains, audits, registers and promotes a model, operates the
    service for a simulated year (scores, reviews, complaints, ratings), creates one demo
    user per role, then serves the case screens (or, with --no-serve, prints the exact
    ``risk serve`` command that serves them).
    """
    from risk.errors import ConfigError
    from risk.settings import get_settings
    from serving._demo import run_demo

    settings = get_settings()
    if (settings.data_dir / "world").exists():
        raise ConfigError(
            f"{settings.data_dir.resolve()} already holds a demo; remove it or point"
            " RISK_DATA_DIR at an empty folder"
        )
    with _bar() as bar:
        task = bar.add_task("demo", total=1.0)
        result = run_demo(
            settings,
            applications=applications,
            step=lambda what, f: bar.update(task, description=what, completed=f),
        )
    _print_demo(result, settings, port or settings.serving.port, serving=serve_after)
    if serve_after:
        if result.registry_version is None:
            settings = settings.with_section(
                "serving", model_source="bundle", bundle_path=result.bundle_dir
            )
        # The store holds a simulated year: the service resumes where it ended.
        from risk.clock import ContinuedClock

        clock = ContinuedClock(result.ended_at)
        _serve(settings, settings.serving.host, port or settings.serving.port, clock)


def _bar() -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<48}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _print_demo(result: Any, settings: Any, port: int, *, serving: bool) -> None:
    console.print(f"world: {result.world_dir}   model {result.model_version}", highlight=False)
    console.print(f"registry: {result.promotion}", highlight=False)
    console.print(
        f"operated {result.first_month} to {result.last_month} on a simulated clock:"
        f" {plural(result.scored, 'application')} scored, {result.review:,} sent to review,"
        f" {result.decided:,} decided; figures in {result.simulation_dir}; served, the"
        f" service resumes at {result.ended_at:%Y-%m-%d} (simulated time, at the wall's pace)",
        highlight=False,
    )
    if result.monitor_dir is not None:
        console.print(
            f"monitoring: a new post opened on {result.drift_from:%Y-%m-%d} (simulated drift);"
            f" {plural(len(result.monitor_alerts), 'alert')}; report in {result.monitor_dir}"
            " and on /oversight/monitoring",
            highlight=False,
        )
    _print_credentials(result.credentials, settings.data_dir / DEMO_CREDENTIALS)
    host = settings.serving.host
    if serving:
        console.print(
            f"\nsign in at http://{host}:{port}/ as siti (officer) or budi (supervisor);"
            f" API docs at http://{host}:{port}/docs",
            highlight=False,
        )
        return
    console.print("\nNothing is served yet. To serve what the demo built, run:", highlight=False)
    console.print(f"  {serve_command(result, settings, port)}", highlight=False, soft_wrap=True)
    console.print(
        f"then sign in at http://{host}:{port}/ as siti (officer) or budi (supervisor).",
        highlight=False,
    )


#: The file (under the data folder, owner-only) that keeps the demo users' credentials.
DEMO_CREDENTIALS = "demo-users.txt"


def _print_credentials(credentials: list[tuple[str, str, str, str]], path: Path) -> None:
    """One user per line and each token alone on its own line: a terminal of any width
    never splits a password or a token that a person copies."""
    from risk.files import private_file

    lines = []
    for username, role, password, token in credentials:
        lines += [f"{username} ({role})", f"  password: {password}", f"  API token: {token}"]
    private_file(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.print(
        f"\ndemo users (also in {path}, readable only by you):", highlight=False, soft_wrap=True
    )
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)


def serve_command(result: Any, settings: Any, port: int) -> str:
    """The exact ``risk serve`` command line that serves what the demo built.

    Parameters
    ----------
    result
        The :class:`serving._demo.DemoResult`.
    settings
        The settings the demo ran with (its data folder).
    port
        The port to serve on.
    """
    import shlex
    import sys

    risk = Path(sys.argv[0])
    program = str(risk.resolve()) if risk.name == "risk" and risk.is_file() else "risk"
    words = [
        f"RISK_DATA_DIR={settings.data_dir.resolve()}",
        program,
        "serve",
        "--port",
        str(port),
    ]
    if result.registry_version is None:
        words += ["--bundle", str(Path(result.bundle_dir).resolve())]
    return " ".join(shlex.quote(w) if i else w for i, w in enumerate(words))
