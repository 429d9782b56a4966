"""A blind-sample case shows the same to every role in the API and on the case screen.

The rule is the review policy's (``models.ReviewPolicy.shows_model_output``): no score,
band, reasons or model for a blind case, before or after its decision; roles that do
no casework cannot open a case at all.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from risk.clock import WallClock
from serving.services import create_token
from serving.store import Case, Score

ROLES = ("officer", "officer2", "supervisor", "auditor", "analyst")
MODEL_FIELDS = ("score", "band", "raised", "lowered", "model_version", "model_name")
#: What each user gets of any case: (screen status, API status); casework roles only.
STATUS = {
    "officer": (200, 200),
    "officer2": (200, 200),
    "supervisor": (200, 200),
    "auditor": (403, 403),
    "analyst": (403, 403),
}


def _token(world, username: str) -> str:
    with world.store.transaction() as session:
        return create_token(session, username, clock=WallClock(), label="blind view test")


def _reason_texts(world, case_id: int) -> list[str]:
    with world.store.transaction() as session:
        score = session.get(Score, session.get(Case, case_id).score_id)
        return [r["text"] for r in score.reasons["raised"] + score.reasons["lowered"]]


def _view(client, world, username: str, case_id: int) -> dict:
    """What ``username`` sees of the model on the screen and through the API."""
    page = client.get(f"/cases/{case_id}")
    api = client.get(
        f"/v1/cases/{case_id}", headers={"Authorization": f"Bearer {_token(world, username)}"}
    )
    view = {"status": (page.status_code, api.status_code)}
    if page.status_code == 200:
        texts = _reason_texts(world, case_id)
        view["screen"] = (
            'id="band-record"' in page.text,
            'id="reasons"' in page.text,
            any(t in page.text for t in texts),
        )
    if api.status_code == 200:
        body = api.json()
        view["api"] = tuple(body[f] is not None for f in ("score", "band", "raised"))
        view["api_hidden"] = [f for f in MODEL_FIELDS if body[f] is None]
    return view


def _views(client_factory, world, case_id: int) -> dict[str, dict]:
    return {u: _view(client_factory(u), world, u, case_id) for u in ROLES}


def _expected(shown: bool) -> dict[str, dict]:
    out = {}
    for user, status in STATUS.items():
        out[user] = {"status": status}
        if status == (200, 200):
            out[user] |= {
                "screen": (shown, shown, shown),
                "api": (shown, shown, shown),
                "api_hidden": [] if shown else list(MODEL_FIELDS),
            }
    return out


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_blind_case_hides_the_model_from_every_role_before_and_after_its_decision(
    client_factory, web_world
):
    case_id = web_world.blind_case_ids[0]
    assert _views(client_factory, web_world, case_id) == _expected(shown=False)
    officer = client_factory("officer2")
    html = officer.get(f"/cases/{case_id}").text
    assert 'id="blind-notice"' in html
    r = officer.post(
        f"/cases/{case_id}/decide",
        data={"csrf": _csrf(html), "outcome": "no_violation", "reason": "Funds and ties verified."},
    )
    assert r.status_code == 303
    with web_world.store.transaction() as session:
        assert session.scalar(sa.select(Case.status).where(Case.case_id == case_id)) == "decided"
    assert _views(client_factory, web_world, case_id) == _expected(shown=False)
    assert 'id="blind-notice"' in officer.get(f"/cases/{case_id}").text


def test_a_flagged_case_shows_the_model_to_every_casework_role_alike(client_factory, web_world):
    # The control of the test above: the same probes see the model when it is shown.
    assert _views(client_factory, web_world, web_world.case_ids[2]) == _expected(shown=True)
