"""Benchmark the feature pipelines: batch over a world, and one application at request time.

Prints figures; asserts nothing.  Targets: features for 1M applications with their
history in at most 30 s on two cores (peak memory printed); request-time features for
one application (``features.feature_row``, look-ups given) with a median of at most
0.3 ms (p99 printed).

Usage::

    python benchmarks/bench_features.py --data /tmp/world-1m          # an existing world
    python benchmarks/bench_features.py --applications 1000000        # synthesise one first

The request-time figures are measured on histories already narrowed to the
application (what serving fetches from its store): ``build_features_for`` (a
frame in, a frame out), ``lookups_from_tables`` + ``feature_row``, and
``feature_row`` alone with its look-ups precomputed (what serving runs once its
store has answered).  Narrowing a full in-memory world with
``features.history_for`` is timed separately.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from dataclasses import fields, replace
from pathlib import Path

import polars as pl
import psutil


class PeakMemory:
    """Samples the process's resident memory in a thread; ``peak`` in bytes."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        proc = psutil.Process(os.getpid())
        while not self._stop.is_set():
            self.peak = max(self.peak, proc.memory_info().rss)
            time.sleep(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _world(args: argparse.Namespace) -> Path:
    if args.data is not None:
        return args.data
    from risk.synth import synthesize

    out = Path(f"/tmp/amanah-bench-world-{args.applications}-{args.seed}")
    if not (out / "applications.parquet").is_file():
        print(f"synthesising {args.applications:,} applications into {out} ...", flush=True)
        synthesize(args.applications, args.seed, out)
    return out


def _in_memory(tables):
    return replace(tables, **{
        f.name: getattr(tables, f.name).collect().lazy()
        for f in fields(tables) if getattr(tables, f.name) is not None
    })  # fmt: skip


def bench_batch(tables) -> pl.DataFrame:
    from features import build_family, build_features, catalogue

    rows = tables.applications.select(pl.len()).collect().item()
    print(f"\n== batch: {rows:,} applications, {len(catalogue())} features ==")
    for group in catalogue().groups:
        start, cpu = time.perf_counter(), time.process_time()
        build_family(group, tables).collect()
        print(
            f"  family {group:<15} {time.perf_counter() - start:7.2f} s"
            f"  (CPU {time.process_time() - cpu:6.2f} s)",
            flush=True,
        )
    base = psutil.Process(os.getpid()).memory_info().rss
    with PeakMemory() as mem:
        start, cpu = time.perf_counter(), time.process_time()
        frame = build_features(tables).collect()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"  build_features(...).collect(): {elapsed:.2f} s  ({rows / elapsed:,.0f} rows/s;"
        f" CPU {cpu:.2f} s over {pl.thread_pool_size()} threads)"
    )
    gib = 2**30
    print(f"  peak RSS {mem.peak / gib:.2f} GiB (tables in memory before: {base / gib:.2f} GiB)")
    return frame


def bench_single(tables, n: int, seed: int) -> None:
    from features import build_features_for, feature_row, history_for, lookups_from_tables

    apps = tables.applications.collect()
    docs = tables.documents.collect()
    sample = apps.sample(n, seed=seed)
    print(f"\n== request time: {n} single applications ==")
    timings: dict[str, list[float]] = {
        "build_features_for": [], "lookups_from_tables + feature_row": [],
        "feature_row (look-ups given)": [], "history_for (narrowing)": [],
    }  # fmt: skip
    compute_cpu = []
    for i in range(n):
        one = sample.slice(i, 1)
        its_docs = docs.filter(pl.col("application_id") == one.item(0, "application_id"))
        application, doc_rows = one.row(0, named=True), its_docs.rows(named=True)
        start = time.perf_counter()
        history = history_for(one, tables)
        mid, cpu = time.perf_counter(), time.process_time()
        build_features_for(one, its_docs, history)
        end = time.perf_counter()
        compute_cpu.append(time.process_time() - cpu)
        lookups = lookups_from_tables(application, history)
        feature_row(application, doc_rows, lookups)
        looked = time.perf_counter()
        feature_row(application, doc_rows, lookups)
        done = time.perf_counter()
        timings["history_for (narrowing)"].append(mid - start)
        timings["build_features_for"].append(end - mid)
        timings["lookups_from_tables + feature_row"].append(looked - end)
        timings["feature_row (look-ups given)"].append(done - looked)
    for label, times in timings.items():
        ms = sorted(t * 1000 for t in times[1:])  # the first call warms caches
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        print(f"  {label:<34} median {statistics.median(ms):8.3f} ms   p99 {p99:8.3f} ms")
    cpu_ms = statistics.median(t * 1000 for t in compute_cpu[1:])
    print(f"  build_features_for CPU median {cpu_ms:.2f} ms")
    _bench_row_repeated(sample, docs, tables)


def _bench_row_repeated(sample: pl.DataFrame, docs: pl.DataFrame, tables, rounds: int = 50) -> None:
    """feature_row alone, each application computed ``rounds`` times (less timer noise)."""
    from features import feature_row, history_for, lookups_from_tables

    cases = []
    for i in range(min(sample.height, 100)):
        one = sample.slice(i, 1)
        application = one.row(0, named=True)
        its_docs = docs.filter(pl.col("application_id") == application["application_id"])
        lookups = lookups_from_tables(application, history_for(one, tables))
        cases.append((application, its_docs.rows(named=True), lookups))
    per_call = []
    for application, doc_rows, lookups in cases:
        start = time.perf_counter()
        for _ in range(rounds):
            feature_row(application, doc_rows, lookups)
        per_call.append((time.perf_counter() - start) / rounds * 1000)
    print(
        f"  feature_row, {rounds} repeats per application: median"
        f" {statistics.median(per_call):.3f} ms, max {max(per_call):.3f} ms over {len(cases)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder of a written world")
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--single", type=int, default=200, help="request-time samples")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()

    from risk.io import load_tables

    data = _world(args)
    print(f"world: {data}; polars {pl.__version__}, {pl.thread_pool_size()} threads,"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    start = time.perf_counter()
    tables = _in_memory(load_tables(data))
    print(f"tables read into memory in {time.perf_counter() - start:.2f} s")
    if not args.skip_batch:
        bench_batch(tables)
    bench_single(tables, args.single, args.seed)


if __name__ == "__main__":
    main()
