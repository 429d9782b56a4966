"""Least privilege: every route, every role; tokens are hashed, revocable, shown once."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from serving_helpers import ROLES, auth

from risk.clock import WallClock
from risk.errors import ConflictError, RequestValidationError
from serving.services import TokenCache, create_token, create_user, revoke_token

CASEWORK = {"officer", "supervisor"}
AGGREGATES = {"supervisor", "analyst", "auditor", "admin"}
EVERYONE = set(ROLES)

#: (method, path, roles allowed) - written out here, independently of PERMISSIONS.
MATRIX = [
    ("GET", "/v1/me", EVERYONE),
    ("POST", "/v1/me/password", EVERYONE),
    ("GET", "/v1/model", EVERYONE),
    ("POST", "/v1/model/reload", {"admin"}),
    ("GET", "/v1/model/waivers", EVERYONE),
    ("POST", "/v1/model/versions/{version}/waiver", {"analyst", "admin"}),
    ("POST", "/v1/model/versions/{version}/waiver/approval", {"supervisor"}),
    ("GET", "/v1/settings", AGGREGATES),
    ("PUT", "/v1/settings/kill-switch", {"supervisor", "admin"}),
    ("PUT", "/v1/settings/shadow", {"supervisor", "admin"}),
    ("PUT", "/v1/settings/review", {"admin"}),
    ("GET", "/v1/kpis", AGGREGATES),
    ("POST", "/v1/applications/score", {"officer", "supervisor", "admin"}),
    ("POST", "/v1/applications/score-batch", {"officer", "supervisor", "admin"}),
    ("GET", "/v1/scores/{score_id}", CASEWORK),
    ("GET", "/v1/cases", CASEWORK),
    ("GET", "/v1/cases/{case_id}", CASEWORK),
    ("POST", "/v1/cases/{case_id}/claim", CASEWORK),
    ("POST", "/v1/cases/{case_id}/release", CASEWORK),
    ("POST", "/v1/cases/{case_id}/reassign", {"supervisor"}),
    ("POST", "/v1/cases/{case_id}/decisions", CASEWORK),
    ("POST", "/v1/cases/{case_id}/feedback", CASEWORK),
    ("POST", "/v1/complaints", CASEWORK),
    ("GET", "/v1/complaints", CASEWORK),
    ("GET", "/v1/complaints/{complaint_id}", CASEWORK),
    ("POST", "/v1/complaints/{complaint_id}/assign", {"supervisor"}),
    ("POST", "/v1/complaints/{complaint_id}/take", CASEWORK),
    ("POST", "/v1/complaints/{complaint_id}/respond", CASEWORK),
    ("POST", "/v1/complaints/{complaint_id}/steps", CASEWORK),
    ("GET", "/v1/surveys/pending", {"supervisor"}),
    ("POST", "/v1/surveys/{survey_id}/moderation", {"supervisor"}),
    ("GET", "/v1/audit-log", {"auditor", "admin"}),
    ("GET", "/v1/audit-log/verify", {"auditor", "admin"}),
    ("POST", "/v1/monitoring/run", {"supervisor", "analyst", "admin"}),
    ("GET", "/v1/monitoring/alerts", AGGREGATES),
    ("GET", "/v1/monitoring/latest", AGGREGATES),
    ("POST", "/v1/users/{username}/unlock", {"supervisor", "admin"}),
]
PUBLIC = {("GET", "/v1/health"), ("GET", "/v1/health/ready")}


def _call(client, method, path, token):
    url = path.format(
        score_id="nope",
        case_id=999,
        complaint_id=999,
        version=999,
        username="officer",
        survey_id=999,
    )
    body = {} if method in ("POST", "PUT") else None
    return client.request(method, url, headers=auth(token), json=body)


def test_matrix_covers_every_route(app):
    routes = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert routes == {(m, p) for m, p, _ in MATRIX} | PUBLIC


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
def test_route_enforces_its_roles(module_client, module_tokens, role, method, path, allowed):
    response = _call(module_client, method, path, module_tokens[role])
    if role in allowed:
        assert response.status_code != 403, response.text
    else:
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "forbidden"
        assert body["detail"]["role"] == role


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer amk_wrong", "Basic abc"])
def test_missing_or_bad_token_is_401(client, header):
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_health_needs_no_token(client):
    assert client.get("/v1/health").json() == {"status": "ok", "model_loaded": False}


def test_token_is_stored_hashed_and_revocable(app, store, client, tokens):
    app.state.token_cache = TokenCache(0)  # no cache: every request reads the database
    token = tokens["officer"]
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_id, token_hash FROM api_tokens")).all()
    hashes = {h for _, h in stored}
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert all(token not in h for h in hashes)
    assert client.get("/v1/me", headers=auth(token)).json()["username"] == "officer"
    token_id = next(i for i, h in stored if h == hashlib.sha256(token.encode()).hexdigest())
    with store.transaction() as session:
        revoke_token(session, token_id, clock=WallClock())
    assert client.get("/v1/me", headers=auth(token)).status_code == 401


def test_a_revoked_token_stops_working_within_the_cache_lifetime(app, store, client, tokens):
    """Revoked from another process: trusted until the cached check expires, then 401."""
    now = [1000.0]
    app.state.token_cache = TokenCache(2.0, clock=lambda: now[0])
    token = tokens["officer"]
    assert client.get("/v1/me", headers=auth(token)).status_code == 200  # checked and cached
    with store.transaction() as session:
        revoke_token(session, _token_id(store, token), clock=WallClock())
    now[0] += 1.9
    assert client.get("/v1/me", headers=auth(token)).status_code == 200
    now[0] += 0.2
    assert client.get("/v1/me", headers=auth(token)).status_code == 401
    assert client.get("/v1/me", headers=auth(token)).status_code == 401  # failures not cached


def test_unknown_tokens_are_never_cached(app, client, tokens):
    app.state.token_cache = cache = TokenCache(60.0)
    assert client.get("/v1/me", headers=auth("amk_nosuchtoken")).status_code == 401
    assert cache.get("Bearer amk_nosuchtoken") is None
    assert client.get("/v1/me", headers=auth(tokens["analyst"])).status_code == 200
    assert cache.get(f"Bearer {tokens['analyst']}").username == "analyst"


def _token_id(store, token: str) -> int:
    digest = hashlib.sha256(token.encode()).hexdigest()
    with store.engine.connect() as conn:
        query = sa.text("SELECT token_id FROM api_tokens WHERE token_hash = :h")
        return conn.execute(query, {"h": digest}).scalar_one()


def test_unknown_role_and_duplicate_user_are_refused(store, tokens):
    with (
        pytest.raises(RequestValidationError, match="role 'clerk' is not one of"),
        store.transaction() as session,
    ):
        create_user(session, "x", "clerk", clock=WallClock())
    with (
        pytest.raises(ConflictError, match="user 'officer' already exists"),
        store.transaction() as session,
    ):
        create_user(session, "officer", "officer", clock=WallClock())
    with store.transaction() as session:
        assert create_token(session, "officer", clock=WallClock()) != create_token(
            session, "officer", clock=WallClock()
        )
