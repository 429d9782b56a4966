"""Passwords (argon2id, old hashes upgraded, policy) and the sign-in limits: per-account and
per-address throttles, a lockout a supervisor or admin lifts, known and unknown names alike."""

from __future__ import annotations

import hashlib
import secrets

import pytest
import sqlalchemy as sa
from security_helpers import PASSWORDS, browser, clock, sign_in, web
from serving_helpers import auth

from risk.clock import WallClock
from risk.errors import NotFoundError, PermissionDeniedError, RequestValidationError
from serving.services import (
    Principal,
    check_password_policy,
    create_token,
    create_user,
    unlock_sign_in,
    verify_password,
)
from serving.store import AuditEntry, SignInFailure, User

__all__ = ["clock", "web"]  # fixtures used here


def _audit(store, action: str) -> list[AuditEntry]:
    with store.transaction() as session:
        query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        return list(session.scalars(query))


def _stored_hash(store, username: str) -> str:
    with store.transaction() as session:
        return session.scalar(sa.select(User.password_hash).where(User.username == username))


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(web, store):
    stored = _stored_hash(store, "siti")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, PASSWORDS["siti"])
    assert not verify_password(stored, PASSWORDS["siti"] + "x")


def _old_scrypt(password: str) -> str:
    """A hash as the service stored them before argon2id (stdlib scrypt, N=2^14)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def test_an_old_scrypt_hash_still_signs_in_and_is_rehashed(web, store):
    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == "siti"))
        user.password_hash = _old_scrypt("an-old-but-long-one")
    assert sign_in(browser(web), "siti", "a-wrong-guess-000").status_code == 401
    assert _stored_hash(store, "siti").startswith("scrypt$")  # a failure changes nothing
    assert sign_in(browser(web), "siti", "an-old-but-long-one").status_code == 303
    upgraded = _stored_hash(store, "siti")
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(upgraded, "an-old-but-long-one")
    assert [e.details["rehashed"] for e in _audit(store, "web.sign_in")] == [True]
    assert sign_in(browser(web), "siti", "an-old-but-long-one").status_code == 303
    assert [e.details["rehashed"] for e in _audit(store, "web.sign_in")] == [True, False]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1", "must be at least 12 characters"),
        ("short-one-9", "must be at least 12 characters"),
        ("x" * 257, "must be at most 256 characters"),
        ("aaaaaaaaaaaaaaaa", "must use at least 4 different characters"),
        ("dewi-passphrase-77", "must not contain the username"),
        ("DEWIDEWIDEWI1234", "must not contain the username"),
        ("password1234", "is too common (it is on the list of the most used passwords)"),
        ("Qwertyuiop123", "is too common (it is on the list of the most used passwords)"),
        ("Indonesia2024!!!", "is too common (it is on the list of the most used passwords)"),
    ],
)
def test_the_password_policy_refuses_weak_passwords_naming_the_field(password, message):
    with pytest.raises(RequestValidationError) as info:
        check_password_policy(password, "dewi")
    assert info.value.detail == [{"loc": ["password"], "msg": message}]
    assert info.value.message == f"password: {message}"  # never the password itself


def test_the_password_policy_accepts_a_decent_passphrase_and_honours_the_setting():
    check_password_policy("kopi-tubruk-pagi", "dewi")
    with pytest.raises(RequestValidationError):
        check_password_policy("kopi-tubruk-pagi", "dewi", min_length=20)


def test_a_weak_password_is_refused_when_adding_a_user(store):
    with store.transaction() as session, pytest.raises(RequestValidationError):
        create_user(session, "eko", "officer", password="1", clock=WallClock())
    with store.transaction() as session:
        assert session.scalar(sa.select(User).where(User.username == "eko")) is None


def _fail(web, username: str, times: int) -> list[int]:
    return [sign_in(browser(web), username, f"wrong-guess-{i}").status_code for i in range(times)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(web, store, clock):
    assert _fail(web, "siti", 5) == [401] * 5
    locked = sign_in(browser(web), "siti")
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "Too many failed sign-ins. Try again in 15 minutes" in locked.text
    clock.advance(minutes=10)
    assert sign_in(browser(web), "siti").headers["retry-after"] == "300"
    assert sign_in(browser(web), "budi").status_code == 303  # other accounts are unaffected
    clock.advance(minutes=5)
    assert sign_in(browser(web), "siti").status_code == 303  # the window has passed
    lockouts = _audit(store, "web.sign_in_lockout")
    assert [(e.actor, e.details) for e in lockouts] == [
        ("(sign-in)", {"scope": "account", "failures": 5})
    ]


def test_a_success_resets_the_account_count(web):
    assert _fail(web, "siti", 4) == [401] * 4
    assert sign_in(browser(web), "siti").status_code == 303
    assert _fail(web, "siti", 4) == [401] * 4
    assert sign_in(browser(web), "siti").status_code == 303


def test_unknown_names_are_answered_and_locked_exactly_like_known_ones(web, store):
    known = [sign_in(browser(web), "siti", f"guess-{i}") for i in range(6)]
    unknown = [sign_in(browser(web), "sity", f"guess-{i}") for i in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [r.status_code for r in unknown] == [401] * 5 + [429]
    strip = lambda r: r.text.replace('value="siti"', "").replace('value="sity"', "")  # noqa: E731
    assert strip(known[0]).replace(_csrf(known[0]), "") == strip(unknown[0]).replace(
        _csrf(unknown[0]), ""
    )
    failed = _audit(store, "web.sign_in_failed")
    assert {e.actor for e in failed} == {"(sign-in)"}
    assert [e.entity_id for e in failed] == ["1"] * 5 + ["unknown"] * 5
    with store.transaction() as session:
        accounts = set(session.scalars(sa.select(SignInFailure.account)))
    assert "user:1" in accounts
    assert not any("sity" in a for a in accounts)  # a keyed hash, never the typed name


def _csrf(response) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)


def test_unknown_users_are_checked_against_a_dummy_hash(web, monkeypatch):
    """The equal-time rule: an unknown name costs one argon2 verification, like a known one."""
    from serving.services import _passwords

    real, calls = _passwords._HASHER, []

    class Spy:
        def verify(self, stored, password):
            calls.append(stored[:9])
            return real.verify(stored, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(_passwords, "_HASHER", Spy())
    assert sign_in(browser(web), "siti", "wrong-guess-1").status_code == 401
    assert sign_in(browser(web), "nobody-here", "wrong-guess-1").status_code == 401
    assert calls == ["$argon2id", "$argon2id"]


def test_one_address_trying_many_names_is_throttled(web, settings):
    settings.security.address_max_failures = 8
    names = ["siti", "budi", "rina", "ghost1", "ghost2", "ghost3", "ghost4", "ghost5"]
    assert [sign_in(browser(web), n, "wrong-guess").status_code for n in names] == [401] * 8
    assert sign_in(browser(web), "budi").status_code == 429  # the right password, too


def test_a_supervisor_lifts_an_officers_lock_through_the_api(web, store, client, tokens):
    _fail(web, "siti", 5)
    with store.transaction() as session:
        token = create_token(session, "budi", clock=WallClock())
    r = client.post("/v1/users/siti/unlock", headers=auth(token))
    assert r.json() == {"username": "siti", "failures_cleared": 5}
    assert sign_in(browser(web), "siti").status_code == 303
    entry = _audit(store, "user.unlock")[-1]
    assert (entry.actor, entry.entity_id, entry.details) == ("budi", "1", {"failures_cleared": 5})


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("budi", "siti", True),  # supervisor -> officer
        ("supervisor", "budi", True),  # supervisor -> another supervisor
        ("budi", "rina", False),  # supervisor -> admin
        ("budi", "analyst", False),  # supervisor -> analyst
        ("rina", "rina", True),  # admin -> admin
        ("rina", "auditor", True),  # admin -> anyone
        ("siti", "officer2", False),  # officer -> another officer
        ("auditor", "siti", False),
        ("analyst", "siti", False),
    ],
)
def test_who_may_lift_whose_lock(web, store, tokens, actor, target, allowed):
    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == actor))
        principal = Principal(user.user_id, user.username, user.role)
        if allowed:
            assert unlock_sign_in(session, target, actor=principal, clock=WallClock()) == 0
        else:
            with pytest.raises(PermissionDeniedError):
                unlock_sign_in(session, target, actor=principal, clock=WallClock())


def test_unlocking_an_unknown_user_is_404(web, store):
    with store.transaction() as session, pytest.raises(NotFoundError):
        unlock_sign_in(session, "nobody", actor=None, clock=WallClock())


def test_failures_that_left_the_window_are_deleted(web, store, clock):
    _fail(web, "siti", 3)
    clock.advance(minutes=15)
    _fail(web, "budi", 1)
    with store.transaction() as session:
        left = session.scalars(sa.select(SignInFailure.account)).all()
    assert left == ["user:2"]
