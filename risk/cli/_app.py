"""The ``risk`` Typer application that every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="risk",
    help="Amanah: explainable risk triage for immigration casework. Flags for review; never refuses.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Amanah: explainable risk triage for immigration casework. Flags for review; never refuses."""


@app.command("version")
def version() -> None:
    """Print Amanah's version and the versions of the libraries it relies on."""
    from importlib.metadata import PackageNotFoundError, version as _v

    for name in ("amanah", "polars", "lightgbm", "shap", "mlflow", "fastapi", "scikit-learn"):
        try:
            console.print(f"{name} {_v(name)}")
        except PackageNotFoundError:
            console.print(f"{name} (not installed)")
