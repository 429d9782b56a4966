"""The admin console's services: accounts, roles, teams, tokens and locks.

Every action is tried as an admin, as another admin, and as each other role; the store
never loses its last active admin.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from risk.clock import SimulatedClock
from risk.errors import ConflictError, NotFoundError, PermissionDeniedError
from serving.services import (
    Principal,
    ThrottlePolicy,
    add_person,
    authenticate_password,
    change_role,
    create_team,
    create_token,
    create_user,
    lift_lock,
    list_people,
    list_teams,
    list_tokens,
    reset_password,
    revoke_token_as,
    rule_text,
    set_person_active,
    set_team,
)
from serving.store import AuditEntry, SignInFailure, User

CLOCK = SimulatedClock(dt.datetime(2026, 3, 1, 9, 0))
POLICY = ThrottlePolicy(3, 20, dt.timedelta(minutes=15))
OTHER_ROLES = ("officer", "supervisor", "analyst", "auditor")
AUDITED = {"add": "user.create", "reset": "user.password", "deactivate": "user.deactivate",
           "role": "user.role", "team": "team.create", "unlock": "user.unlock"}  # fmt: skip


@pytest.fixture
def people(store):
    """admin and admin2 (admins), and one user of every other role."""
    with store.transaction() as session:
        for name, role in (("admin", "admin"), ("admin2", "admin"), *((r, r) for r in OTHER_ROLES)):
            create_user(session, name, role, clock=CLOCK)
    return store


def _who(store, username: str) -> Principal:
    with store.reading() as session:
        u = session.scalar(sa.select(User).where(User.username == username))
        return Principal(u.user_id, u.username, u.role)


def _actions(session, actor):
    """One call of every console action, each on a fresh target."""
    return {
        "list": lambda: list_people(session, actor, POLICY, CLOCK.now()),
        "add": lambda: add_person(session, actor, "newcomer", "officer", clock=CLOCK),
        "reset": lambda: reset_password(session, actor, "officer", clock=CLOCK),
        "deactivate": lambda: set_person_active(session, actor, "analyst", False, clock=CLOCK),
        "role": lambda: change_role(session, actor, "auditor", "analyst", clock=CLOCK),
        "team": lambda: create_team(session, actor, "North", clock=CLOCK),
        "tokens": lambda: list_tokens(session, actor),
        "unlock": lambda: lift_lock(session, actor, "officer", clock=CLOCK),
    }


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize(
    "action", ["list", "add", "reset", "deactivate", "role", "team", "tokens", "unlock"]
)
def test_no_other_role_may_manage_people(people, role, action):
    actor = _who(people, role)
    with people.transaction() as session, pytest.raises(PermissionDeniedError) as err:
        _actions(session, actor)[action]()
    assert err.value.message == f"role '{role}' may not 'users.manage'"


@pytest.mark.parametrize("admin", ["admin", "admin2"])
@pytest.mark.parametrize("action", ["add", "reset", "deactivate", "role", "team", "unlock"])
def test_any_admin_may_and_each_change_is_audited_under_their_name(people, admin, action):
    actor = _who(people, admin)
    with people.transaction() as session:
        _actions(session, actor)[action]()
    expected = AUDITED[action]
    with people.reading() as session:
        last = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert (last.action, last.actor) == (expected, admin)


def test_a_new_person_signs_in_with_the_password_shown_once(people):
    with people.transaction() as session:
        create_team(session, None, "North", clock=CLOCK)
        password = add_person(
            session, _who(people, "admin"), "wulan", "officer", clock=CLOCK, team="North"
        )
    with people.transaction() as session:
        assert authenticate_password(session, "wulan", password).role == "officer"
        stored = session.scalar(sa.select(User.password_hash).where(User.username == "wulan"))
        assert password not in stored
        assert list_teams(session) == [("North", 1)]
        audit = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.create")
        ).all()
        assert all(password not in str(a.details) for a in audit)


def test_a_reset_password_replaces_the_old_one(people):
    with people.transaction() as session:
        password, ended = reset_password(session, _who(people, "admin"), "officer", clock=CLOCK)
    assert ended == 0
    with people.transaction() as session:
        assert authenticate_password(session, "officer", password).username == "officer"


def test_the_last_active_admin_cannot_deactivate_or_demote_themselves(people):
    admin = _who(people, "admin")
    with people.transaction() as session:
        set_person_active(session, admin, "admin2", False, clock=CLOCK)  # another admin remains
    for change in (
        lambda s: set_person_active(s, admin, "admin", False, clock=CLOCK),
        lambda s: change_role(s, admin, "admin", "officer", clock=CLOCK),
    ):
        with people.transaction() as session, pytest.raises(ConflictError) as err:
            change(session)
        assert err.value.message == (
            "admin is the last active admin; make another admin first, so that someone can"
            " still manage the service"
        )
        assert rule_text(err.value, "id").startswith("admin adalah admin aktif terakhir;")
    with people.reading() as session:
        assert session.scalar(sa.select(User.active).where(User.username == "admin")) is True


def test_an_admin_may_step_down_while_another_admin_remains(people):
    with people.transaction() as session:
        change_role(session, _who(people, "admin2"), "admin2", "analyst", clock=CLOCK)
    with people.reading() as session:
        assert session.scalar(sa.select(User.role).where(User.username == "admin2")) == "analyst"


def test_tokens_are_listed_without_the_token_and_revoked_once(people):
    admin = _who(people, "admin")
    with people.transaction() as session:
        token = create_token(session, "officer", clock=CLOCK, label="scanner")
    with people.transaction() as session:
        [row] = list_tokens(session, admin)
        assert (row.username, row.label, row.revoked_at) == ("officer", "scanner", None)
        assert token not in repr(row)
        revoke_token_as(session, admin, row.token_id, clock=CLOCK)
    with people.transaction() as session, pytest.raises(ConflictError) as err:
        revoke_token_as(session, _who(people, "admin2"), row.token_id, clock=CLOCK)
    assert err.value.message == f"token {row.token_id} was already revoked"


def test_a_lock_is_listed_and_lifted(people):
    officer = _who(people, "officer")
    with people.transaction() as session:
        for _ in range(3):
            session.add(
                SignInFailure(account=f"user:{officer.user_id}", address="10.0.0.9", at=CLOCK.now())
            )
    with people.transaction() as session:
        locked = {p.username for p in list_people(session, None, POLICY, CLOCK.now()) if p.locked}
        assert locked == {"officer"}
        assert lift_lock(session, _who(people, "admin"), "officer", clock=CLOCK) == 3
        assert not any(p.locked for p in list_people(session, None, POLICY, CLOCK.now()))


def test_teams_are_unique_and_must_exist(people):
    admin = _who(people, "admin")
    with people.transaction() as session:
        create_team(session, admin, "North", clock=CLOCK)
    with (
        people.transaction() as session,
        pytest.raises(ConflictError, match="team 'North' already exists"),
    ):
        create_team(session, admin, " North ", clock=CLOCK)
    with (
        people.transaction() as session,
        pytest.raises(NotFoundError, match="team 'South' does not exist"),
    ):
        set_team(session, admin, "officer", "South", clock=CLOCK)


@pytest.mark.parametrize("username", ["", "a/b", "<script>", "dewi lestari", "-x", "x" * 81])
def test_a_new_username_must_be_safe_in_an_address(people, username):
    from risk.errors import RequestValidationError

    with people.transaction() as session, pytest.raises(RequestValidationError) as err:
        add_person(session, _who(people, "admin"), username, "officer", clock=CLOCK)
    assert err.value.message == (
        f"username {username[:80]!r} must be 1 to 80 letters, digits, '.', '_' or '-',"
        " starting with a letter or digit"
    )
