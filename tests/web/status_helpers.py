"""Helpers of the /status tests (imported by name; tests are not a package)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from risk.clock import WallClock
from serving.store import ApplicantCode, Case

#: Applications whose case the /status tests take; each test takes its own.
_TAKEN: set[int] = set()


def fresh_code(world, application_id: str) -> tuple[str, str]:
    """A new access code for the application (the one issued at seeding was not kept)."""
    from serving.services import reissue_code

    with world.store.transaction() as session:
        reference = session.scalar(
            sa.select(ApplicantCode.reference).where(ApplicantCode.application_id == application_id)
        )
        issued = reissue_code(session, reference, clock=WallClock(), actor="test")
    return issued.reference, issued.code


def open_case(world, blind: bool = False) -> Case:
    """An undecided, unclaimed case no other test names (flagged, or a blind sample)."""
    pool = world.blind_case_ids[:1] if blind else world.case_ids[10:]
    with world.store.transaction() as session:
        for case_id in reversed(pool):
            case = session.get(Case, case_id)
            if case_id not in _TAKEN and case.status == "open" and case.assigned_to is None:
                _TAKEN.add(case_id)
                return case
    raise AssertionError("the web world has no open case left for /status: raise SCORED")


def form_csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def open_status(client, reference: str, code: str, lang: str = "en"):
    """Fetch the code form (its CSRF cookie), then post the reference and code."""
    form = client.get(f"/status?lang={lang}")
    data = {"reference": reference, "code": code, "csrf": form_csrf(form.text)}
    return client.post(f"/status?lang={lang}", data=data)


def decide(world, case_id: int, officer: str = "officer2") -> None:
    """Claim and decide ``case_id`` as ``officer`` through the service."""
    from complaint_helpers import principal

    from serving.services import claim_case, decide_case

    who = principal(world, officer)
    with world.store.transaction() as session:
        claim_case(session, who, case_id, clock=WallClock())
        decide_case(
            session,
            who,
            case_id,
            outcome="no_violation",
            violation_types=[],
            reason="Documents and history are consistent.",
            clock=WallClock(),
        )
