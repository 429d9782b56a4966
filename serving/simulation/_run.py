"""``risk simulate``: a world, a first model, then the service operated month by month."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from risk.errors import ConfigError
from risk.settings import Settings
from risk.synth import DriftScenario

from ._people import PeopleRates
from ._world import SimWorld, split_world

__all__ = ["SIMULATION_FILE", "SimulationConfig", "SimulationResult", "simulate"]

SIMULATION_FILE = "simulation.json"
Say = Callable[[str], None]
ARMS = {"none": ("none",), "ipw": ("ipw",), "both": ("none", "ipw")}


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate.

    Attributes
    ----------
    applications, seed
        The synthetic world's size (over ``settings.synth.years``) and seed.
    months
        Calendar months operated: the world's last ones; earlier ones are history.
    correction
        Training labels of the analyst's retraining: ``none`` (naive: reviewed and
        confirmed is 1, everything else 0), ``ipw`` (reviewed cases weighted by the
        inverse of their review propensity) or ``both`` (two arms from the same world
        and the same first model, each with its own store and registry).
    retrain
        ``monthly``: at each month's end the analyst exports the store, retrains, runs the
        promotion gate and promotes; ``never``: the first model serves throughout.
    officers
        Usernames of the simulated officers (created if missing); default: as many
        ``officer-NN`` as the expected review load needs.
    rates
        The simulated people's rates (detection, complaints, ratings).
    drift
        A drift scenario for the world (:class:`risk.synth.DriftScenario`, e.g. a new
        post from a given month), so the monitor has something to catch; default none.
    challenger_months
        With ``retrain="never"``: at the end of month ``months - challenger_months`` the
        analyst trains a challenger on the store's export, it scores the last
        ``challenger_months`` months in shadow, and the two models are compared over
        them at the end (0: no challenger).
    shadow_blind_rate
        The blind-sample rate the supervisor sets for the shadow months (recorded with
        its reason; reviewers are staffed for the load); ``None`` keeps the setting's.
    """

    applications: int = 30_000
    months: int = 12
    seed: int = 7
    correction: Literal["none", "ipw", "both"] = "both"
    retrain: Literal["monthly", "never"] = "monthly"
    officers: tuple[str, ...] | None = None
    rates: PeopleRates = field(default_factory=PeopleRates)
    drift: DriftScenario | None = None
    challenger_months: int = 0
    shadow_blind_rate: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.challenger_months < self.months:
            raise ConfigError(
                f"simulate: challenger months must be from 0 to {self.months - 1} (the"
                f" challenger is trained on at least one operated month), not"
                f" {self.challenger_months}"
            )
        if self.challenger_months and self.retrain != "never":
            raise ConfigError(
                "simulate: a challenger in shadow needs retrain 'never' (a monthly"
                " retraining promotes a new model every month)"
            )
        if self.shadow_blind_rate is not None and not self.challenger_months:
            raise ConfigError("simulate: a shadow blind-sample rate needs challenger months")


@dataclass
class SimulationResult:
    """What a simulation wrote and found."""

    document: dict[str, Any]
    world: SimWorld
    first_version: str
    registry: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    arm_settings: dict[str, Settings] = field(default_factory=dict)


def _arm_settings(settings: Settings, arms: tuple[str, ...]) -> dict[str, Settings]:
    if len(arms) == 1:
        return {arms[0]: settings}
    if settings.serving.database_url:
        raise ConfigError(
            "simulate: --correction both needs one store per arm; unset"
            " RISK_SERVING__DATABASE_URL so each arm gets its own SQLite store"
        )
    return {
        arm: settings.model_copy(update={"data_dir": settings.data_dir / "arms" / arm})
        for arm in arms
    }


def _first_model(settings: Settings, world: SimWorld, say: Say) -> tuple[Any, Path]:
    from models import train_world

    model = settings.model.model_copy(update={"label_cutoff": world.start.isoformat()})
    result = train_world(
        world.history_dir, settings=settings.model_copy(update={"model": model}),
        progress=lambda stage, f: None,
    )  # fmt: skip
    version = str(result.bundle.version)
    bundle_dir = Path(result.bundle.save(settings.data_dir / "bundles" / version))
    say(f"first model {version}: trained on {world.history_dir.name} before {world.start:%Y-%m-%d}")
    return result, bundle_dir


