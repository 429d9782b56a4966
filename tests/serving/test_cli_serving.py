"""The service verbs: users, tokens, audit-log verify, replay."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from serving_helpers import as_json, auth
from typer.testing import CliRunner

from risk.cli import app

pytestmark = pytest.mark.xdist_group("serving_model")


@pytest.fixture
def run(store, tmp_path, monkeypatch):
    """Run ``risk ...`` against the test store."""
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)

    def _run(*args: str, input: str | None = None):
        return CliRunner().invoke(app, list(args), input=input)

    return _run


def test_users_and_tokens(run, store):
    assert run("users", "add", "dewi", "--role", "supervisor").exit_code == 0
    result = run("tokens", "create", "dewi", "--label", "laptop")
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("amk_")
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash, label FROM api_tokens")).all()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "laptop")]
    bad = run("users", "add", "eko", "--role", "clerk")
    assert bad.exit_code == 1
    assert "error: role 'clerk' is not one of officer, supervisor" in bad.output
    missing = run("tokens", "create", "nobody")
    assert (missing.exit_code, "error: user 'nobody' does not exist" in missing.output) == (1, True)


def test_audit_log_verify_names_the_broken_entry(run, store):
    run("users", "add", "a", "--role", "officer")
    run("users", "add", "b", "--role", "officer")
    ok = run("audit-log", "verify")
    with store.engine.connect() as conn:
        head = conn.execute(sa.text("SELECT hash FROM audit_log WHERE seq = 2")).scalar_one()
    assert (ok.exit_code, ok.output.strip()) == (
        0,
        f"audit log intact: 2 entries; head {head}:2; 0 published heads checked",
    )
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET actor = 'x' WHERE seq = 1"))
    broken = run("audit-log", "verify")
    assert broken.exit_code == 1
    assert "audit log broken at entry 1: entry 1 was edited" in broken.output


def _published_head(run) -> str:
    result = run("audit-log", "checkpoint")
    assert result.exit_code == 0, result.output
    return re.search(r"checkpoint ([0-9a-f]{64}:\d+) appended", result.output).group(1)


def test_audit_log_verify_against_a_published_head(run, store, tmp_path):
    run("users", "add", "a", "--role", "officer")
    run("users", "add", "b", "--role", "officer")
    published = _published_head(run)
    assert published.endswith(":2")
    assert run("audit-log", "checkpoint").output.startswith("the head is already the last")
    ok = run("audit-log", "verify", "--against", published)
    assert ok.exit_code == 0
    assert ok.output.strip().endswith("; 2 published heads checked")  # the file's and the given
    (tmp_path / "audit-checkpoints.jsonl").unlink()  # an attacker may also remove the file
    with store.engine.begin() as conn:  # ... and wipe the log, head back to the genesis
        conn.execute(sa.text("DELETE FROM audit_log"))
        conn.execute(sa.text("UPDATE audit_head SET seq = 0, hash = :g"), {"g": "0" * 64})
    assert run("audit-log", "verify").exit_code == 0  # nothing left to contradict it
    wiped = run("audit-log", "verify", "--against", published)
    assert wiped.exit_code == 1
    assert (
        "audit log broken at entry 1: entry 1 onwards was deleted: the chain ends at 0 but a"
        " published checkpoint recorded 2 entries" in " ".join(wiped.output.split())
    )
    bad = run("audit-log", "verify", "--against", "abc:2")
    assert bad.exit_code == 1
    assert "--against 'abc:2': expected HASH:COUNT" in bad.output


def test_replay_reproduces_a_logged_score_and_detects_changes(
    run, scoring_client, tokens, world, store
):
    body = scoring_client.post(
        "/v1/applications/score",
        headers=auth(tokens["officer"]),
        json=as_json(world["payloads"][0]),
    ).json()
    bundle = str(world["bundle"])
    result = run("replay", body["score_id"], "--bundle", bundle)
    assert result.exit_code == 0, result.output
    assert "replay reproduces the logged score" in result.output
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE applications SET declared_funds_usd = declared_funds_usd + 1"))
    changed = run("replay", body["score_id"], "--bundle", bundle)
    assert changed.exit_code == 1
    assert "inputs fingerprint: DIFFERS" in changed.output
    assert "declared_funds" in changed.output  # a funds feature moved with it
    missing = run("replay", "nope", "--bundle", bundle)
    assert (missing.exit_code, "error: score 'nope' does not exist" in missing.output) == (1, True)


def test_users_password_deactivate_unlock_and_list(run, store):
    import datetime as dt

    from serving.store import SignInFailure

    assert run("users", "add", "dewi", "--role", "officer", "--password", "1").exit_code == 1
    weak = run("users", "add", "dewi", "--role", "officer", "--password", "password1234")
    assert "error: password: is too common" in weak.output
    added = run("users", "add", "dewi", "--role", "officer", "--password", "kopi-tubruk-pagi")
    assert added.exit_code == 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.transaction() as session:
        user_id = session.scalar(sa.text("SELECT user_id FROM users WHERE username = 'dewi'"))
        for _ in range(5):
            session.add(SignInFailure(account=f"user:{user_id}", address="10.0.0.9", at=now))
    listed = run("users", "list")
    assert [
        [cell.strip() for cell in line.split("│")[1:6]]
        for line in listed.output.splitlines()
        if "dewi" in line
    ] == [["dewi", "officer", "-", "True", "locked"]]
    unlocked = run("users", "unlock", "dewi", "--address", "10.0.0.9")
    assert unlocked.output.splitlines() == [
        "dewi unlocked (5 failed sign-ins cleared)",
        "address 10.0.0.9 unlocked (0 failed sign-ins cleared)",
    ]
    changed = run("users", "password", "dewi", input="teh-manis-dingin\nteh-manis-dingin\n")
    assert changed.exit_code == 0, changed.output
    assert changed.output.endswith("password of dewi changed; 0 open sessions ended\n")
    assert (
        run("users", "deactivate", "dewi").output
        == "user dewi deactivated; 0 open sessions ended\n"
    )
    with store.transaction() as session:
        actions = session.scalars(sa.text("SELECT action FROM audit_log ORDER BY seq")).all()
    assert actions == [
        "user.create",
        "user.unlock",
        "address.unlock",
        "user.password",
        "user.deactivate",
    ]
    assert run("users", "unlock").exit_code == 1


def test_users_role_team_teams_and_tokens_list(run, store):
    assert run("users", "add", "root", "--role", "admin").exit_code == 0
    assert run("users", "add", "dewi", "--role", "officer").exit_code == 0
    assert run("teams", "list").output == "no team yet (add one with: risk teams add NAME)\n"
    assert run("teams", "add", "Airport").output == "team Airport added\n"
    assert run("users", "team", "dewi", "Airport").output == "dewi is in team Airport\n"
    assert run("teams", "list").output == "Airport: 1 active member\n"
    missing = run("users", "team", "dewi", "Harbour")
    assert (missing.exit_code, missing.output) == (1, "error: team 'Harbour' does not exist\n")
    assert run("users", "role", "dewi", "supervisor").output == "dewi is now supervisor\n"
    last = run("users", "role", "root", "officer")
    assert last.exit_code == 1
    assert "error: root is the last active admin; make another admin first" in last.output
    alone = run("users", "deactivate", "root")
    assert alone.exit_code == 1 and "root is the last active admin" in alone.output
    assert run("tokens", "list").output == "no API token yet\n"
    run("tokens", "create", "dewi", "--label", "laptop")
    listed = run("tokens", "list").output.split()
    assert listed[1:4] == ["dewi", "laptop", "created"] and listed[-1] == "live"
    assert run("tokens", "revoke", listed[0]).exit_code == 0
    assert run("tokens", "list").output.split()[-3] == "revoked"
    with store.transaction() as session:
        actions = session.scalars(sa.text("SELECT action FROM audit_log ORDER BY seq")).all()
    assert actions == [
        "user.create", "user.create", "team.create", "user.team", "user.role",
        "token.create", "token.revoke",
    ]  # fmt: skip


def test_users_password_generate_prints_a_password_that_signs_in(run, store):
    from serving.services import authenticate_password

    assert run("users", "add", "dewi", "--role", "officer").exit_code == 0
    result = run("users", "password", "dewi", "--generate")
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first == "password of dewi changed; 0 open sessions ended"
    password = second.removeprefix("new password: ")
    with store.transaction() as session:
        assert authenticate_password(session, "dewi", password).username == "dewi"
