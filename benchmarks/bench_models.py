"""Benchmarks of models/: scoring, explanations, single-case latency, training time.

Prints figures; asserts nothing.  In one run, on one model:

- scoring throughput (rows/s): ``Bundle.score`` on a polars frame of features (encoding,
  margin, calibration, band, flag) against the floor, ``Booster.predict`` on a numpy matrix;
- explanation throughput (rows/s): ``Bundle.explain`` (exact TreeSHAP plus top-5 reasons in
  words) against ``shap.TreeExplainer`` on the same rows;
- single case: ``Bundle.score_one`` (score plus top-5 reasons) median and p99, against a
  one-row ``Booster.predict``;
- with ``--train-1m``: a 1,000,000-application world from ``risk.synth`` and the wall time
  of ``train_world`` on it (features, then training), with 2 threads.

Usage::

    python benchmarks/bench_models.py                      # 200k world, figures
    python benchmarks/bench_models.py --world DIR          # an existing world
    python benchmarks/bench_models.py --train-1m           # also the 1M training time
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np


def _world(path: Path, n: int, seed: int) -> Path:
    from risk.synth import synthesize

    if not (path / "manifest.json").is_file():
        t = time.perf_counter()
        synthesize(n, seed, path)
        print(f"synth: {n:,} applications in {time.perf_counter() - t:.1f} s -> {path}")
    return path


def _interleaved(fns: dict[str, callable], repeats: int) -> dict[str, float]:
    """Median wall time of each function, runs interleaved so drift hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def bench_scoring(bundle, frame, repeats: int) -> None:
    X = bundle.matrix(frame)
    threads = bundle.num_threads
    med = _interleaved(
        {
            "ours": lambda: bundle.score(frame),
            "floor": lambda: bundle.booster.predict(X, raw_score=True, num_threads=threads),
        },
        repeats,
    )
    n = frame.height
    ours, floor = n / med["ours"], n / med["floor"]
    print(f"scoring, {n:,} rows, {threads} threads:")
    print(f"  Bundle.score (polars frame -> band/flag): {ours:>12,.0f} rows/s")
    print(f"  Booster.predict (numpy, raw margin):      {floor:>12,.0f} rows/s")
    print(f"  ratio ours/floor: {ours / floor:.0%} (target >= 50%)")


def bench_explain(bundle, frame, repeats: int) -> None:
    import shap

    X = bundle.matrix(frame)
    explainer = shap.TreeExplainer(bundle.booster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med = _interleaved(
            {
                "ours": lambda: bundle.explain(frame, top=5),
                "shap": lambda: explainer.shap_values(X),
            },
            repeats,
        )
    n = frame.height
    ours, peer = n / med["ours"], n / med["shap"]
    print(f"explanations, {n:,} rows:")
    print(f"  Bundle.explain (TreeSHAP + top-5 reasons): {ours:>10,.0f} rows/s")
    print(f"  shap.TreeExplainer.shap_values:            {peer:>10,.0f} rows/s")
    print(f"  ratio ours/shap: {ours / peer:.2f}x (target >= 1x)")


def bench_single(bundle, frame, cases: int) -> None:
    rows = frame.head(cases).to_dicts()
    X = bundle.matrix(frame.head(cases))
    for row in rows[:50]:  # warm up
        bundle.score_one(row)
    ours, floor = [], []
    for i, row in enumerate(rows):
        t = time.perf_counter()
        bundle.score_one(row, top=5)
        ours.append(time.perf_counter() - t)
        x = X[i : i + 1]
        t = time.perf_counter()
        bundle.booster.predict(x, raw_score=True, num_threads=1)
        floor.append(time.perf_counter() - t)
    q = lambda v, p: float(np.percentile(v, p)) * 1e6  # noqa: E731
    print(f"single case, {len(rows):,} cases:")
    for label, values in (
        ("score_one (score + top-5 reasons)", ours),
        ("Booster.predict one row (floor)  ", floor),
    ):
        print(f"  {label}: median {q(values, 50):7.0f} us, p99 {q(values, 99):7.0f} us")


def bench_train_1m(data_dir: Path, seed: int) -> None:
    from models import train_world
    from risk.settings import get_settings

    world = _world(data_dir / "world-1m", 1_000_000, seed)
    settings = get_settings()
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(stage: str, _fraction: float) -> None:
        if stage != last[1]:
            now = time.perf_counter()
            stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
            last[:] = [now, stage]

    t = time.perf_counter()
    result = train_world(world, settings=settings, progress=progress)
    total = time.perf_counter() - t
    stages[last[1]] = stages.get(last[1], 0.0) + time.perf_counter() - last[0]
    print(f"training on 1,000,000 applications ({settings.model.num_threads} threads):")
    print(f"  train_world end to end: {total:.1f} s (target < 600 s)")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items() if k != "start"))
    print(
        f"  trees: {result.bundle.meta['best_iteration']}, test rows: {result.test_frame.height:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="existing world folder (default: synthesize)")
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=Path("amanah-data/bench"))
    parser.add_argument("--rows", type=int, default=50_000, help="rows for batch scoring")
    parser.add_argument("--explain-rows", type=int, default=5_000)
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-1m", action="store_true", help="also time training at 1M")
    parser.add_argument("--only-train-1m", action="store_true", help="only time training at 1M")
    args = parser.parse_args()
    if args.only_train_1m:
        bench_train_1m(args.data_dir, args.seed)
        return

    import features
    from models import train_world
    from risk.io import load_tables

    world = args.world or _world(
        args.data_dir / f"world-{args.applications}", args.applications, args.seed
    )
    t = time.perf_counter()
    result = train_world(world)
    bundle = result.bundle
    print(
        f"model: {bundle.meta['best_iteration']} trees, {len(bundle.feature_names)} features"
        f" ({len(bundle.schema.categorical_indices)} categorical), trained in"
        f" {time.perf_counter() - t:.1f} s on {world}"
    )
    frame = features.build_features(load_tables(world)).collect()
    frame = frame.tail(min(args.rows, frame.height))
    bench_scoring(bundle, frame, args.repeats)
    bench_explain(bundle, frame.tail(args.explain_rows), args.repeats)
    bench_single(bundle, frame, args.cases)
    if args.train_1m:
        bench_train_1m(args.data_dir, args.seed)


if __name__ == "__main__":
    main()
