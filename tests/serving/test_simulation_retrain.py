"""`risk simulate --retrain monthly`: both arms retrain each month end, and the ipw arm can.

A tiny world operated for three months, both arms.  The test world is made to review
and confirm enough for a reviewed-ipw model to be measured at the gate (a wider
capacity, a blind sample of half the rest, officers who detect every violation and
wrongly confirm one in five other cases), and the gate's PR AUC margin is wide: what
is tested is the loop (export, labels, split, register, promote, serve), not whether a
model this small is better.  With seed 11 the ipw arm's first retrain (one month of reviews)
is refused as unable to rank, which is the right answer but leaves nothing to check here;
seed 12's is not (tests/models cover the refusal itself).
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from risk.settings import Settings
from serving.simulation import PeopleRates, SimulationConfig, simulate
from serving.simulation._people import DETECTION

# One worker runs the module, so its simulated year is built once, not on each worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation_retrain")]

RATES = PeopleRates(
    detection=tuple(sorted((k, 1.0) for k in DETECTION)), false_finding=0.2, unsure=0.0
)
CONFIG = SimulationConfig(
    applications=3000, months=3, seed=12, correction="both", retrain="monthly", rates=RATES
)
MONTH_ENDS = ("2024-10-31", "2024-11-30")


def _settings(base) -> Settings:
    s = Settings(data_dir=base / "data")
    return s.model_copy(
        update={
            "model": s.model.model_copy(update={"num_threads": 1, "max_rounds": 60}),
            "fairness": s.fairness.model_copy(update={"bootstrap": 10}),
            "synth": s.synth.model_copy(update={"years": 2}),
            "review": s.review.model_copy(update={"capacity": 0.2, "blind_sample_rate": 0.5}),
            "mlflow": s.mlflow.model_copy(update={"quality_margin": 1.0}),
        }
    )


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    base = tmp_path_factory.mktemp("retrain")
    settings = _settings(base)
    lines: list[str] = []
    result = simulate(settings, CONFIG, base / "out", say=lines.append)
    return settings, result, lines


def _versions(result, arm: str) -> list[str]:
    return [m["model_version"] for m in result.document["arms"][arm]["months"]]


def _bundle(result, arm: str, version: str) -> dict:
    path = result.arm_settings[arm].data_dir / "bundles" / version / "bundle.json"
    return json.loads(path.read_text())


def _analyst_lines(lines: list[str], arm: str) -> list[str]:
    return [line for line in lines if line.startswith(f"[{arm}] analyst at ")]


@pytest.mark.parametrize("arm", ["none", "ipw"])
def test_each_month_end_retrains_and_the_promoted_model_serves_the_next_month(sim, arm):
    _, result, lines = sim
    analyst = _analyst_lines(lines, arm)
    assert [line.split()[3].rstrip(":") for line in analyst] == ["2024-11-01", "2024-12-01"]
    trained = [line.split(" model ")[1].split(":")[0] for line in analyst]
    versions = _versions(result, arm)
    # the first model serves October; each retrained model serves the month after it
    assert versions == [result.first_version, *trained], analyst
    assert len(set(versions)) == 3
    assert all("is champion" in line or "promoted under a waiver" in line for line in analyst)


@pytest.mark.parametrize("arm", ["none", "ipw"])
def test_the_registry_promoted_each_retrained_version(sim, arm):
    from experiments import promotion_history

    _, result, _ = sim
    promoted = [
        r["version"]
        for r in promotion_history(result.arm_settings[arm])
        if r["result"] == "promoted"
    ]
    assert promoted == ["1", "2", "3"]


def test_the_naive_arm_says_naive(sim):
    _, result, _ = sim
    for version in _versions(result, "none")[1:]:
        bundle = _bundle(result, "none", version)
        assert bundle["labels"] == {"policy": "naive", "weights": None}


def test_the_ipw_arm_says_reviewed_ipw_with_the_export_s_weights(sim):
    _, result, _ = sim
    arm = result.arm_settings["ipw"]
    for version, day in zip(_versions(result, "ipw")[1:], MONTH_ENDS, strict=True):
        bundle = _bundle(result, "ipw", version)
        reviews = pl.read_parquet(arm.data_dir / "exports" / day / "reviews.parquet")
        reviewed = reviews.filter(pl.col("reviewed")).unique("application_id", keep="last")
        flagged = int((reviewed["review_propensity"] == 1.0).sum())
        blind = int((reviewed["review_propensity"] == 0.5).sum())
        assert flagged + blind == reviewed.height  # every review is one or the other
        applications = pl.read_parquet(arm.data_dir / "exports" / day / "applications.parquet")
        assert bundle["labels"] == {
            "policy": "reviewed-ipw",
            "weights": {
                "rows_weighted": reviewed.height,
                "rows_zero_weight": applications.height - reviewed.height,
                "weight_total": float(flagged + 2 * blind),
                "by_weight": {"1": flagged, "2": blind},
            },
        }
        # the time split is placed by the reviewed cases: 60/20/20 of them, oldest first
        times = sorted(applications.join(reviewed, on="application_id", how="semi")["submitted_at"])
        cut1, cut2 = round(len(times) * 0.6), round(len(times) * 0.8)
        assert bundle["splits"]["valid"]["time_min"] == str(times[cut1])
        assert bundle["splits"]["test"]["time_min"] == str(times[cut2])


def test_monthly_runs_are_light_and_the_first_is_full(sim):
    """The retrained versions' runs leave out the proxy test and the explanation plots."""
    from experiments import client_for

    _, result, _ = sim
    settings = result.arm_settings["ipw"]
    client = client_for(settings)
    name = settings.mlflow.registered_model
    logged = {}
    for version in ("1", "2", "3"):
        run_id = client.get_model_version(name, version).run_id
        top = {a.path for a in client.list_artifacts(run_id)}
        fairness = {a.path for a in client.list_artifacts(run_id, "fairness")}
        logged[version] = ("explanations" in top, "fairness/proxy.json" in fairness)
    assert logged == {"1": (True, True), "2": (False, False), "3": (False, False)}
