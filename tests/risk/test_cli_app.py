from __future__ import annotations

import inspect

import typer
from typer.testing import CliRunner

from risk.cli import _fairness, app
from risk.cli._app import _Typer
from risk.errors import NotFoundError

#: The verbs the product promises (the README's tour); more may exist, none may go.
PROMISED_VERBS = (
    "demo", "synth", "validate", "features", "train", "fairness", "audit", "promote", "models",
    "serve", "score-batch", "replay", "report", "db", "users", "tokens", "audit-log",
    "version", "simulate", "estimate", "export",
)  # fmt: skip


def test_help_lists_the_verbs() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["--help"])
    assert result.exit_code == 0
    registered = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert set(PROMISED_VERBS) <= set(registered)
    listed = {
        line.split()[1]: line
        for line in result.output.splitlines()
        if line.startswith("│ ") and line[2:3].strip() and len(line.split()) > 2
    }
    for name, command in registered.items():
        first_line = (command.help or "").splitlines()[0]
        assert name in listed, f"{name} missing from --help"
        assert first_line[:40] in listed[name], (name, listed[name])


def test_audit_is_the_documented_alias_of_fairness() -> None:
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    fairness, audit = commands["fairness"], commands["audit"]
    implementation = inspect.unwrap(fairness.callback)
    assert implementation is inspect.unwrap(audit.callback) is _fairness.fairness
    assert [p.name for p in fairness.params] == [p.name for p in audit.params]
    assert audit.help.startswith("Alias of 'risk fairness'")
    assert fairness.help.startswith("The fairness report of a scored table")


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