def simulate(
    settings: Settings,
    config: SimulationConfig,
    out_dir: Path,
    *,
    say: Say = print,
    why: str = "simulation on synthetic data",
    after_start: Callable[[Any, Any], None] | None = None,
    names: dict[str, str] | None = None,
) -> SimulationResult:
    """Synthesise a world, train the first model, operate each arm, write the figures.

    Parameters
    ----------
    settings
        ``data_dir`` receives the world, the bundles, each arm's store and registry.
    out_dir
        Receives ``simulation.json`` and ``simulation.html``.
    say
        Progress: one line per step and per simulated month.
    why
        Why a model refused by the promotion gate is promoted under a waiver anyway (the
        waiver's recorded reason).
    after_start
        Called with each arm's store and clock once the history is loaded (the demo
        adds its users there).
    names
        Usernames of the ``intake``, ``supervisor`` and ``analyst`` the simulation acts as
        (created if missing; default: those words).
    """
    from risk.synth import synthesize

    from ._arm import run_arm
    from ._report import write_report

    arms = ARMS[config.correction]
    per_arm = _arm_settings(settings, arms)
    world_dir = settings.data_dir / "world"
    say(f"synthesising a world of {config.applications} applications (seed {config.seed})")
    synthesize(
        config.applications, config.seed, world_dir,
        start=settings.synth.start_date, years=settings.synth.years, drift=config.drift,
    )  # fmt: skip
    world = split_world(world_dir, config.months, settings.data_dir / "history")
    first, bundle_dir = _first_model(settings, world, say)
    result = SimulationResult({}, world, str(first.bundle.version), arm_settings=per_arm)
    arms_out: dict[str, dict[str, Any]] = {}
    evidence = _audit_once(settings, first) if len(per_arm) > 1 else None
    out_dir.mkdir(parents=True, exist_ok=True)
    for arm, arm_settings in per_arm.items():
        rows, result.registry[arm], shadow = run_arm(
            arm, arm_settings, config, world, first, bundle_dir, say,
            why=why, after_start=after_start, names=names, evidence=evidence,
        )  # fmt: skip
        arms_out[arm] = {"months": rows, **shadow}
        if shadow:
            _write_comparison(arm_settings, shadow, out_dir / f"compare-{arm}", say)
    result.document = {
        "seed": config.seed,
        "months": config.months,
        "capacity": settings.review.capacity,
        "blind_rate": settings.review.blind_sample_rate,
        "arms": arms_out,
    }
    (out_dir / SIMULATION_FILE).write_text(json.dumps(result.document, indent=2) + "\n")
    write_report(result.document, out_dir / "simulation.html")
    return result


def _write_comparison(settings: Settings, shadow: dict[str, Any], folder: Path, say: Say) -> None:
    """``compare.json`` and ``compare.html``, logged on the challenger's run when registered
    (so the promotion gate reads the evidence, as after ``risk compare``)."""
    from models import write_compare_html

    report = shadow["comparison"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "compare.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    write_compare_html(report, folder / "compare.html")
    champion = shadow["shadow"]["champion_version"]
    challenger = shadow["shadow"]["challenger_version"]
    if champion is not None and challenger is not None:
        from experiments import log_comparison

        log_comparison(report, folder, champion=champion, challenger=challenger, settings=settings)
    say(f"wrote {folder / 'compare.json'} and {folder / 'compare.html'}")


def _audit_once(settings: Settings, first: Any) -> Any:
    """The first model's fairness evidence, computed once for every arm (``None``: each
    arm computes it and reports why it could not)."""
    try:
        from experiments import training_fairness_report

        return training_fairness_report(first, settings)
    except Exception:
        return None


def refuse_non_empty(*folders: Path) -> None:
    """Refuse to simulate into a folder that already holds something."""
    for folder in folders:
        if folder.exists() and any(folder.iterdir()):
            raise ConfigError(
                f"{folder.resolve()} is not empty; simulate writes a new world, store and"
                " figures: point it at an empty folder"
            )
