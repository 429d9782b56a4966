"""Loop benchmark: ``risk export`` of a store holding 1M scores, the estimates, a simulated year.

Targets (issue 10): export of 1M scores within 60 s, estimates over 1M scores within 5 s,
and the cost of a 12-month simulation of a 30k world (``risk simulate``, one arm).
The store is SQLite in a temporary folder, filled directly (a million scores through the
API would take hours and measure something else): 1M scores over 12 months, 5% flagged,
a 2% blind sample of the rest, cases for both and a decision for each case.  The contract
tables stay empty, so the export figure is the inference log's (reviews.parquet) cost.
Nothing is asserted; the figures are printed.

Usage: ``python benchmarks/bench_loop.py [--scores 1000000] [--simulate 30000 --months 12
--retrain never|monthly]`` (``--simulate 0`` skips the simulation).  The simulation's
figures are wall and CPU time (the CPU time says what the work costs on a shared machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa


def _fill(store, n: int, seed: int = 7) -> None:
    from serving.store import Case, Decision, Score

    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1)
    seconds = np.sort(rng.integers(0, 365 * 86400, size=n))
    flagged = rng.random(n) < 0.05
    blind = ~flagged & (rng.random(n) < 0.02)
    violation = rng.random(n) < np.where(flagged, 0.5, 0.03)
    score_rows, case_rows, decision_rows = [], [], []
    for i in range(n):
        at = start + dt.timedelta(seconds=int(seconds[i]))
        route = "model_flag" if flagged[i] else ("blind_sample" if blind[i] else "none")
        score_rows.append(
            {
                "score_id": f"s{i:08d}", "application_id": f"A{i:08d}", "model_version": "1",
                "input_fingerprint": "0" * 64, "features": {}, "score": 0.5, "margin": 0.0,
                "band": "low", "threshold": 0.5, "model_flag": bool(flagged[i]),
                "outcome": "review" if route != "none" else "no_flag", "route": route,
                "reasons": {}, "lang": "en", "scored_by": None, "created_at": at,
                "review_propensity": 1.0 if flagged[i] else 0.02, "blind_sample_rate": 0.02,
            }
        )  # fmt: skip
        if route != "none":
            case_id = len(case_rows) + 1
            decided = at + dt.timedelta(days=2)
            case_rows.append(
                {
                    "case_id": case_id, "application_id": f"A{i:08d}", "score_id": f"s{i:08d}",
                    "route": route, "blind": route == "blind_sample", "priority": 0.5,
                    "status": "decided", "assigned_to": None, "claimed_at": None,
                    "created_at": at, "decided_at": decided,
                }
            )  # fmt: skip
            decision_rows.append(
                {
                    "case_id": case_id,
                    "outcome": "violation_confirmed" if violation[i] else "no_violation",
                    "violation_types": ["overstay"] if violation[i] else [],
                    "reason": "bench", "officer_id": 1, "amends_id": None, "created_at": decided,
                }
            )  # fmt: skip
    # a plain engine: SQLite checks foreign keys only when asked, and the store's engine asks
    # (these scores have no applications rows: the export figure is the inference log's)
    plain = sa.create_engine(store.url)
    with plain.begin() as conn:
        for table, rows in ((Score, score_rows), (Case, case_rows), (Decision, decision_rows)):
            for lo in range(0, len(rows), 50_000):
                conn.execute(sa.insert(table.__table__), rows[lo : lo + 50_000])
    plain.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--simulate", type=int, default=30_000, help="world size (0: skip)")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--retrain", choices=("never", "monthly"), default="never")
    args = parser.parse_args()
    if args.simulate:
        _simulation(args.simulate, args.months, args.retrain)
    import polars as pl

    from models import estimate_reviews
    from risk.clock import WallClock
    from serving.services import Principal, export_store
    from serving.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'store.db'}")
        store.upgrade()
        t0 = time.perf_counter()
        _fill(store, args.scores)
        print(f"filled the store with {args.scores:,} scores in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        with store.transaction() as session:
            result = export_store(
                session,
                Principal(1, "bench", "analyst"),
                dt.date(2024, 12, 31),
                Path(tmp) / "export",
                clock=WallClock(),
            )
        export_s = time.perf_counter() - t0
        store.dispose()
        reviews = pl.read_parquet(Path(tmp) / "export" / "reviews.parquet")
        t0 = time.perf_counter()
        est = estimate_reviews(reviews)
        estimate_s = time.perf_counter() - t0
    print(f"export: {result.rows['reviews']:,} score rows in {export_s:.1f} s (target <= 60 s)")
    print(f"estimates over {reviews.height:,} scores: {estimate_s:.2f} s (target <= 5 s)")
    o = est["overall"]
    print(
        f"  overall: prevalence {o.prevalence.value:.4f} [{o.prevalence.low:.4f},"
        f" {o.prevalence.high:.4f}], recall at capacity {o.recall_at_capacity.value:.3f}"
        f" (truth of this fill: prevalence ~{0.05 * 0.5 + 0.95 * 0.03:.4f})"
    )


def _simulation(applications: int, months: int, retrain: str) -> None:
    """Time ``risk simulate`` (one arm, ipw) and print wall and CPU seconds per stage."""
    from risk.settings import Settings
    from serving.simulation import SimulationConfig, simulate

    config = SimulationConfig(
        applications=applications, months=months, seed=7, correction="ipw", retrain=retrain
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        wall0, cpu0 = time.perf_counter(), time.process_time()

        def say(line: str) -> None:
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            print(f"  {wall:7.1f} s wall {cpu:7.1f} s CPU  {line[:160]}", flush=True)

        simulate(settings, config, Path(tmp) / "out", say=say)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        f"simulation: {months} months of a {applications:,}-application world"
        f" (retrain {retrain}): {wall:.1f} s wall, {cpu:.1f} s CPU"
    )


if __name__ == "__main__":
    main()
