"""One arm: its store filled with the history, its staff, its months, its figures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from risk.clock import SimulatedClock
from risk.settings import Settings

from ._analyst import register_and_promote
from ._figures import estimated_months, month_row, true_months
from ._operation import Operation, Staff, monthly_volume, officers_needed
from ._world import SimWorld

__all__ = ["run_arm"]

Say = Callable[[str], None]
#: The simulation's people beside the officers: function -> role (usernames default to it).
FUNCTIONS = {"intake": "officer", "supervisor": "supervisor", "analyst": "analyst"}


def _principal(session: Any, clock: Any, username: str, role: str) -> Any:
    from serving.services import Principal, create_user
    from serving.store import User

    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = create_user(session, username, role, clock=clock, actor="simulation")
    return Principal(user.user_id, user.username, user.role)


def _staff(session: Any, clock: Any, officers: tuple[str, ...], names: dict[str, str]) -> Staff:
    who = {f: _principal(session, clock, names[f], role) for f, role in FUNCTIONS.items()}
    return Staff(
        intake=who["intake"],
        officers=[_principal(session, clock, o, "officer") for o in officers],
        supervisor=who["supervisor"],
    )


def _open_cases(store: Any) -> int:
    from serving.store import Case

    with store.reading() as session:
        return int(session.scalar(sa.select(sa.func.count()).where(Case.status != "decided")))


def run_arm(
    arm: str,
    settings: Settings,
    config: Any,
    world: SimWorld,
    first: Any,
    bundle_dir: Path,
    say: Say,
    *,
    why: str = "synthetic data",
    after_start: Callable[[Any, Any], None] | None = None,
    names: dict[str, str] | None = None,
    evidence: Any = None,
) -> tuple[list[dict[str, Any]], tuple[str | None, str], dict[str, Any]]:
    """Operate one arm for ``config.months`` months (``evidence``: the first model's
    fairness evidence, when another arm already computed it).

    With ``config.challenger_months``, a challenger is trained at the end of month
    ``months - challenger_months`` and scores the months left in shadow
    (:mod:`serving.simulation._challenger`).

    Returns
    -------
    rows, registration, shadow
        The arm's month rows, the first model's ``(registry version, what happened)`` and
        the shadow run with its comparison (``{}`` without a challenger).
    """
    from models import load_bundle
    from serving.services import load_raw_tables
    from serving.store import Store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database_url)
    store.upgrade()
    clock = SimulatedClock(world.start)
    n_officers, per_day = officers_needed(monthly_volume(world), settings)
    officers = config.officers or tuple(f"officer-{k + 1:02d}" for k in range(n_officers))
    names = {f: f for f in FUNCTIONS} | (names or {})
    with store.transaction() as session:
        load_raw_tables(session, world.tables, clock=clock, before=world.start, actor="simulation")
    if after_start is not None:
        after_start(store, clock)
    with store.transaction() as session:
        staff = _staff(session, clock, tuple(officers), names)
    registration = register_and_promote(
        settings, first, world.history_dir, store=store, clock=clock,
        by=names["analyst"], approver=names["supervisor"], why=why, evidence=evidence,
    )  # fmt: skip
    say(f"[{arm}] {registration.text}; {len(officers)} officers decide {per_day} cases a day")
    operation = Operation(
        store, load_bundle(bundle_dir), settings, clock, world, staff, config.seed, per_day,
        config.rates,
    )  # fmt: skip
    shadow_from = config.months - config.challenger_months if config.challenger_months else None
    run = None
    for i in range(config.months):
        if i == shadow_from:
            run = _shadow(arm, settings, operation, names, config, say)
        counts = operation.run_month(i)
        say(
            f"[{arm}] {world.month_label(i)}: {counts.get('score', 0)} scored,"
            f" {counts.get('decide', 0)} decided, {counts.get('overstay', 0)} overstays"
            f" confirmed later, {counts.get('complain', 0)} complaints,"
            f" {counts.get('rate', 0)} ratings, {_open_cases(store)} cases open;"
            f" model {operation.bundle.version}"
        )
        if config.retrain == "monthly" and i < config.months - 1:
            _retrain(arm, settings, operation, names, say)
    shadow: dict[str, Any] = {}
    if run is not None:
        from ._challenger import compare_shadow

        shadow = compare_shadow(settings, operation, run, operation.bundle, registration.version)
        say(f"[{arm}] comparison over the shadow months: {shadow['comparison']['verdict']}")
    with store.reading() as session:
        estimates = estimated_months(session, world)
        rows = [month_row(r, estimates.get(r["month"])) for r in true_months(session, world)]
    store.dispose()
    return rows, (registration.version, registration.text), shadow


def _shadow(
    arm: str, settings: Settings, op: Operation, names: dict[str, str], config: Any, say: Say
) -> Any:
    from ._challenger import start_shadow

    month = config.months - config.challenger_months
    run, text = start_shadow(arm, settings, op, names, month, config.shadow_blind_rate)
    say(f"[{arm}] analyst at {op.clock.now():%Y-%m-%d}: {text}")
    return run


def _retrain(arm: str, settings: Settings, op: Operation, names: dict[str, str], say: Say) -> None:
    from models import load_bundle

    from ._analyst import retrain

    bundle_dir, text = retrain(arm, settings, op.store, op.clock, op.world, names)
    say(f"[{arm}] analyst at {op.clock.now():%Y-%m-%d}: {text}")
    if bundle_dir is not None:
        op.bundle = load_bundle(bundle_dir)
