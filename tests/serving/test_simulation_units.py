"""The simulated people, the month boundaries and the refusals: exact, fast, no store."""

from __future__ import annotations

import datetime as dt
import itertools
import zlib

import numpy as np
import pytest
from typer.testing import CliRunner

from risk.cli import app
from risk.settings import Settings
from serving.simulation import PeopleRates, loop_table, summarise
from serving.simulation._operation import officers_needed
from serving.simulation._people import draw_finding, draw_follow_up
from serving.simulation._world import month_starts

APP = {
    "application_id": "A0000042",
    "submitted_at": dt.datetime(2025, 3, 10, 12),
    "intended_stay_days": 30,
}
NOTHING = {"overstay": False, "document_fraud": False, "misrepresentation": False}


def test_month_starts_cross_the_year():
    got = month_starts(dt.datetime(2024, 11, 1), 3)
    assert got == [dt.datetime(y, m, 1) for y, m in ((2024, 11), (2024, 12), (2025, 1), (2025, 2))]


def test_team_is_sized_from_capacity_plus_blind_sample():
    # 1000 a month x (5% + 2%) x 1.1 / 21.7 working days = 3.55 -> 4 a day, two officers
    assert officers_needed(1000, Settings()) == (2, 4)
    # 10000 a month -> 35.5 -> 36 a day -> 6 officers of 6 cases
    assert officers_needed(10_000, Settings()) == (6, 36)


def test_a_finding_is_the_same_for_the_same_seed_and_application():
    truth = {**NOTHING, "document_fraud": True}
    assert draw_finding(7, APP, truth) == draw_finding(7, APP, truth)


def test_a_perfect_officer_confirms_every_reviewable_violation_and_dates_the_overstay():
    rates = PeopleRates(
        detection=(("document_fraud", 1.0), ("misrepresentation", 1.0), ("overstay", 1.0))
    )
    truth = {"overstay": True, "document_fraud": True, "misrepresentation": False}
    finding = draw_finding(7, APP, truth, rates)
    assert finding.outcome == "violation_confirmed"
    assert finding.types == ("document_fraud",)  # the overstay cannot show at review
    earliest = APP["submitted_at"] + dt.timedelta(days=30 + 14)
    assert earliest <= finding.overstay_known_at <= earliest + dt.timedelta(days=76)


def test_a_blind_officer_misses_everything():
    rates = PeopleRates(
        detection=(("document_fraud", 0.0), ("misrepresentation", 0.0), ("overstay", 0.0)),
        false_finding=0.0,
        unsure=0.0,
    )
    truth = {"overstay": True, "document_fraud": True, "misrepresentation": True}
    finding = draw_finding(7, APP, truth, rates)
    assert (finding.outcome, finding.types) == ("no_violation", ())
    assert finding.overstay_known_at is None


@pytest.mark.parametrize("seed", range(5))
def test_a_non_violator_is_never_found_to_commit_fraud(seed):
    for k in range(200):
        app = {**APP, "application_id": f"A{k:07d}"}
        finding = draw_finding(seed, app, NOTHING)
        assert "document_fraud" not in finding.types and finding.overstay_known_at is None


def test_detection_rates_hold_over_many_applications():
    truth = {**NOTHING, "document_fraud": True}
    found = sum(
        "document_fraud" in draw_finding(3, {**APP, "application_id": f"A{k:07d}"}, truth).types
        for k in range(4000)
    )
    # the world's rate is 0.8; 4000 draws: standard error 0.0063, so 5 sigma is 0.032
    assert abs(found / 4000 - 0.8) < 0.032


def test_follow_up_complains_about_a_confirmed_violation_under_the_decision_category():
    rates = PeopleRates(complaint_after_violation=1.0, rating=1.0)
    decided = dt.datetime(2025, 4, 1, 10)
    f = draw_follow_up(7, "A1", decided, True, dt.timedelta(days=2), dt.timedelta(days=5), rates)
    assert f.category == "decision"
    assert decided + dt.timedelta(days=1) <= f.complaint_at <= decided + dt.timedelta(days=21)
    assert decided <= f.rating_at <= decided + dt.timedelta(days=10)
    # the rating is the inverse CDF of the stated distribution after a confirmed violation,
    # at the sixth draw of the application's follow-up stream
    u = np.random.default_rng([7, zlib.crc32(b"A1"), 2]).random(6)[5]
    cumulative = itertools.accumulate((0.35, 0.25, 0.2, 0.12, 0.08))
    assert f.rating == next(k for k, c in enumerate(cumulative, start=1) if u < c)


def test_follow_up_after_a_long_wait_complains_about_the_delay():
    rates = PeopleRates(complaint_otherwise=1.0, rating=0.0)
    f = draw_follow_up(
        7, "A1", dt.datetime(2025, 4, 1), False, dt.timedelta(days=9), dt.timedelta(days=5), rates
    )
    assert (f.category, f.rating_at) == ("delay", None)


def test_simulate_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{(tmp_path / 'out').resolve()} is not empty" in result.output
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["keep.txt"]


def _doc(seed, recalls, ci_hits):
    months = []
    for k, (recall, hit) in enumerate(zip(recalls, ci_hits, strict=True)):
        months.append(
            {
                "month": f"2025-0{k + 1}",
                "flag_rate": 0.05,
                "true_recall_at_capacity": recall,
                "true_precision_at_capacity": 0.5,
                "estimated_recall_ci": [recall - 0.1, recall + 0.1] if hit else [0.9, 1.0],
                "estimated_prevalence_ci": None,
                "true_prevalence": 0.1,
                "flag_share_by_nationality": {"NGA": recall, "AUS": 1 - recall},
            }
        )
    return {"seed": seed, "arms": {"none": {"months": months}}}


def test_summary_averages_seeds_and_counts_covered_months():
    docs = [_doc(1, [0.2, 0.4], [True, False]), _doc(2, [0.4, 0.6], [True, True])]
    summary = summarise(docs, ("NGA",))
    assert summary["seeds"] == [1, 2]
    assert summary["none"]["recall"] == pytest.approx([0.3, 0.5], abs=1e-12)
    assert summary["none"]["flag_share"]["NGA"] == pytest.approx([0.3, 0.5], abs=1e-12)
    # recall: three of four months covered; prevalence: no interval, nothing counted
    assert summary["none"]["coverage"] == {"prevalence": (0, 0), "recall": (3, 4)}
    assert loop_table(summary).splitlines()[2] == "| 2025-01 | 0.300 | 0.300 |"


def test_a_continued_clock_resumes_where_the_simulation_ended_at_the_wall_pace():
    from risk.clock import ContinuedClock, SimulatedClock

    wall = SimulatedClock(dt.datetime(2026, 12, 6, 9, 0))
    clock = ContinuedClock(dt.datetime(2026, 1, 1), wall=wall)
    assert clock.now() == dt.datetime(2026, 1, 1)
    wall.advance(dt.timedelta(minutes=5, seconds=3))
    assert clock.now() == dt.datetime(2026, 1, 1, 0, 5, 3)
