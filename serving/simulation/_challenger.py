"""A challenger in shadow for the simulation's last months, and its comparison at the end.

At the end of month ``months - challenger_months`` the analyst exports the store and
trains a challenger on it with the arm's labels; it is registered (the registry makes
a new version the ``challenger``) but not promoted.  The supervisor switches shadow
scoring on through the service, with a written reason (audited), and may raise the
blind-sample rate for the evaluation, again through the service with a reason; the
reviewers are then staffed for the larger review load.  From then on every live score
is handed to the service's own shadow scorer, which writes ``shadow_scores``.  At the
end the two models are compared over the shadow months (:func:`serving.services.compare_store`,
the decisions recorded by the simulation's end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from risk.settings import Settings

from ._analyst import export_and_train

__all__ = ["ShadowRun", "compare_shadow", "start_shadow"]


@dataclass
class ShadowRun:
    """The challenger in shadow: who it is, from when, and the scorer scoring with it."""

    scorer: Any
    challenger: Any
    version: str | None
    name: str
    first_month: int
    blind_rate: float
    officers: int
    per_day: int


def _register(settings: Settings, trained: Any, by: str) -> str | None:
    """Log and register the challenger (the registry's ``challenger`` alias); not promoted."""
    try:
        from experiments import log_training_run, training_fairness_report
    except ImportError:
        return None
    evidence = training_fairness_report(trained.result, settings, proxy=False)
    run = log_training_run(
        trained.result, settings=settings, data_dir=trained.export, trained_by=by,
        fairness=evidence, report=False, plots=False,
    )  # fmt: skip
    return str(run.version)


def _supervise(op: Any, version: str, name: str, blind_rate: float | None) -> None:
    """The supervisor's switches, through the service functions the API uses."""
    from serving.services import set_runtime, switch_shadow

    who = op.staff.supervisor
    with op.store.transaction() as session:
        switch_shadow(
            session, who, True,
            f"Challenger {name} scores live applications in shadow before any promotion"
            " decision; officers never see its scores.",
            clock=op.clock,
        )  # fmt: skip
        if blind_rate is not None:
            set_runtime(
                session, who, "blind_sample_rate", blind_rate, clock=op.clock,
                reason=f"A larger blind sample while challenger {name} is evaluated in"
                " shadow, so that the comparison with the champion rests on enough reviews"
                " of unflagged applications; reviewers added for the extra load.",
            )  # fmt: skip


def _staff_for(op: Any, settings: Settings, blind_rate: float) -> None:
    """Reviewers for the review load at ``blind_rate`` (never fewer than before)."""
    from ._arm import _principal
    from ._operation import monthly_volume, officers_needed

    review = settings.review.model_copy(update={"blind_sample_rate": blind_rate})
    n, per_day = officers_needed(
        monthly_volume(op.world), settings.model_copy(update={"review": review})
    )
    officers = op.staff.officers
    with op.store.transaction() as session:
        for k in range(len(officers), n):
            officers.append(_principal(session, op.clock, f"officer-{k + 1:02d}", "officer"))
    op.per_day = max(op.per_day, per_day)


def start_shadow(
    arm: str,
    settings: Settings,
    op: Any,
    names: dict[str, str],
    month: int,
    blind_rate: float | None,
) -> tuple[ShadowRun | None, str]:
    """Train and register a challenger now and put it in shadow for the months left.

    Returns
    -------
    run, text
        The shadow run (``None`` when no challenger could be trained) and what happened.
    """
    from models import load_bundle, model_name
    from serving.services import ShadowScorer

    trained = export_and_train(arm, settings, op.store, op.clock, op.world, names)
    if trained.result is None:
        return None, f"{trained.text}; no challenger in shadow"
    version = _register(settings, trained, names["analyst"])
    challenger = load_bundle(trained.bundle_dir)
    name = model_name(challenger.fingerprint, version)
    _supervise(op, version or name, name, blind_rate)
    rate = settings.review.blind_sample_rate if blind_rate is None else blind_rate
    if blind_rate is not None:
        _staff_for(op, settings, blind_rate)
    scorer = ShadowScorer(settings.serving.shadow_queue)
    scorer.set_challenger(challenger, name)
    scorer.start()
    op.shadow = scorer
    run = ShadowRun(
        scorer, challenger, version, name, month, rate, len(op.staff.officers), op.per_day
    )
    text = (
        f"{trained.text}: challenger {name} in shadow from {op.clock.now():%Y-%m-%d},"
        f" blind-sample rate {rate:g}, {run.officers} officers decide {op.per_day} cases a day"
    )
    return run, text


def compare_shadow(
    settings: Settings, op: Any, run: ShadowRun, champion: Any, first: str | None
) -> dict[str, Any]:
    """Stop the shadow scorer and compare champion and challenger over the shadow months.

    Returns
    -------
    dict
        ``{"shadow": what the scorer did and the policy in force, "comparison":
        compare.json's content}``.
    """
    from models import model_name
    from serving.services import compare_store

    run.scorer.drain()
    run.scorer.stop()
    op.shadow = None
    status = run.scorer.status()
    world = op.world
    start = world.boundaries[run.first_month].date()
    end = (world.boundaries[-1] - dt.timedelta(days=1)).date()
    names = (model_name(champion.fingerprint, first), run.name)
    with op.store.reading() as session:
        report = compare_store(
            session, champion, run.challenger, start, end, names=names, settings=settings,
            clock=op.clock,
        )  # fmt: skip
    shadow = {
        "champion": names[0],
        "champion_version": first,
        "challenger": run.name,
        "challenger_version": run.version,
        "challenger_bundle": str(run.challenger.version),
        "from": start.isoformat(),
        "to": end.isoformat(),
        "blind_rate": run.blind_rate,
        "officers": run.officers,
        "cases_per_day": run.per_day,
        "scored": status.scored,
        "failed": status.failed,
        "dropped": status.dropped,
    }
    return {"shadow": shadow, "comparison": report}
