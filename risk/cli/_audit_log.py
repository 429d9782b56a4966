"""``risk audit-log``: verify the service's audit chain, against published heads too."""

from __future__ import annotations

from typing import Annotated

import typer

from risk.errors import AmanahError

from ._app import console, err_console, group
from ._serving import _session

audit_log_app = group("audit-log", "The tamper-evident audit log.")


@audit_log_app.command("verify")
def audit_log_verify(
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            help="A published head HASH:COUNT (transparency report); repeat for more.",
        ),
    ] = None,
) -> None:
    """Recompute the audit chain: every entry, the head, the checkpoint file and any
    published head given; names the first edited or deleted entry."""
    from risk.settings import get_settings
    from serving.services import (
        audit_checkpoint_path,
        parse_published_head,
        read_checkpoints,
        verify_chain,
    )

    try:
        published = [parse_published_head(text) for text in against or []]
        path = audit_checkpoint_path(get_settings())
        heads = [(c.count, c.hash) for c in read_checkpoints(path)] + published
        with _session() as session:
            report = verify_chain(session, checkpoints=heads)
    except AmanahError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    if not report.ok:
        console.print(
            f"[red]audit log broken at entry {report.first_broken}:[/] {report.problem}",
            highlight=False,
        )
        raise typer.Exit(1)
    legacy = f", the first {report.legacy} legacy (before the key)" if report.legacy else ""
    console.print(
        f"audit log intact: {report.entries} entries{legacy}; head {report.head}:{report.entries};"
        f" {len(heads)} published heads checked",
        highlight=False,
        soft_wrap=True,
    )


@audit_log_app.command("checkpoint")
def audit_log_checkpoint() -> None:
    """Append the chain's head to the checkpoint file now (the service does it periodically)."""
    from risk.clock import WallClock
    from risk.settings import get_settings
    from serving.services import audit_checkpoint_path, write_checkpoint

    path = audit_checkpoint_path(get_settings())
    with _session() as session:
        checkpoint = write_checkpoint(session, path, now=WallClock().now)
    if checkpoint is None:
        console.print(
            f"the head is already the last checkpoint in {path}", highlight=False, soft_wrap=True
        )
        return
    console.print(
        f"checkpoint {checkpoint.published} appended to {path}", highlight=False, soft_wrap=True
    )
