"""The analyst's steps: register and promote a model, and the monthly retraining.

Promotion goes through the registry's gate; where the gate refuses, the analyst requests a
waiver and the supervisor approves it in the store, as the service's rules require (the
simulation must keep operating, and the waiver says so on the record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from risk.settings import Settings
from risk.text import listing

__all__ = [
    "LABELS",
    "Registration",
    "Trained",
    "export_and_train",
    "register_and_promote",
    "retrain",
]


@dataclass(frozen=True)
class Registration:
    """What became of a trained model: its registry version, whether it serves, and why."""

    version: str | None
    promoted: bool
    text: str


def register_and_promote(
    settings: Settings,
    result: Any,
    data_dir: Path,
    *,
    store: Any,
    clock: Any,
    by: str,
    approver: str,
    why: str = "synthetic data",
    waive: tuple[str, ...] | None = None,
    report: bool = True,
    light: bool = False,
    evidence: Any = None,
) -> Registration:
    """Audit, log and promote ``result``.

    A refused gate gets a waiver requested by ``by`` and approved in the store by
    ``approver`` (a supervisor, a second person), both recorded.  The version is ``None``
    when the registry or the fairness report is unavailable (the bundle is then served
    directly); the text says why.  ``waive`` limits the checks a waiver is asked for
    (default: any); ``report`` writes the run's HTML report.  ``light`` leaves out what
    does not decide the promotion (the fairness proxy test, the explanation plots): a
    monthly retraining spent most of its time there.  ``evidence``: the fairness evidence
    of ``result`` when already computed (two arms register the same first model).
    """
    try:
        from experiments import log_training_run, promote, request_waiver, training_fairness_report
    except ImportError:
        return Registration(
            None, True, "registry unavailable (experiments package missing); serving the bundle"
        )
    from risk.errors import PromotionRefusedError

    try:
        if evidence is None:
            evidence = training_fairness_report(result, settings, proxy=not light)
    except Exception as exc:
        return Registration(
            None,
            True,
            f"fairness report failed ({type(exc).__name__}: {exc}); the model was"
            " NOT registered; serving the bundle directly",
        )
    run = log_training_run(
        result,
        settings=settings,
        data_dir=data_dir,
        trained_by=by,
        fairness=evidence,
        report=report,
        plots=not light,
    )
    try:
        promote(run.version, by=by, settings=settings)
        return Registration(
            str(run.version), True, f"version {run.version} passed the gate and is champion"
        )
    except PromotionRefusedError as exc:
        failed = [c["check"] for c in exc.checks if c.get("gated", True) and not c["passed"]]
        if waive is not None and not set(failed) <= set(waive):
            return Registration(
                str(run.version),
                False,
                f"version {run.version} failed {listing(failed)}; left as challenger,"
                " the champion serves",
            )
        reason = (
            f"{why.capitalize()}: gate checks {listing(failed)} waived to keep the service running"
        )
        request_waiver(run.version, by=by, settings=settings, reason=reason)
        _approve(store, clock, settings, str(run.version), approver)
        return Registration(
            str(run.version),
            True,
            f"version {run.version} failed {listing(failed)}; promoted under a waiver requested by"
            f" {by} (analyst) and approved by {approver} (supervisor, a second person)",
        )


def _approve(store: Any, clock: Any, settings: Settings, version: str, approver: str) -> None:
    import sqlalchemy as sa

    from serving.services import Principal, approve_model_waiver
    from serving.store import User

    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == approver))
        who = Principal(user.user_id, user.username, user.role)
        approve_model_waiver(session, who, version, settings, clock=clock, via="simulation")


#: Training labels of each arm's retraining (``risk train --labels``).
LABELS = {"none": "naive", "ipw": "reviewed-ipw"}


@dataclass(frozen=True)
class Trained:
    """A model the analyst trained on an export of the store (``result`` ``None``: not
    trained, ``text`` says why)."""

    result: Any
    bundle_dir: Path | None
    export: Path
    text: str


def export_and_train(
    arm: str, settings: Settings, store: Any, clock: Any, world: Any, names: dict[str, str]
) -> Trained:
    """The analyst exports the store up to yesterday and trains on it with the arm's labels.

    The export is cut at the clock's day before (the month's last day); the world's truth
    beside it serves the model card's evaluation only (training never reads it).

    Returns
    -------
    Trained
        Without a result when the arm's labels cannot train yet (the text says why).
    """
    import polars as pl
    import sqlalchemy as sa

    from models import train_world
    from risk.errors import ConfigError, DataContractError
    from risk.io import write_table
    from serving.services import Principal, export_store
    from serving.store import User

    until = clock.now() - dt.timedelta(days=1)
    out = settings.data_dir / "exports" / f"{until:%Y-%m-%d}"
    with store.transaction() as session:
        user = session.scalar(sa.select(User).where(User.username == names["analyst"]))
        analyst = Principal(user.user_id, user.username, user.role)
        export_store(session, analyst, until.date(), out, clock=clock)
    ids = pl.scan_parquet(out / "applications.parquet").select("application_id")
    write_table(world.truth.lazy().join(ids, on="application_id").drop("nationality").collect(),
                out / "truth.parquet")  # fmt: skip
    model = settings.model.model_copy(update={"label_cutoff": clock.now().isoformat()})
    try:
        result = train_world(
            out, settings=settings.model_copy(update={"model": model}), labels=LABELS[arm]
        )
    except (ConfigError, DataContractError) as exc:
        # reviewed-ipw needs reviewed cases in every part of the time split; until there
        # are enough, the analyst cannot retrain
        return Trained(None, None, out, f"{LABELS[arm]} labels: not retrained ({exc.message})")
    version = str(result.bundle.version)
    bundle_dir = Path(result.bundle.save(settings.data_dir / "bundles" / version))
    return Trained(result, bundle_dir, out, f"{LABELS[arm]} labels, model {version}")


def retrain(
    arm: str,
    settings: Settings,
    store: Any,
    clock: Any,
    world: Any,
    names: dict[str, str],
) -> tuple[Path | None, str]:
    """The analyst's month end: export the store, retrain with the arm's labels, gate, promote.

    A model refused for fairness alone is promoted under a recorded waiver; one refused
    for quality is left as a challenger and the champion keeps serving.

    Returns
    -------
    bundle_dir, text
        The promoted model's bundle (``None`` if the champion stays) and what happened.
    """
    trained = export_and_train(arm, settings, store, clock, world, names)
    if trained.result is None:
        return None, f"{trained.text}; the champion serves"
    registration = register_and_promote(
        settings, trained.result, trained.export, store=store, clock=clock,
        by=names["analyst"], approver=names["supervisor"], waive=("fairness",), report=False,
        light=True,
    )  # fmt: skip
    text = f"{trained.text}: {registration.text}"
    return (trained.bundle_dir if registration.promoted else None), text
