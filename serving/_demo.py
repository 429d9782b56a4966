"""The demo pipeline behind ``risk demo``: world, model, registry, store, users, scores.

Every step uses the project's own code: :mod:`risk.synth`, :func:`models.train_world`,
:mod:`experiments` (fairness audit, run, promotion), and the service's store and scoring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from risk.clock import Clock, WallClock
from risk.settings import Settings

__all__ = ["DEMO_USERS", "DemoResult", "run_demo"]

#: One demo user per role: (username, role).
DEMO_USERS = (
    ("siti", "officer"),
    ("budi", "supervisor"),
    ("ayu", "analyst"),
    ("rahmat", "auditor"),
    ("admin", "admin"),
)

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
    credentials: list[tuple[str, str, str, str]] = field(default_factory=list)


def _train(settings: Settings, world: Path, step: Step) -> tuple[Any, Path]:
    from models import train_world

    result = train_world(
        world, settings=settings, progress=lambda stage, f: step(f"train: {stage}", f)
    )
    bundle_dir = result.bundle.save(settings.data_dir / "bundles" / str(result.bundle.version))
    return result, Path(bundle_dir)


def _register(settings: Settings, result: Any, world: Path, step: Step) -> tuple[str | None, str]:
    """Audit, log and promote; a refused gate gets a waiver request (approved in :func:`_waive`)."""
    try:
        from experiments import audit_training_result, log_training_run, promote, request_waiver
    except ImportError:
        return None, "registry unavailable (experiments package missing); serving the bundle"
    from risk.errors import PromotionRefusedError

    step("fairness audit", 0.0)
    try:
        evidence = audit_training_result(result, settings)
    except Exception as exc:
        return None, (
            f"fairness audit failed ({type(exc).__name__}: {exc}); the model was"
            " NOT registered; serving the bundle directly"
        )
    step("registering the model", 0.5)
    run = log_training_run(
        result, settings=settings, data_dir=world, trained_by="ayu", audit=evidence
    )
    try:
        promote(run.version, by="ayu", settings=settings)
        return str(run.version), f"version {run.version} passed the gate and is champion"
    except PromotionRefusedError as exc:
        failed = [c["check"] for c in exc.checks if c.get("gated", True) and not c["passed"]]
        request_waiver(
            run.version,
            by="ayu",
            settings=settings,
            reason=f"Demo on synthetic data: gate checks {failed} waived to show the service",
        )
        return str(run.version), (
            f"version {run.version} failed {failed}; promoted under a waiver requested by"
            " ayu (analyst) and approved by budi (supervisor, a second person)"
        )


def _waive(session: Any, settings: Settings, version: str, clock: Clock) -> None:
    """Approve the demo's open waiver request as the demo supervisor."""
    from serving.services import Principal, approve_model_waiver
    from serving.store import User

    budi = session.query(User).filter(User.username == "budi").one()
    who = Principal(budi.user_id, budi.username, budi.role)
    approve_model_waiver(session, who, version, settings, clock=clock, via="demo")


def _users(session: Any, clock: Clock) -> list[tuple[str, str, str, str]]:
    import secrets

    from serving.services import create_token, create_user

    out = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        create_user(session, username, role, clock=clock, password=password, actor="demo")
        token = create_token(session, username, clock=clock, actor="demo")
        out.append((username, role, password, token))
    return out


def _score_month(
    store: Any,
    bundle: Any,
    settings: Settings,
    tables: Any,
    since: dt.datetime,
    step: Step,
    clock: Clock,
) -> tuple[int, int]:
    import random

    from serving.services import Principal, score_application
    from serving.store import User

    new = tables.applications.filter(pl.col("submitted_at") >= since).sort("submitted_at")
    apps = new.collect().to_dicts()
    docs = tables.documents.join(
        new.select("application_id"), on="application_id", how="semi"
    ).collect()
    by_app: dict[str, list[dict]] = {}
    for d in docs.to_dicts():
        by_app.setdefault(d["application_id"], []).append(d)
    rng, review = random.Random(settings.synth.seed), 0
    with store.transaction() as session:
        intake = session.query(User).filter(User.username == "siti").one()
        who = Principal(intake.user_id, intake.username, intake.role)
    for i, app in enumerate(apps):
        with store.transaction() as session:
            docs_of = by_app.get(app["application_id"], [])
            out = score_application(
                session, bundle, settings, who, app, docs_of, clock=clock, rng=rng
            )
        review += out.score.outcome == "review"
        if i % 25 == 0:
            step(f"scoring the latest month ({i}/{len(apps)})", i / max(len(apps), 1))
    return len(apps), review


def run_demo(settings: Settings, *, applications: int, step: Step) -> DemoResult:
    """Build everything the demo serves; returns what to print.  Idempotence is not kept:
    use a fresh ``data_dir`` (the command refuses a non-empty store)."""
    from models import load_bundle
    from risk.io import load_tables
    from risk.synth import synthesize
    from serving.services import load_raw_tables
    from serving.store import Store

    world = settings.data_dir / "world"
    step("synthesising the world", 0.0)
    synthesize(
        applications,
        settings.synth.seed,
        world,
        start=settings.synth.start_date,
        years=settings.synth.years,
        progress=lambda name: step(f"synth: {name}", 0.5),
    )
    result, bundle_dir = _train(settings, world, step)
    registry_version, promotion = _register(settings, result, world, step)
    tables = load_tables(world)
    latest = tables.applications.select(pl.col("submitted_at").max()).collect().item()
    since = latest - dt.timedelta(days=30)
    store = Store(settings.database_url)
    store.upgrade()
    clock = WallClock()  # the served app's clock: its pages measure waiting against it
    step("loading the history into the store", 0.0)
    with store.transaction() as session:
        load_raw_tables(session, tables, clock=clock, before=since, actor="demo")
        credentials = _users(session, clock)
        if registry_version is not None and "waiver" in promotion:
            _waive(session, settings, registry_version, clock)
    bundle = load_bundle(bundle_dir)
    scored, review = _score_month(store, bundle, settings, tables, since, step, clock)
    store.dispose()
    return DemoResult(
        world_dir=world,
        bundle_dir=bundle_dir,
        model_version=str(bundle.version),
        registry_version=registry_version,
        promotion=promotion,
        scored=scored,
        review=review,
        credentials=credentials,
    )
