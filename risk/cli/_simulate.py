"""``risk simulate``: operate the service month by month over a synthetic world."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._app import app, console


class Correction(StrEnum):
    """Labels of the monthly retraining: naive, corrected, or one arm of each."""

    none = "none"
    ipw = "ipw"
    both = "both"


class Retrain(StrEnum):
    """When the analyst retrains."""

    monthly = "monthly"
    never = "never"


@app.command("simulate")
def simulate(
    out: Annotated[Path, typer.Option(help="Empty folder for simulation.json and the report.")],
    applications: Annotated[
        int, typer.Option(help="Size of the synthetic world (over the settings' years).")
    ] = 30_000,
    months: Annotated[int, typer.Option(min=1, help="Months operated (the world's last).")] = 12,
    seed: Annotated[int, typer.Option(help="Seed of the world, the sample and the people.")] = 7,
    correction: Annotated[
        Correction, typer.Option(help="Retraining labels: none (naive), ipw (corrected) or both.")
    ] = Correction.both,
    retrain: Annotated[
        Retrain,
        typer.Option(help="monthly: export, retrain, gate, promote; never: keep the first."),
    ] = Retrain.monthly,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for the world, stores and MLflow (default: OUT/data)."),
    ] = None,
    drift: Annotated[
        str | None,
        typer.Option(help="Drift scenario of the world (see risk synth --drift): 'new-post'."),
    ] = None,
    drift_from: Annotated[
        str | None, typer.Option(help="First day of the drift (default: 90 days before the end).")
    ] = None,
    challenger_months: Annotated[
        int,
        typer.Option(
            min=0,
            help="Train a challenger this many months before the end and score those months"
            " in shadow, then compare it with the champion (needs --retrain never).",
        ),
    ] = 0,
    shadow_blind_rate: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=0.99,
            help="Blind-sample rate the supervisor sets for the shadow months (reviewers"
            " staffed to match; default: the setting's).",
        ),
    ] = None,
) -> None:
    """Operate the service over a synthetic world, month by month, and measure it against
    the world's truth: the feedback loop of naive retraining, and the blind-sample
    estimates' honesty."""
    from risk.settings import get_settings
    from serving.simulation import (
        SIMULATION_FILE,
        SimulationConfig,
        coverage,
        refuse_non_empty,
        simulate,
    )

    data = data_dir or out / "data"
    refuse_non_empty(out, data)
    settings = get_settings().with_overrides(data_dir=data)
    config = SimulationConfig(
        applications=applications,
        months=months,
        seed=seed,
        correction=correction.value,
        retrain=retrain.value,
        drift=_drift(drift, drift_from, settings),
        challenger_months=challenger_months,
        shadow_blind_rate=shadow_blind_rate,
    )
    # lines start with the arm in brackets: printed as text, not as rich markup
    say = lambda line: console.print(line, highlight=False, markup=False)  # noqa: E731
    result = simulate(settings, config, out, say=say)
    for arm, c in coverage(result.document).items():
        say(
            f"[{arm}] 95% intervals covering the truth: prevalence"
            f" {c['prevalence_covered']}/{c['prevalence_months']},"
            f" recall {c['recall_covered']}/{c['recall_months']}"
        )
    for arm, body in result.document["arms"].items():
        if "comparison" in body:
            _say_comparison(say, arm, body["comparison"])
    console.print(f"wrote {out / SIMULATION_FILE} and {out / 'simulation.html'}", highlight=False)


def _say_comparison(say, arm: str, report: dict) -> None:
    """Each check of the shadow months' comparison in words, and the verdict."""
    for check in report["checks"]:
        say(f"[{arm}] {check['verdict']}: {check['text']}")
    say(f"[{arm}] comparison verdict: {report['verdict']}")


def _drift(name: str | None, day: str | None, settings):
    """The world's drift scenario, read as ``risk synth`` reads it."""
    from ._synth import _scenario

    return _scenario(name, day, 0.35, settings.synth.start_date, settings.synth.years)
