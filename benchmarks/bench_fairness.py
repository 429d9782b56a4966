"""Benchmarks of models.fairness: the report, its bootstrap, the proxy test, the report.

Prints figures; asserts nothing.  On a synthetic scored table of ``--rows`` rows (60
nationalities, 3 sexes; labels and scores depend on the groups):

- ``fairness_report`` wall time (both attributes and their intersection, 200 resamples);
- the same group metrics through fairlearn's ``MetricFrame`` (the peer), single and pair;
- the bootstrap: our multinomial draws over confusion cells against resampling rows with
  Poisson weights (vectorised numpy, the usual fast way), per resample;
- ``write_html`` and ``proxy_test`` (20,000 rows, 12 features, 2 attributes).

Usage::

    python benchmarks/bench_fairness.py               # 1,000,000 rows
    python benchmarks/bench_fairness.py --rows 200000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl


def _table(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    nat = rng.integers(0, 60, n)
    p = rng.dirichlet(np.ones(60) * 0.7)
    nat = rng.choice(60, n, p=p)
    sex = rng.choice(["F", "M", "X"], n, p=[0.49, 0.49, 0.02])
    base = 0.05 + 0.05 * (nat % 4 == 0) + 0.02 * (sex == "M")
    label = (rng.random(n) < base).astype(np.int8)
    score = np.clip(0.5 * label * rng.random(n) + 0.6 * rng.random(n) ** 3, 0, 1)
    return pl.DataFrame(
        {"label": label, "score": score, "nationality": [f"N{i:02d}" for i in nat], "sex": sex}
    )


def _clock(fn, repeat: int = 3) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return float(np.median(walls)), float(np.median(cpus))


def _report(frame: pl.DataFrame) -> None:
    from models.fairness import FairnessPolicy, fairness_report

    wall, cpu = _clock(
        lambda: fairness_report(
            frame,
            label="label",
            score="score",
            threshold=0.3,
            groups=["nationality", "sex"],
            intersections=True,
            policy=FairnessPolicy(),
        )
    )
    print(
        f"fairness_report, 2 attributes + intersection, 200 resamples: {wall:.2f} s (cpu {cpu:.2f})"
    )


def _metricframe(frame: pl.DataFrame) -> None:
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
    )

    from models.fairness import FairnessPolicy, fairness_report

    y = frame["label"].to_numpy()
    f = (frame["score"].to_numpy() >= 0.3).astype(np.int8)
    metrics = {"flag_rate": selection_rate, "fpr": false_positive_rate, "fnr": false_negative_rate}
    for cols in (["nationality"], ["nationality", "sex"]):
        sens = frame.select(cols).to_pandas()
        wall, _ = _clock(
            lambda s=sens: (
                MetricFrame(metrics=metrics, y_true=y, y_pred=f, sensitive_features=s).by_group
            )
        )
        ours, _ = _clock(
            lambda c=cols: fairness_report(
                frame,
                label="label",
                score="score",
                threshold=0.3,
                groups=c,
                intersections=len(c) == 2,
                policy=FairnessPolicy(bootstrap=0),
            )
        )
        print(
            f"group metrics by {'+'.join(cols)}: fairlearn MetricFrame {wall:.2f} s, "
            f"fairness_report (same groups, no bootstrap) {ours:.2f} s"
        )


def _bootstrap(frame: pl.DataFrame) -> None:
    from models.fairness._bootstrap import bootstrap_ratio_intervals
    from models.fairness._metrics import confusion_counts

    codes = frame["sex"].replace_strict(["F", "M", "X"], [0, 1, 2]).to_numpy()
    y = frame["label"].to_numpy()
    f = (frame["score"].to_numpy() >= 0.3).astype(np.int8)
    counts = confusion_counts(codes, y, f, 3)
    b = 200
    rng = np.random.default_rng(0)
    ours, _ = _clock(lambda: bootstrap_ratio_intervals(counts, 0, ("fpr",), n_boot=b, rng=rng))
    cell = np.where(f == 1, 1 - y, 2 + y).astype(np.int64) + codes * 4

    def poisson(k: int = 5) -> None:
        for _ in range(k):
            w = rng.poisson(1.0, size=len(y))
            np.bincount(cell, weights=w, minlength=12)

    naive, _ = _clock(poisson, repeat=1)
    print(
        f"bootstrap, {b} resamples of {len(y):,} rows: multinomial cells {ours * 1000:.1f} ms; "
        f"poisson row weights {naive / 5 * 1000:.0f} ms per resample "
        f"(~{naive / 5 * b:.1f} s for {b})"
    )


def _html_and_proxy(frame: pl.DataFrame) -> None:
    from models.fairness import FairnessPolicy, fairness_report, proxy_test, write_html

    report = fairness_report(
        frame,
        label="label",
        score="score",
        threshold=0.3,
        groups=["nationality", "sex"],
        intersections=True,
        policy=FairnessPolicy(bootstrap=50),
    )
    with tempfile.TemporaryDirectory() as tmp:
        wall, _ = _clock(lambda: write_html(report, Path(tmp) / "f.html"), repeat=1)
        size = (Path(tmp) / "f.html").stat().st_size
    print(f"write_html: {wall:.2f} s, {size / 1e6:.1f} MB")
    rng = np.random.default_rng(1)
    sample = frame.sample(20_000, seed=1)
    nat_num = sample["nationality"].str.slice(1).cast(pl.Int64).to_numpy()
    feats = {f"x{i}": rng.normal(size=sample.height) for i in range(10)}
    feats["leaky"] = (nat_num % 4 == 0) + rng.normal(0, 0.5, sample.height)
    feats["channel"] = rng.choice(["a", "b", "c"], sample.height).tolist()
    w, c = _clock(
        lambda: proxy_test(pl.DataFrame(feats), sample.select("nationality", "sex"), seed=7),
        repeat=1,
    )
    print(f"proxy_test, 20,000 rows x 12 features, 2 attributes: {w:.1f} s (cpu {c:.1f})")


def main() -> None:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    frame = _table(args.rows, args.seed)
    print(f"table: {frame.height:,} rows")
    _report(frame)
    _metricframe(frame)
    _bootstrap(frame)
    _html_and_proxy(frame)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
