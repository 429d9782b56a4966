"""Applicants' access codes: reissue (prints the new code once) and revoke."""

from __future__ import annotations

from risk.clock import WallClock
from risk.text import plural

from ._app import console, group
from ._serving import _session

applicants_app = group(
    "applicants", "Applicants' access to /status (reference and access code, stored hashed)."
)


@applicants_app.command("reissue-code")
def reissue_code(reference: str) -> None:
    """Print a new access code for REFERENCE; the old code and its open pages stop working."""
    from serving.services import reissue_code as reissue

    with _session() as session:
        issued = reissue(session, reference, clock=WallClock(), actor="cli")
    console.print(f"reference {issued.reference}", highlight=False)
    console.print(f"access code {issued.code}", highlight=False)


@applicants_app.command("revoke-code")
def revoke_code(reference: str) -> None:
    """Revoke REFERENCE's access code: nothing opens its status page until a reissue."""
    from serving.services import canonical_reference, revoke_codes

    with _session() as session:
        count = revoke_codes(session, reference, clock=WallClock(), actor="cli")
    shown = canonical_reference(reference)
    console.print(f"{plural(count, 'access code')} of {shown} revoked", highlight=False)
