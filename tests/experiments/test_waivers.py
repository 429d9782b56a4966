"""Four eyes on a release, end to end: a waiver is requested and approved by two real,
signed-in people (command line, API, oversight page), never by a typed name."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from experiments import client_for, log_training_run, pending_waivers, promotion_history
from risk.clock import WallClock
from risk.errors import PermissionDeniedError

# Each test logs a run and migrates a store (several seconds).
pytestmark = pytest.mark.slow

#: username -> (role, password, active)
PEOPLE = {
    "ayu": ("analyst", "kunang-kunang-71", True),
    "budi": ("supervisor", "pelangi-senja-82", True),
    "ana": ("supervisor", "gunung-salju-93", True),  # trained the model
    "sari": ("supervisor", "ombak-pantai-14", False),
    "siti": ("officer", "hujan-gerimis-25", True),
    "rahmat": ("auditor", "bintang-fajar-36", True),
}


@pytest.fixture
def release(settings, trained, evidence):
    """A registry whose version 1 fails the fairness gate, and a store with its people."""
    from serving.services import create_token, create_user
    from serving.store import Store, User

    log_training_run(
        trained,
        settings=settings,
        data_dir=settings.data_dir,
        trained_by="ana",
        fairness=evidence["good", "strict"],
        report=False,
    )
    store = Store(settings.database_url)
    store.upgrade()
    tokens = {}
    with store.transaction() as session:
        for name, (role, password, active) in PEOPLE.items():
            create_user(session, name, role, clock=WallClock(), password=password, actor="test")
            tokens[name] = create_token(session, name, clock=WallClock(), actor="test")
            session.scalar(sa.select(User).where(User.username == name)).active = active
    yield settings, store, tokens
    store.dispose()


def _champion(settings) -> str | None:
    client = client_for(settings)
    try:
        return str(
            client.get_model_version_by_alias(settings.mlflow.registered_model, "champion").version
        )
    except Exception:
        return None


def _audit(store) -> list[tuple[str, str, dict]]:
    from serving.store import AuditEntry

    with store.transaction() as session:
        rows = session.execute(
            sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.details)
            .where(AuditEntry.action.like("model.%"))
            .order_by(AuditEntry.seq)
        )
        return [tuple(r) for r in rows]


def _cli(settings, monkeypatch, args, password=None):
    from typer.testing import CliRunner

    from risk.cli import app

    monkeypatch.setenv("RISK_DATA_DIR", str(settings.data_dir))
    return CliRunner().invoke(app, args, input=None if password is None else password + "\n")


def test_a_typed_approver_name_no_longer_promotes(release, monkeypatch):
    """The reproduction from the issue: ``--approver zzz-not-a-user`` promoted an unfair model."""
    settings, _, _ = release
    out = _cli(
        settings,
        monkeypatch,
        ["promote", "1", "--by", "ayu", "--waiver", "pilot", "--approver", "zzz-not-a-user"],
    )
    assert out.exit_code == 1
    assert "--approver is not accepted: a typed name ('zzz-not-a-user') proves nothing" in (
        " ".join(out.output.split())
    )
    assert _champion(settings) is None and promotion_history(settings) == []


def test_cli_request_and_approval_each_sign_in_as_themselves(release, monkeypatch, trained):
    settings, store, _ = release
    cli = lambda args, pw=None: _cli(settings, monkeypatch, args, pw)  # noqa: E731

    wrong = cli(["promote", "1", "--by", "ayu", "--waiver", "pilot"], "not-ayus")
    assert wrong.exit_code == 1
    assert "sign-in as 'ayu' failed: unknown user, inactive user or wrong password" in " ".join(
        wrong.output.split()
    )
    officer = cli(["promote", "1", "--by", "siti", "--waiver", "pilot"], PEOPLE["siti"][1])
    assert officer.exit_code == 1
    assert "only a user with the role admin or analyst may request a waiver; siti is officer" in (
        " ".join(officer.output.split())
    )
    assert pending_waivers(settings) == []

    asked = cli(["promote", "1", "--by", "ayu", "--waiver", "pilot on one post"], PEOPLE["ayu"][1])
    assert asked.exit_code == 0, asked.output
    assert "waiver requested by ayu; version 1 is promoted when a second person" in " ".join(
        asked.output.split()
    )
    assert [w["requested_by"] for w in pending_waivers(settings)] == ["ayu"]

    refusals = {
        "zzz-not-a-user": "sign-in as 'zzz-not-a-user' failed: unknown user, inactive user",
        "sari": "sign-in as 'sari' failed: unknown user, inactive user or wrong password",
        "siti": "only a user with the role supervisor may approve a waiver; siti is officer",
        "ayu": "only a user with the role supervisor may approve a waiver; ayu is analyst",
        "ana": "waiver refused: approver ana trained this model",
    }
    for who, message in refusals.items():
        password = PEOPLE.get(who, ("", "guess"))[1]
        out = cli(["approve-waiver", "1", "--by", who], password)
        assert out.exit_code == 1, who
        assert message in " ".join(out.output.split()), (who, out.output)
        assert _champion(settings) is None, who

    approved = cli(["approve-waiver", "1", "--by", "budi"], PEOPLE["budi"][1])
    assert approved.exit_code == 0, approved.output
    assert (
        f"v1 ({trained.bundle.fingerprint[:8]}) is now the champion with a waiver requested by"
        " ayu and approved by budi" in " ".join(approved.output.split())
    )
    assert _champion(settings) == "1" and pending_waivers(settings) == []
    last = promotion_history(settings)[-1]
    assert (last["result"], last["by"]) == ("promoted", "ayu")
    waiver = {k: last["waiver"][k] for k in ("requested_by", "approved_by", "approved_via")}
    assert waiver == {"requested_by": "ayu", "approved_by": "budi", "approved_via": "cli"}
    audit = _audit(store)
    assert [(actor, action) for actor, action, _ in audit] == [
        ("ayu", "model.waiver.request"),
        ("budi", "model.promote"),
    ]
    assert audit[1][2]["requested_by"] == "ayu" and audit[1][2]["approved_by"] == "budi"


def test_service_refuses_an_approver_deactivated_after_signing_in(release):
    from serving.services import Principal, approve_model_waiver
    from serving.store import User

    settings, store, _ = release
    with store.transaction() as session:
        sari = session.scalar(sa.select(User).where(User.username == "sari"))
        who = Principal(sari.user_id, "sari", "supervisor")
        with pytest.raises(PermissionDeniedError, match="sari is not an active user, so they"):
            approve_model_waiver(session, who, "1", settings, clock=WallClock(), via="api")


@pytest.fixture
def api(release):
    from fastapi.testclient import TestClient

    from serving import create_app

    settings, store, tokens = release
    service = create_app(settings, store=store, load_model=False)
    with TestClient(service, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, tokens


def test_api_request_and_approval_use_each_callers_own_token(release, api):
    settings, _, _ = release
    client, tokens = api

    def as_(who):
        return {"Authorization": f"Bearer {tokens[who]}"}

    url = "/v1/model/versions/1/waiver"
    assert client.post(url, json={"reason": "pilot"}, headers=as_("siti")).status_code == 403
    assert client.post(url, json={"reason": " "}, headers=as_("ayu")).status_code == 422
    asked = client.post(url, json={"reason": "pilot"}, headers=as_("ayu"))
    assert asked.status_code == 201, asked.text
    assert asked.json()["waiver"]["requested_by"] == "ayu" and asked.json()["failed"] == [
        "fairness"
    ]
    listed = client.get("/v1/model/waivers", headers=as_("rahmat")).json()
    assert [(w["version"], w["requested_by"], w["reason"]) for w in listed] == [
        ("1", "ayu", "pilot")
    ]

    assert client.post(url + "/approval", headers=as_("sari")).status_code == 401
    for who in ("ayu", "siti", "rahmat"):
        assert client.post(url + "/approval", headers=as_(who)).status_code == 403, who
    trainer = client.post(url + "/approval", headers=as_("ana"))
    assert trainer.status_code == 409
    assert "approver ana trained this model" in trainer.json()["detail"]["message"]
    in_indonesian = client.post(url + "/approval", headers={**as_("ana"), "Accept-Language": "id"})
    assert (in_indonesian.status_code, in_indonesian.json()["detail"]) == (
        409,
        "pengecualian ditolak: penyetuju ana melatih model ini",
    )
    assert _champion(settings) is None

    done = client.post(url + "/approval", headers=as_("budi"))
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["result"], body["by"], body["waiver"]["approved_by"]) == (
        "promoted",
        "ayu",
        "budi",
    )
    assert body["waiver"]["approved_via"] == "api" and _champion(settings) == "1"
    again = client.post(url + "/approval", headers=as_("budi"))
    assert again.status_code == 409


def _signed_in(client, who):
    form = client.get("/login").text  # the sign-in form's CSRF token
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": who, "password": PEOPLE[who][1], "csrf": csrf})
    assert r.status_code == 303, r.text


def test_oversight_page_approval_is_the_signed_in_supervisor(release, api):
    from experiments import request_waiver

    settings, _, _ = release
    client, _ = api
    request_waiver("1", by="ayu", reason="pilot on one post", settings=settings)

    _signed_in(client, "rahmat")
    page = client.get("/oversight/model").text
    assert "pilot on one post" in page and "Only a supervisor can approve" in page
    assert "Approve as" not in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # the page's own forms
    forbidden = client.post("/oversight/model/waivers/1/approve", data={"csrf": token})
    assert forbidden.status_code == 403 and "Your role (auditor) may not" in forbidden.text
    client.cookies.clear()

    _signed_in(client, "ana")
    page = client.get("/oversight/model").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert "Approve as ana" in page
    refused = client.post("/oversight/model/waivers/1/approve", data={"csrf": token})
    assert refused.status_code == 409
    assert "You trained this model; someone else must approve its waiver." in refused.text
    client.cookies.clear()

    _signed_in(client, "budi")
    page = client.get("/oversight/model").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert (
        client.post("/oversight/model/waivers/1/approve", data={"csrf": "forged"}).status_code
        == 403
    )
    done = client.post("/oversight/model/waivers/1/approve", data={"csrf": token})
    assert (done.status_code, done.headers["location"]) == (303, "/oversight/model?approved=1")
    page = client.get("/oversight/model?approved=1&lang=id").text
    assert "Pengecualian disetujui: versi 1 kini menjadi model juara." in page
    assert "diminta oleh ayu; disetujui oleh budi" in page
    assert _champion(settings) == "1"
