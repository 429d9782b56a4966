from __future__ import annotations

import typer
from typer.testing import CliRunner

from risk.cli import app
from risk.cli._app import _Typer
from risk.errors import NotFoundError


def test_help_lists_the_verbs() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "version" in result.output


def test_amanah_errors_become_one_line_and_exit_1() -> None:
    local = _Typer()

    @local.callback()
    def _root() -> None:
        """Test root."""

    @local.command("boom")
    def boom() -> None:
        raise NotFoundError("case 'C-9' does not exist")

    result = CliRunner().invoke(local, ["boom"])
    assert result.exit_code == 1
    assert "error: case 'C-9' does not exist" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_other_exit_codes_pass_through() -> None:
    local = _Typer()

    @local.callback()
    def _root() -> None:
        """Test root."""

    @local.command("quit")
    def quit_() -> None:
        raise typer.Exit(code=3)

    assert CliRunner().invoke(local, ["quit"]).exit_code == 3
