"""``risk promote``, ``risk report`` and ``risk models``: the model registry from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from risk.errors import ConfigError, PromotionRefusedError

from ._app import app, console, err_console


def _promoter(by: str | None) -> str:
    if by:
        return by
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError) as exc:
        raise ConfigError("cannot tell who you are: pass --by NAME") from exc


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "-" if value is None else str(value)


def _checks_table(checks: list[dict[str, Any]], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for col in ("check", "gated", "result", "this version", "champion / required", "detail"):
        table.add_column(col)
    for c in checks:
        result = "[green]pass[/]" if c["passed"] else "[red]FAIL[/]"
        table.add_row(
            c["check"],
            "yes" if c["gated"] else "no",
            result,
            _fmt(c["value"]),
            _fmt(c["reference"]),
            c["detail"],
        )
    return table


def _signed_in(session: Any, username: str) -> Any:
    """The user ``username``, signed in with their own password (prompted, never echoed)."""
    from serving.services import authenticate_password

    password = typer.prompt(f"password of {username}", hide_input=True)
    return authenticate_password(session, username, password)


@app.command("promote")
def promote(
    version: Annotated[str, typer.Argument(help="Registered model version to make the champion.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who promotes (default: your login).")
    ] = None,
    waiver: Annotated[
        str | None,
        typer.Option(
            "--waiver",
            help="Request a waiver of the failed checks with this reason (asks for the"
            " password of --by); a second person approves it with `risk approve-waiver`.",
        ),
    ] = None,
    approver: Annotated[str | None, typer.Option("--approver", hidden=True)] = None,
) -> None:
    """Promote a model version to champion through the gate (fairness, quality) or a waiver."""
    from experiments import promote as _promote
    from risk.settings import get_settings

    if approver is not None:
        raise ConfigError(
            f"--approver is not accepted: a typed name ({approver!r}) proves nothing. The"
            f" approver signs in as themselves: risk approve-waiver {version} --by NAME, or"
            " the oversight model page"
        )
    if waiver is not None:
        _request(version, _promoter(by), waiver)
        return
    try:
        record = _promote(version, by=_promoter(by), settings=get_settings())
    except PromotionRefusedError as exc:
        _refused(version, exc)
    console.print(_checks_table(record["checks"], f"Promotion of version {version}: promoted"))
    console.print(f"{record['name']} is now the champion.")


def _refused(version: str, exc: PromotionRefusedError) -> None:
    console.print(_checks_table(exc.checks, f"Promotion of version {version}: refused"))
    err_console.print(f"[bold red]refused:[/] {exc.message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1) from exc


def _request(version: str, by: str, reason: str) -> None:
    from risk.clock import WallClock
    from risk.settings import get_settings
    from serving.services import request_model_waiver

    from ._serving import _session

    with _session() as session:
        record = request_model_waiver(
            session, _signed_in(session, by), version, reason, get_settings(), clock=WallClock()
        )
    console.print(_checks_table(record["checks"], f"Waiver requested for version {version}"))
    console.print(
        f"waiver requested by {by}; version {version} is promoted when a second person"
        f" with the supervisor role approves it: risk approve-waiver {version} --by NAME,"
        " or on the oversight model page."
    )


@app.command("approve-waiver")
def approve_waiver(
    version: Annotated[str, typer.Argument(help="Model version whose waiver request you approve.")],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Your username (default: your login); asks for your password."),
    ] = None,
) -> None:
    """Approve a waiver another person requested, signed in as yourself; promotes the version."""
    from risk.clock import WallClock
    from risk.settings import get_settings
    from serving.services import approve_model_waiver

    from ._serving import _session

    who = _promoter(by)
    try:
        with _session() as session:
            record = approve_model_waiver(
                session,
                _signed_in(session, who),
                version,
                get_settings(),
                clock=WallClock(),
                via="cli",
            )
    except PromotionRefusedError as exc:
        _refused(version, exc)
    waiver = record["waiver"]
    console.print(_checks_table(record["checks"], f"Promotion of version {version}: promoted"))
    console.print(
        f"{record['name']} is now the champion with a waiver requested by"
        f" {waiver['requested_by']} and approved by {waiver['approved_by']}."
    )


@app.command("report")
def report(
    model: Annotated[str, typer.Option("--model", help="Registered model version to report on.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write oversight_report.html into.")],
    reviews: Annotated[
        Path | None,
        typer.Option(help="An export folder (risk export): adds the blind-sample estimates."),
    ] = None,
) -> None:
    """Write the oversight report of a model version: one HTML file that opens offline."""
    from experiments import build_report
    from risk.settings import get_settings

    from ._loop import read_reviews

    frame = None if reviews is None else read_reviews(reviews, model)
    with console.status(f"building the oversight report of version {model}..."):
        path = build_report(model, out, settings=get_settings(), reviews=frame)
    console.print(f"wrote {path}")


@app.command("models")
def models() -> None:
    """List the registered model versions with their aliases and promotion state."""
    from experiments import list_versions
    from risk.settings import get_settings

    settings = get_settings()
    rows = list_versions(settings)
    if not rows:
        console.print(f"no versions of {settings.mlflow.registered_model!r} yet")
        return
    console.print(f"{settings.mlflow.registered_model} at {settings.tracking_uri}", highlight=False)
    # One block per version rather than a table: the promotion result is a sentence, and
    # a table squeezed into 80 columns breaks its words in the middle ("promoti/on").
    for r in rows:
        aliases = ", ".join(r["aliases"]) or "no alias"
        console.print(f"\nversion {r['version']} ({aliases})", style="bold", highlight=False)
        for label, value in (
            ("name", r["name"]),
            ("trained by", _fmt(r["trained_by"])),
            ("fairness", _fmt(r["fairness_verdict"])),
            ("last promotion", _fmt(r["promotion"])),
            ("run", r["run_id"]),
        ):
            console.print(f"  {label + ':':<16}{value}", highlight=False)
