"""Web forms obey the API's text limits: length caps and refused characters."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from complaint_helpers import csrf_of

from serving.store import Case, Decision


def _open_case(web_world) -> int:
    with web_world.store.transaction() as session:
        return session.scalar(
            sa.select(Case.case_id)
            .where(Case.status == "open", Case.blind.is_(False))
            .order_by(Case.case_id.desc())
        )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("r" * 1_000_000, "at most 5000 characters (1000000 sent)"),
        ("checked\x00", "a control character (U+0000) at position 7 is not allowed"),
        ("checked \u202eok", "a control character (U+202E) at position 8 is not allowed"),
    ],
)
def test_the_decision_form_refuses_an_overlong_or_unsafe_reason(
    client_factory, web_world, reason, message
):
    case_id = _open_case(web_world)
    c = client_factory("officer")
    csrf = csrf_of(c.get(f"/cases/{case_id}").text)
    r = c.post(
        f"/cases/{case_id}/decide",
        data={"csrf": csrf, "outcome": "no_violation", "reason": reason},
    )
    assert r.status_code == 422
    assert message in r.text
    with web_world.store.transaction() as session:
        assert session.get(Case, case_id).status == "open"
        assert session.scalar(sa.select(Decision).where(Decision.case_id == case_id)) is None
