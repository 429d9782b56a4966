"""Does a comparison tell the truth?  A simulated year, a retrained challenger, its last two months.

Prints figures; asserts nothing.  Steps:

1. ``risk simulate`` (one ``ipw`` arm, no monthly retraining, ``challenger_months=2``):
   the first model serves for ``--months`` months on a synthetic world, officers review
   its flags and a blind sample, findings arrive as in the simulation; at the end of
   month ``months - 2`` the analyst exports the store and trains a challenger on it
   (reviewed-ipw labels), registered as the challenger and scored in shadow for the
   last two months, with the blind-sample rate the supervisor sets for them
   (``--shadow-blind-rate``; reviewers staffed to match); the simulation ends with the
   comparison over those months (the decisions known at its end), checked here against
2. the truth-based figures: the same two models' flags at the same capacity on the
   same logged applications, scored against the world's truth (``any_violation``).

Officers confirm a violation with probability 0.6 to 0.8 and overstays only show
months later, so a "confirmed per review" figure sits below the true precision.  Three
truths are printed: ``true`` (the world's ``any_violation``), ``detectable`` (in
expectation at the simulated officers' detection rates by type) and ``by_the_end``
(the finding a review of each application would have recorded by the end of the
simulated year: the simulation's own draw for that application, an overstay counting
only once it has shown), which is exactly what the estimator aims at.

Usage::

    python benchmarks/bench_evidence.py --applications 30000 --shadow-blind-rate 0.25 \\
        --seed 7 --out /tmp/evidence
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path


def _by_the_end(world, ids, seed: int, rates):
    """1 where a review of the application would have confirmed a violation by the end."""
    import numpy as np
    import polars as pl

    from serving.simulation._people import draw_finding

    apps = pl.concat([world.applications(i) for i in range(len(world.boundaries) - 1)])
    rows = ids.join(apps, on="application_id", how="left").join(
        world.truth.drop("nationality", strict=False), on="application_id", how="left"
    )
    horizon = world.boundaries[-1]
    out = []
    for row in rows.iter_rows(named=True):
        finding = draw_finding(seed, row, row, rates)
        late = finding.overstay_known_at is not None and finding.overstay_known_at < horizon
        out.append(float(finding.outcome == "violation_confirmed" or late))
    return np.array(out)


def _truth(store, champion, challenger, start, end, world, seed, rates) -> dict:
    import numpy as np

    from models._backtest import logged_matrix
    from models._paired import at_capacity
    from serving.services import logged_scores

    with store.reading() as session:
        logged = logged_scores(session, start, end)
    k = int(logged["logged_flag"].sum())
    flags = {
        who: at_capacity(m.score(logged_matrix(m, logged["features"])).margin, k)
        for who, m in (("champion", champion), ("challenger", challenger))
    }
    t = logged.select("application_id").join(world.truth, on="application_id", how="left")
    actual = t["any_violation"].fill_null(False).to_numpy()
    # what an officer would confirm on review, in expectation: detection rate by type
    p_found = 1 - np.prod(
        [1 - t[v].fill_null(False).to_numpy() * r for v, r in dict(rates.detection).items()],
        axis=0,
    )
    end_y = _by_the_end(world, logged.select("application_id"), seed, rates)
    out = {"k": k}
    for name, y in (("true", actual.astype(float)), ("detectable", p_found), ("by_the_end", end_y)):
        prec = {w: float(y[f].sum() / k) for w, f in flags.items()}
        rec = {w: float(y[f].sum() / y.sum()) for w, f in flags.items()}
        out[name] = {
            "precision": prec,
            "recall": rec,
            "precision_difference": prec["challenger"] - prec["champion"],
            "recall_difference": rec["challenger"] - rec["champion"],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--shadow-blind-rate", type=float, default=None,
        help="blind-sample rate of the shadow months (default: the setting's)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from models import load_bundle
    from risk.settings import get_settings
    from serving.simulation import PeopleRates, SimulationConfig, simulate
    from serving.store import Store

    settings = get_settings().model_copy(update={"data_dir": args.out / "data"})
    config = SimulationConfig(
        applications=args.applications, months=args.months, seed=args.seed,
        correction="ipw", retrain="never", challenger_months=2,
        shadow_blind_rate=args.shadow_blind_rate,
    )  # fmt: skip
    t = time.perf_counter()
    result = simulate(settings, config, args.out / "simulation")
    print(f"simulated {args.months} months in {time.perf_counter() - t:.0f} s", flush=True)
    world, arm = result.world, result.document["arms"]["ipw"]
    if "comparison" not in arm:
        raise SystemExit("no challenger was trained: see the analyst's line above")
    report, shadow = arm["comparison"], arm["shadow"]
    print(f"shadow: {shadow}")
    bundles = settings.data_dir / "bundles"
    champion = load_bundle(bundles / result.first_version)
    challenger = load_bundle(bundles / shadow["challenger_bundle"])
    start = dt.date.fromisoformat(shadow["from"])
    end = dt.date.fromisoformat(shadow["to"])
    store = Store(settings.database_url)
    truth = _truth(store, champion, challenger, start, end, world, args.seed, PeopleRates())
    store.dispose()
    (args.out / "evidence.json").write_text(
        json.dumps({"report": report, "truth": truth}, indent=2, default=str)
    )
    _print(report, truth, start, end)


def _covers(ci, value) -> str:
    return "-" if ci is None else ("yes" if ci[0] <= value <= ci[1] else "NO")


def _print(report: dict, truth: dict, start, end) -> None:
    est = report["estimates"]
    print(f"period {start} to {end}: {report['n']} applications, capacity {report['capacity']}")
    print(f"overlap: {report['overlap']}; reviews decided {report['reviews']}")
    for fig, scale in (("precision", 1), ("recall", 1), ("confirmed_per_100_reviews", 100)):
        d, ci = est["difference"][fig], est["difference"][f"{fig}_ci"]
        base = "recall" if fig == "recall" else "precision"
        for kind in ("true", "detectable", "by_the_end"):
            want = scale * truth[kind][f"{base}_difference"]
            print(
                f"{fig} difference: estimated {d} {ci}; {kind} {want:+.4f};"
                f" interval covers it: {_covers(ci, want)}"
            )
        for who in ("champion", "challenger"):
            print(
                f"  {who}: estimated {est[who][fig]} {est[who][f'{fig}_ci']};"
                f" true {scale * truth['true'][base][who]:.4f}, detectable"
                f" {scale * truth['detectable'][base][who]:.4f}, by the end"
                f" {scale * truth['by_the_end'][base][who]:.4f}"
            )
    print(f"verdict: {report['verdict']}")


if __name__ == "__main__":
    main()
