"""Object-level authorisation in the service layer: every case and complaint action as
the object's owner, another officer, a supervisor, an analyst, an auditor and an admin.

The services are called directly (not through the routes), so a route that forgot its
role check could not hide a service that forgot the object check.  Each attempt runs
in a transaction that is rolled back, so one state serves the whole matrix.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from serving_helpers import _point, as_json, auth

from risk.clock import WallClock
from risk.errors import AmanahError
from risk.settings import Settings
from serving import services as sv
from serving.services import Principal, create_token, create_user
from serving.store import User

pytestmark = pytest.mark.xdist_group("serving_model")

ACTORS = ("owner", "other_officer", "supervisor", "analyst", "auditor", "admin")


class _Rollback(Exception):
    """Raised to leave a transaction without committing what an attempt did."""


@pytest.fixture(scope="module")
def scene(shared_app, module_store, module_tokens, holder, tmp_path_factory):
    """The service on the module's store with the model, the kill switch on (every
    application becomes a case) and a third officer; returns the client and tokens."""
    s = Settings(data_dir=tmp_path_factory.mktemp("authority"))
    s.serving.model_source = "none"
    s.review.blind_sample_rate = 0.0
    _, client = _point(shared_app, module_store, s, holder)
    with module_store.transaction() as session:
        create_user(session, "officer3", "officer", clock=WallClock())
        module_tokens["officer3"] = create_token(session, "officer3", clock=WallClock())
    tok = module_tokens
    client.put(
        "/v1/settings/kill-switch",
        headers=auth(tok["supervisor"]),
        json={"enabled": True, "reason": "Audit of the matrix"},
    )
    return client, tok


def _principal(session, name: str) -> Principal:
    user = session.scalar(sa.select(User).where(User.username == name))
    return Principal(user.user_id, user.username, user.role)


def attempt(store, username: str, action) -> tuple[int, str]:
    """Run ``action(session, principal)``; (200, "") if it succeeded, else (status, message)."""
    try:
        with store.transaction() as session:
            action(session, _principal(session, username))
            raise _Rollback
    except _Rollback:
        return 200, ""
    except AmanahError as exc:
        return exc.status_code, exc.message


@pytest.fixture(scope="module")
def objects(scene, module_store, world):
    """Score three applications; claim A, decide B (by ``officer``), complaint C on B."""
    client, tok = scene
    ids = []
    for payload in world["payloads"][10:12]:
        body = client.post(
            "/v1/applications/score", headers=auth(tok["officer"]), json=as_json(payload)
        ).json()
        ids.append(body["case_id"])
    a, b = ids
    client.post(f"/v1/cases/{a}/claim", headers=auth(tok["officer"]))
    client.post(f"/v1/cases/{b}/claim", headers=auth(tok["officer"]))
    decision = client.post(
        f"/v1/cases/{b}/decisions",
        headers=auth(tok["officer"]),
        json={"outcome": "no_violation", "reason": "Consistent file."},
    ).json()
    complaint = client.post(
        "/v1/complaints",
        headers=auth(tok["officer2"]),
        json={"category": "decision", "description": "Unfair.", "case_id": b},
    ).json()
    c = complaint["complaint_id"]
    r = client.post(
        f"/v1/complaints/{c}/assign", headers=auth(tok["supervisor"]), json={"username": "officer3"}
    )
    assert r.status_code == 200, r.text
    return {"a": a, "b": b, "decision": decision["decision_id"], "c": c}


# owner of a case: the officer holding its claim; owner of a complaint: its handler
_CASE_OWNER, _COMPLAINT_OWNER = "officer", "officer3"
_NAMES = {"other_officer": "officer2", "supervisor": "supervisor", "analyst": "analyst"}
_NAMES |= {"auditor": "auditor", "admin": "admin"}


def _who(actor: str, complaint: bool) -> str:
    if actor == "owner":
        return _COMPLAINT_OWNER if complaint else _CASE_OWNER
    return _NAMES[actor]


def _role_refusal(role: str, permission: str) -> tuple[int, str]:
    return 403, f"role {role!r} may not {permission!r}"


ACTIONS = {
    "view case": (
        lambda o: lambda s, p: sv.view_case(s, p, o["a"], clock=WallClock()),
        "cases.read",
    ),
    "claim case": (
        lambda o: lambda s, p: sv.claim_case(s, p, o["a"], clock=WallClock()),
        "cases.work",
    ),
    "release case": (
        lambda o: lambda s, p: sv.release_case(s, p, o["a"], clock=WallClock()),
        "cases.work",
    ),
    "reassign case": (
        lambda o: lambda s, p: sv.reassign_case(s, p, o["a"], "officer2", clock=WallClock()),
        "cases.reassign",
    ),
    "decide case": (
        lambda o: (
            lambda s, p: sv.decide_case(
                s,
                p,
                o["a"],
                outcome="no_violation",
                violation_types=[],
                reason="Checked.",
                clock=WallClock(),
            )
        ),
        "cases.work",
    ),
    "amend decision": (
        lambda o: (
            lambda s, p: sv.decide_case(
                s,
                p,
                o["b"],
                outcome="insufficient_evidence",
                violation_types=[],
                reason="Second look.",
                amends=o["decision"],
                clock=WallClock(),
            )
        ),
        "cases.work",
    ),
    "rate case": (
        lambda o: lambda s, p: sv.add_feedback(s, p, o["b"], 4, clock=WallClock()),
        "feedback.create",
    ),
    "open complaint": (
        lambda o: (
            lambda s, p: sv.open_complaint(
                s,
                p,
                Settings(),
                category="delay",
                description="Slow.",
                case_id=o["b"],
                clock=WallClock(),
            )
        ),
        "complaints.create",
    ),
    "view complaint": (
        lambda o: lambda s, p: sv.view_complaint(s, p, o["c"], clock=WallClock()),
        "complaints.read",
    ),
    "take complaint": (
        lambda o: lambda s, p: sv.take_complaint(s, p, o["c"], clock=WallClock()),
        "complaints.handle",
    ),
    "assign complaint": (
        lambda o: lambda s, p: sv.assign_complaint(s, p, o["c"], "officer2", clock=WallClock()),
        "complaints.assign",
    ),
    "answer complaint": (
        lambda o: (
            lambda s, p: sv.respond_complaint(s, p, o["c"], "We looked again.", clock=WallClock())
        ),
        "complaints.handle",
    ),
}


def _expected(o: dict) -> dict[str, dict[str, tuple[int, str]]]:
    """For each action, the answer per actor other than the three non-casework roles."""
    a, c = o["a"], o["c"]
    ok = (200, "")
    amend = (
        403,
        f"only the officer who claimed case {o['b']} or a supervisor may amend its decision",
    )
    taken = (409, f"complaint {c} is already handled by someone else; a supervisor can reassign it")
    return {
        "view case": {"owner": ok, "other_officer": ok, "supervisor": ok},
        "claim case": {
            "owner": ok,
            "other_officer": (409, f"case {a} is claimed by someone else"),
            "supervisor": (409, f"case {a} is claimed by someone else"),
        },
        "release case": {
            "owner": ok,
            "other_officer": (
                403,
                f"only the officer who claimed case {a} or a supervisor may release it",
            ),
            "supervisor": ok,
        },
        "reassign case": {
            "owner": _role_refusal("officer", "cases.reassign"),
            "other_officer": _role_refusal("officer", "cases.reassign"),
            "supervisor": ok,
        },
        "decide case": {
            "owner": ok,
            "other_officer": (
                403,
                f"only the officer who claimed case {a} or a supervisor may decide it",
            ),
            "supervisor": ok,
        },
        "amend decision": {"owner": ok, "other_officer": amend, "supervisor": ok},
        "rate case": {"owner": ok, "other_officer": ok, "supervisor": ok},
        "open complaint": {"owner": ok, "other_officer": ok, "supervisor": ok},
        "view complaint": {"owner": ok, "other_officer": ok, "supervisor": ok},
        "take complaint": {"owner": ok, "other_officer": taken, "supervisor": taken},
        "assign complaint": {
            "owner": _role_refusal("officer", "complaints.assign"),
            "other_officer": _role_refusal("officer", "complaints.assign"),
            "supervisor": ok,
        },
        "answer complaint": {
            "owner": ok,
            "other_officer": (
                403,
                f"only the handler of complaint {c} or a supervisor may answer it",
            ),
            "supervisor": ok,
        },
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_is_authorised_against_its_object(module_store, objects, action, actor):
    build, permission = ACTIONS[action]
    who = _who(actor, complaint="complaint" in action)
    got = attempt(module_store, who, build(objects))
    if actor in ("analyst", "auditor", "admin"):
        assert got == _role_refusal(actor, permission)
    else:
        assert got == _expected(objects)[action][actor]
