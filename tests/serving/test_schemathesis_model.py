"""Schema fuzzing with the session's model loaded, so scoring is exercised past its 503.

Every operation is called with a real token of a role its permission admits (a
supervisor where possible), on a store whose kill switch is on, so every accepted
score opens a case.  A stateful run then follows the links the test adds to the
schema (score -> case -> claim -> decision), so case operations see real case ids.
No answer may be a server error; documented answers must match their schema.
"""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from serving_helpers import as_json, auth, make_client

from risk.clock import WallClock
from risk.settings import Settings
from serving.services import PERMISSIONS, create_token, create_user, switch_kill
from serving.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("serving_model")]

#: Roles tried in this order for each operation (the first its permission admits).
PREFERRED = ("supervisor", "admin", "analyst", "auditor", "officer")


@pytest.fixture(scope="module")
def api(tmp_path_factory, world):
    """The app on a fresh SQLite store with the session's model, a token per role."""
    from serving import create_app

    root = tmp_path_factory.mktemp("schemathesis_model")
    store = Store(f"sqlite:///{root / 'amanah.db'}")
    store.upgrade()
    tokens = {}
    with store.transaction() as session:
        for role in PREFERRED:
            create_user(session, role, role, clock=WallClock())
            tokens[role] = create_token(session, role, clock=WallClock())
    with store.transaction() as session:
        switch_kill(session, _principal(store, "supervisor"), True, "fuzzing", clock=WallClock())
    s = Settings(data_dir=root)
    # The app's own holder of the session's bundle (the fuzz may reload it).
    s.serving.model_source = "bundle"
    s.serving.bundle_path = world["bundle"]
    app = create_app(s, store=store, seed=1)
    with make_client(app) as client:  # real cases for the queue's links to follow
        for payload in world["payloads"][:8]:
            r = client.post(
                "/v1/applications/score",
                headers=auth(tokens["supervisor"]),
                json=as_json(payload),
            )
            assert r.status_code == 200, r.text
    yield app, tokens
    store.dispose()


def _principal(store, username):
    from serving.services import Principal
    from serving.store import User

    with store.reading() as session:
        user = session.query(User).filter_by(username=username).one()
        return Principal(user.user_id, user.username, user.role)


def _permissions(app) -> dict[tuple[str, str], str | None]:
    """(METHOD, path) -> the permission its ``allow()`` dependency checks (None: public)."""
    out = {}
    for route in app.routes:
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        stack, found = [dependant], None
        while stack:
            d = stack.pop()
            found = getattr(d.call, "permission", None) or found
            stack += d.dependencies
        for method in route.methods:
            out[(method, route.path)] = found
    return out


def _token_for(tokens, permission):
    allowed = PERMISSIONS.get(permission, PREFERRED) if permission else PREFERRED
    return tokens[next(r for r in PREFERRED if r in allowed)]


def test_every_operation_with_a_model_never_answers_a_server_error(api):
    app, tokens = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    permissions = _permissions(app)
    failures, scored = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        token = _token_for(tokens, permissions.get((operation.method.upper(), operation.path)))
        try:
            _fuzz(operation, token, scored)()
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n".join(failures)


def _fuzz(operation, token: str, scored: list):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=auth(token))
        if case.operation.path == "/v1/applications/score" and response.status_code == 200:
            scored.append(response.json()["score_id"])
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    return check


_CASE = {"path.case_id": "$response.body#/case_id"}
_FIRST = {"path.case_id": "$response.body#/data/0/case_id"}
_LINKS = {
    ("/v1/cases", "get"): {
        "ReadFirst": {"operationId": "get_case_v1_cases__case_id__get", "parameters": _FIRST},
        "ClaimFirst": {"operationId": "claim_v1_cases__case_id__claim_post", "parameters": _FIRST},
    },
    ("/v1/applications/score", "post"): {
        "ReadCase": {"operationId": "get_case_v1_cases__case_id__get", "parameters": _CASE},
        "ClaimCase": {"operationId": "claim_v1_cases__case_id__claim_post", "parameters": _CASE},
    },
    ("/v1/cases/{case_id}/claim", "post"): {
        "Decide": {
            "operationId": "decide_v1_cases__case_id__decisions_post",
            "parameters": _CASE,
        },
        "Release": {
            "operationId": "release_v1_cases__case_id__release_post",
            "parameters": _CASE,
        },
    },
}


def test_score_case_claim_decision_links_never_answer_a_server_error(api):
    """The stateful run: each step's ids come from the previous answer.

    The queue (eight open cases, scored through the API before the fuzz) and any
    score the fuzz gets accepted lead to a case; a claim leads to a decision.
    """
    app, tokens = api
    raw = app.openapi()
    for (path, method), links in _LINKS.items():
        raw["paths"][path][method]["responses"]["200"]["links"] = links
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    supervisor = auth(tokens["supervisor"])

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": supervisor}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=[not_a_server_error])

    Workflow.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    with app.state.store.connection() as conn:
        actions = set(conn.execute(sa.text("SELECT DISTINCT action FROM audit_log")).scalars())
    assert "case.claim" in actions  # the links were followed to real cases
