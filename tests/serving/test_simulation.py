"""`risk simulate` on a tiny world: the month loop, officers, late outcomes, the clock, the JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa

from risk.settings import Settings
from serving.simulation import (
    SIMULATION_FILE,
    PeopleRates,
    SimulationConfig,
    coverage,
    simulate,
)
from serving.simulation._operation import monthly_volume, officers_needed
from serving.store import (
    ApiToken,
    AuditEntry,
    Case,
    Complaint,
    Decision,
    Score,
    Store,
    Survey,
    User,
)

# One worker runs the module, so its simulated year is built once, not on each worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation_year")]

# A tiny world has few decisions: complaints made likelier so that some arrive.
RATES = PeopleRates(complaint_after_violation=0.5, complaint_otherwise=0.2)
CONFIG = SimulationConfig(
    applications=2500, months=3, seed=11, correction="none", retrain="never", rates=RATES
)
MONTH_KEYS = {
    "month",
    "model_version",
    "flag_rate",
    "true_recall_at_capacity",
    "true_precision_at_capacity",
    "estimated_recall",
    "estimated_recall_ci",
    "estimated_prevalence",
    "estimated_prevalence_ci",
    "true_prevalence",
    "flag_share_by_nationality",
}


def _settings(base) -> Settings:
    s = Settings(data_dir=base / "data")
    model = s.model.model_copy(update={"num_threads": 1, "max_rounds": 60})
    fairness = s.fairness.model_copy(update={"bootstrap": 10})
    return s.model_copy(update={"model": model, "fairness": fairness})


def _run(base):
    settings = _settings(base)
    lines: list[str] = []
    result = simulate(settings, CONFIG, base / "out", say=lines.append)
    return settings, result, lines


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("sim"))


@pytest.fixture(scope="module")
def store(sim):
    settings, _, _ = sim
    s = Store(settings.database_url)
    yield s
    s.dispose()


def test_the_json_has_the_issue_shape(sim):
    settings, result, _ = sim
    doc = json.loads((settings.data_dir.parent / "out" / SIMULATION_FILE).read_text())
    assert doc == result.document
    assert coverage(doc) == {
        "none": {
            "months": 3,
            "prevalence_covered": 3,
            "recall_covered": 3,
            "prevalence_months": 3,
            "recall_months": 3,
        }
    }
    assert set(doc) == {"seed", "months", "capacity", "blind_rate", "arms"}
    assert (doc["seed"], doc["months"], doc["capacity"], doc["blind_rate"]) == (11, 3, 0.05, 0.02)
    assert list(doc["arms"]) == ["none"]
    months = doc["arms"]["none"]["months"]
    assert [m["month"] for m in months] == ["2025-10", "2025-11", "2025-12"]
    for m in months:
        assert set(m) == MONTH_KEYS
        assert m["model_version"] == result.first_version
        assert sum(m["flag_share_by_nationality"].values()) == pytest.approx(1.0, abs=1e-12)
        lo, hi = m["estimated_prevalence_ci"]
        assert lo <= m["estimated_prevalence"] <= hi
    # no finding in the reviewed cases of October and December: recall is 0/0 there
    assert [m["estimated_recall"] is None for m in months] == [True, False, True]
    assert months[1]["estimated_recall_ci"][0] <= months[1]["estimated_recall"]
    html = (settings.data_dir.parent / "out" / "simulation.html").read_text()
    assert "Plotly.newPlot" in html and "<script src=" not in html  # inlined: opens offline


def test_the_truth_figures_match_a_recount_from_the_store(sim, store):
    _, result, _ = sim
    world = result.world
    with store.reading() as session:
        rows = session.execute(sa.select(Score.application_id, Score.model_flag)).all()
    flags = pl.DataFrame(rows, schema=["application_id", "flag"], orient="row")
    joined = flags.join(world.truth, on="application_id")
    month = joined.join(
        world.applications(1).select("application_id"), on="application_id", how="semi"
    )
    hits = int((month["flag"] & month["any_violation"]).sum())
    got = result.document["arms"]["none"]["months"][1]
    assert got["true_recall_at_capacity"] == hits / int(month["any_violation"].sum())
    assert got["true_precision_at_capacity"] == hits / int(month["flag"].sum())
    assert got["flag_rate"] == month["flag"].mean()


def test_every_application_of_the_months_is_scored_once(sim, store):
    _, result, _ = sim
    expected = sum(result.world.applications(i).height for i in range(3))
    with store.reading() as session:
        scored = session.scalar(sa.select(sa.func.count(sa.distinct(Score.application_id))))
        total = session.scalar(sa.select(sa.func.count()).select_from(Score))
    assert scored == total == expected


def test_officers_never_decide_more_than_the_capacity_in_a_day(sim, store):
    _, result, _ = sim
    _, per_day = officers_needed(monthly_volume(result.world), Settings())
    with store.reading() as session:
        first = session.execute(
            sa.select(Decision.created_at).where(Decision.amends_id.is_(None))
        ).all()
    per_date = Counter(t.date() for (t,) in first)
    assert max(per_date.values()) == per_day  # the queue is full on busy days
    assert all(d.weekday() < 5 for d in per_date)  # officers work weekdays


def test_reviews_cover_flagged_and_blind_cases_with_a_delay(sim, store):
    with store.reading() as session:
        rows = session.execute(
            sa.select(Case.route, Case.created_at, Case.decided_at).where(Case.status == "decided")
        ).all()
    routes = Counter(r for r, _, _ in rows)
    assert set(routes) == {"model_flag", "blind_sample"}
    assert all(decided > created for _, created, decided in rows)


def test_overstays_arrive_later_as_amendments(sim, store):
    _, result, _ = sim
    apps = result.world.tables.applications.collect()
    stay = dict(zip(apps["application_id"], apps["intended_stay_days"], strict=True))
    submitted = dict(zip(apps["application_id"], apps["submitted_at"], strict=True))
    with store.reading() as session:
        rows = session.execute(
            sa.select(Case.application_id, Decision.created_at, Decision.violation_types)
            .join(Decision, Decision.case_id == Case.case_id)
            .where(Decision.amends_id.is_not(None))
        ).all()
    assert rows, "three months must let some short-stay overstays show"
    for app_id, at, types in rows:
        assert "overstay" in types
        assert at >= submitted[app_id] + dt.timedelta(days=stay[app_id] + 14)
        assert at < result.world.boundaries[-1]


def test_complaints_and_ratings_arrive(sim, store):
    with store.reading() as session:
        complaints = session.execute(sa.select(Complaint.status, Complaint.opened_at)).all()
        ratings = session.scalar(sa.select(sa.func.count()).select_from(Survey))
        sources = set(session.scalars(sa.select(Complaint.source)))
    # the simulated applicants use their own channel: /status with their access code
    assert len(complaints) > 0 and ratings > 0 and sources == {"applicant"}
    assert "answered" in {s for s, _ in complaints}


def test_every_time_the_service_stamped_is_simulated_time(sim, store):
    _, result, _ = sim
    start, end = result.world.start, result.world.boundaries[-1]
    stamped = [
        (Score, Score.created_at),
        (Case, Case.created_at),
        (Case, Case.decided_at),
        (Decision, Decision.created_at),
        (Complaint, Complaint.opened_at),
        (Complaint, Complaint.answered_at),
        (Survey, Survey.created_at),
        (AuditEntry, AuditEntry.at),
        (User, User.created_at),
    ]
    with store.reading() as session:
        for _, column in stamped:
            lo, hi = session.execute(sa.select(sa.func.min(column), sa.func.max(column))).one()
            assert lo is not None, column
            assert start <= lo and hi <= end, column
        tokens = session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    assert tokens == 0


def test_kpis_on_the_simulated_clock_measure_days_not_a_year(sim, store):
    from risk.clock import SimulatedClock
    from serving.services import compute_kpis

    _, result, _ = sim
    with store.reading() as session:
        kpis = compute_kpis(session, clock=SimulatedClock(result.world.boundaries[-1]), min_count=0)
        first = session.execute(
            sa.select(Case.created_at, Case.decided_at).where(Case.status == "decided")
        ).all()
    days = sorted((d - c).total_seconds() / 86400 for c, d in first)
    assert kpis["processing_days"]["p50"] == pytest.approx(float(np.median(days)), abs=1e-9)
    assert kpis["processing_days"]["max"] < 31  # days of simulated work, not the wall clock


def test_progress_says_a_line_per_month(sim):
    _, _, lines = sim
    months = [line for line in lines if line.startswith("[none] 2025-")]
    assert [line[7:14] for line in months] == ["2025-10", "2025-11", "2025-12"]


def test_the_same_seed_gives_the_same_figures(sim, tmp_path):
    _, result, _ = sim
    _, again, _ = _run(tmp_path)
    assert again.document == result.document
