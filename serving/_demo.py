"""The demo pipeline behind ``risk demo``: a simulated year of the service's operation.

The demo is :func:`serving.simulation.simulate` with twelve months: a world, a first model
trained on its history (audited, registered, promoted), then a year of applications
scored through the service, reviewed by simulated officers, complained about and rated,
so every oversight chart, the transparency report, the complaints desk and the
officers' history show a year.  The demo's users exist from the service's first day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from risk.settings import Settings

from ._resume import record_clock

__all__ = ["DEMO_MONTHS", "DEMO_OFFICERS", "DEMO_TEAMS", "DEMO_USERS", "DemoResult", "run_demo"]

#: One demo user per role: (username, role).
DEMO_USERS = (
    ("siti", "officer"),
    ("budi", "supervisor"),
    ("ayu", "analyst"),
    ("rahmat", "auditor"),
    ("admin", "admin"),
)
#: The simulated officers: siti (who signs in) and two colleagues.
DEMO_OFFICERS = ("siti", "dewi", "agus")
#: Months of simulated operation the demo shows.
DEMO_MONTHS = 12

Step = Callable[[str, float], None]


@dataclass
class DemoResult:
    """What the demo built and where."""

    world_dir: Path
    bundle_dir: Path
    model_version: str
    registry_version: str | None
    promotion: str
    scored: int
    review: int
    decided: int = 0
    first_month: str = ""
    last_month: str = ""
    simulation_dir: Path | None = None
    ended_at: Any = None
    monitor_dir: Path | None = None
    drift_from: Any = None
    monitor_alerts: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str, str, str]] = field(default_factory=list)


def _users(session: Any, clock: Any) -> list[tuple[str, str, str, str]]:
    import secrets

    from serving.services import create_token, create_user

    out = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)  # 16 characters
        while username.lower() in password.lower():  # the policy refuses those (rarely drawn)
            password = secrets.token_urlsafe(12)
        create_user(session, username, role, clock=clock, password=password, actor="demo")
        token = create_token(session, username, clock=clock, actor="demo")
        out.append((username, role, password, token))
    return out


#: The demo's teams: team -> members (the simulated officers are made here, before the
#: simulation looks them up, so that supervisors see team queues from the first day).
DEMO_TEAMS = {"Soekarno-Hatta": ("siti", "dewi", "budi"), "Ngurah Rai": ("agus",)}


def _teams(session: Any, clock: Any) -> None:
    import sqlalchemy as sa

    from serving.services import create_team, create_user, set_team
    from serving.store import User

    for team, members in DEMO_TEAMS.items():
        create_team(session, None, team, clock=clock)
        for username in members:
            if session.scalar(sa.select(User.user_id).where(User.username == username)) is None:
                create_user(session, username, "officer", clock=clock, actor="demo")
            set_team(session, None, username, team, clock=clock)


def _drift(settings: Settings) -> Any:
    """The demo world's new post, opening three months before the simulated year ends."""
    import datetime as dt

    from risk.synth import DriftScenario

    start = dt.date.fromisoformat(settings.synth.start_date)
    year, month = start.year + settings.synth.years, start.month - 3
    if month <= 0:
        year, month = year - 1, month + 12
    return DriftScenario("new-post", dt.date(year, month, 1))


def _watch(settings: Settings, result: Any, out: Path) -> tuple[Path, list[str]]:
    """Monitor the simulated year as the service would (stored, shown on the pages)."""
    from models import load_bundle
    from models.monitoring import MonitorReport, write_html
    from risk.clock import SimulatedClock
    from serving.services import latest_monitor_run, run_monitoring
    from serving.store import Store

    bounds = result.world.boundaries
    monitor = settings.monitor.model_copy(
        update={"lookback_days": (bounds[-1] - bounds[0]).days, "by": "month"}
    )
    watch = settings.model_copy(update={"monitor": monitor})
    bundle = load_bundle(settings.data_dir / "bundles" / result.first_version)
    store = Store(settings.database_url)
    try:
        done = run_monitoring(
            store, bundle, watch, SimulatedClock(bounds[-1]), trigger="on demand", actor="demo"
        )
        with store.reading() as session:
            run = latest_monitor_run(session)
    finally:
        store.dispose()
    out.mkdir(parents=True, exist_ok=True)
    report = MonitorReport(**run.report)
    (out / "monitor.json").write_text(report.to_json())
    write_html(report, out / "monitor.html")
    return out, [a.message for a in done.alerts]


def _counts(settings: Settings) -> tuple[int, int, int]:
    from serving.store import Case, Score, Store

    store = Store(settings.database_url)
    with store.reading() as session:
        scored, review = session.execute(
            sa.select(sa.func.count(), sa.func.count().filter(Score.outcome == "review"))
        ).one()
        decided = session.scalar(sa.select(sa.func.count()).where(Case.status == "decided"))
    store.dispose()
    return int(scored), int(review), int(decided or 0)


def run_demo(
    settings: Settings, *, applications: int, step: Step, months: int = DEMO_MONTHS
) -> DemoResult:
    """Build everything the demo serves; returns what to print.  Idempotence is not kept:
    use a fresh ``data_dir`` (the command refuses a non-empty store)."""
    from serving.simulation import SimulationConfig, simulate

    credentials: list[tuple[str, str, str, str]] = []

    def add_users(store: Any, clock: Any) -> None:
        with store.transaction() as session:
            credentials.extend(_users(session, clock))
            _teams(session, clock)

    done = [0]

    def say(line: str) -> None:
        done[0] += line.startswith("[")
        step(line[:80], min(done[0] / (months + 1), 1.0))

    config = SimulationConfig(
        applications=applications,
        months=months,
        seed=settings.synth.seed,
        correction="ipw",
        retrain="never",
        officers=DEMO_OFFICERS,
        drift=_drift(settings),
    )
    out = settings.data_dir / "simulation"
    result = simulate(
        settings, config, out, say=say, after_start=add_users,
        names={"intake": "intake", "supervisor": "budi", "analyst": "ayu"},
        why="demo on synthetic data",
    )  # fmt: skip
    registry_version, promotion = result.registry["ipw"]
    step("monitoring the year", 1.0)
    monitor_dir, alerts = _watch(settings, result, out / "monitor")
    scored, review, decided = _counts(settings)
    world = result.world
    record_clock(settings.data_dir, world.boundaries[-1])  # risk serve continues from here
    return DemoResult(
        world_dir=settings.data_dir / "world",
        bundle_dir=settings.data_dir / "bundles" / result.first_version,
        model_version=result.first_version,
        registry_version=registry_version,
        promotion=promotion,
        scored=scored,
        review=review,
        decided=decided,
        first_month=world.month_label(0),
        last_month=world.month_label(months - 1),
        simulation_dir=out,
        ended_at=world.boundaries[-1],
        monitor_dir=monitor_dir,
        drift_from=config.drift.start,
        monitor_alerts=alerts,
        credentials=credentials,
    )
