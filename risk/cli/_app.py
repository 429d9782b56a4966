"""The ``risk`` Typer application that every command module registers on.

Commands raise errors from :mod:`risk.errors`; the app prints them as one clear
line on stderr and exits with status 1 (no traceback), both from the console
script and under ``typer.testing.CliRunner``.  Sub-command groups must be made
with :func:`group` so that they behave the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from risk.errors import AmanahError

__all__ = ["app", "console", "err_console", "group"]

console = Console()
err_console = Console(stderr=True)


def _reporting_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AmanahError as exc:
            err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from exc

    return wrapper


class _Typer(typer.Typer):
    """A Typer whose commands turn :class:`AmanahError` into a message and exit 1."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            register(_reporting_errors(func))
            return func

        return decorator


def group(name: str, help: str) -> typer.Typer:
    """A sub-command group (``risk users add``) registered on :data:`app`."""
    sub = _Typer(name=name, help=help, no_args_is_help=True, pretty_exceptions_enable=False)
    app.add_typer(sub)
    return sub


app = _Typer(
    name="risk",
    help="Amanah: explainable risk triage for immigration casework.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Amanah: explainable risk triage for immigration casework. Flags for review; never refuses."""
    import os

    from risk.files import PRIVATE_UMASK

    # Everything a verb writes (stores, worlds, bundles, reports) is for this account only.
    os.umask(PRIVATE_UMASK)


@app.command("version")
def version() -> None:
    """Print Amanah's version and the versions of the libraries it relies on."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _v

    for name in ("amanah", "polars", "lightgbm", "shap", "mlflow", "fastapi", "scikit-learn"):
        try:
            console.print(f"{name} {_v(name)}")
        except PackageNotFoundError:
            console.print(f"{name} (not installed)")
