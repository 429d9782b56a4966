"""Helpers of the /status tests (imported by name; tests are not a package)."""

from __future__ import annotations

import itertools
import random
import re

import sqlalchemy as sa

from risk.clock import WallClock
from serving.store import ApplicantCode, Case

_SEQ = itertools.count(1)


def fresh_code(world, application_id: str) -> tuple[str, str]:
    """A new access code for the application (the one issued at its score was not kept)."""
    from serving.services import reissue_code

    with world.store.transaction() as session:
        reference = session.scalar(
            sa.select(ApplicantCode.reference).where(ApplicantCode.application_id == application_id)
        )
        issued = reissue_code(session, reference, clock=WallClock(), actor="test")
    return issued.reference, issued.code


def open_case(world, blind: bool = False) -> Case:
    """A new undecided case of its own, flagged by the model or drawn by the blind sample.

    It is a copy of the world's latest application under a new id (the world's own
    cases are named by index in other tests), scored through the service with the
    threshold and sample rate set for this one score and restored in the same
    transaction.  Flagged copies join ``world.case_ids`` (the queue tests list them).
    """
    from serving.services import Principal, score_application, set_runtime
    from serving.store import User, raw_table

    apps, docs = raw_table("applications"), raw_table("documents")
    n, clock = next(_SEQ), WallClock()
    with world.store.transaction() as session:
        admin = session.scalar(sa.select(User).where(User.username == "seed-admin"))
        system = Principal(admin.user_id, admin.username, admin.role)
        base = dict(
            session.execute(sa.select(apps).order_by(apps.c.submitted_at.desc()).limit(1))
            .mappings()
            .one()
        )
        copies = session.execute(
            sa.select(docs).where(docs.c.application_id == base["application_id"])
        ).mappings()
        app_id = f"PUB{n:05d}"
        documents = [
            {**d, "document_id": f"{app_id}-{i}", "application_id": app_id}
            for i, d in enumerate(copies)
        ]
        set_runtime(session, system, "threshold", 0.999999 if blind else 1e-6, clock=clock)
        set_runtime(session, system, "blind_sample_rate", 0.999 if blind else 0.0, clock=clock)
        out = score_application(
            session, world.holder.bundle, world.settings, system,
            {**base, "application_id": app_id}, documents, rng=random.Random(n), clock=clock,
        )  # fmt: skip
        set_runtime(session, system, "threshold", None, clock=clock)
        set_runtime(session, system, "blind_sample_rate", 0.0, clock=clock)
        case = session.get(Case, out.case_id)
    assert out.score.route == ("blind_sample" if blind else "model_flag"), out.score.route
    if not blind:
        world.case_ids.append(case.case_id)
    return case


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
