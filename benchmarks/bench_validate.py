"""Time ``risk.validation.validate_dir`` and the MRZ kernels on a large synthetic world.

Usage::

    python benchmarks/bench_validate.py --applications 1000000 --runs 3
    python benchmarks/bench_validate.py --world /tmp/world --csv   # reuse a world, as CSV too

Generates the world once with ``risk.synth.synthesize`` (unless ``--world`` names an
existing one), optionally writes a CSV copy, then validates it in fresh processes (so the
peak RSS belongs to that run alone) and prints the median seconds, rows per second and
peak RSS.  It also times ``check_digit_expr`` on 1M random 9-character strings and
``parse_mrz_expr`` over the world's documents.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from risk.validation import validate_dir
t = time.perf_counter()
report = validate_dir(sys.argv[1])
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
rss = usage.ru_maxrss / 1024 / 1024
print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_rss_gb": rss, "rows": sum(report.rows.values()),
                  "problems": report.total}))
"""


def _validate(directory: Path, runs: int, label: str) -> None:
    results = []
    for run in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(directory)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(
            f"  {label} run {run + 1}: {r['seconds']:.2f} s wall, {r['cpu_seconds']:.2f} s CPU"
            f" (whole process), peak RSS {r['peak_rss_gb']:.2f} GB"
        )
    seconds = statistics.median(r["seconds"] for r in results)
    rss = statistics.median(r["peak_rss_gb"] for r in results)
    rows = results[0]["rows"]
    print(
        f"validate {label}: median {seconds:.2f} s for {rows:,} rows"
        f" ({rows / seconds:,.0f} rows/s), peak RSS {rss:.2f} GB,"
        f" problems found: {results[0]['problems']}"
    )


def _to_csv(world: Path, out: Path) -> None:
    import polars as pl

    from risk.io import write_table

    for path in world.glob("*.parquet"):
        write_table(pl.read_parquet(path), out / f"{path.stem}.csv")


def _mrz_kernels(world: Path, runs: int) -> None:
    import numpy as np
    import polars as pl

    from risk.mrz import check_digit_expr, parse_mrz_expr

    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"))
    chars = np.random.default_rng(0).choice(alphabet, size=(1_000_000, 9))
    frame = pl.DataFrame({"s": chars.view("<U9").ravel()})
    times, cpu = [], []
    for _ in range(runs + 1):  # the first run warms up
        t, c = time.perf_counter(), time.process_time()
        frame.select(check_digit_expr(pl.col("s")))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        f"check_digit_expr: median {statistics.median(times[1:]):.3f} s wall,"
        f" {statistics.median(cpu[1:]):.3f} s CPU per 1M 9-char strings"
    )
    docs = pl.read_parquet(world / "documents.parquet")
    expr = parse_mrz_expr(
        pl.col("mrz_format"), pl.col("mrz_line1"), pl.col("mrz_line2"), pl.col("mrz_line3")
    )
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        parsed = docs.select(p=expr).unnest("p")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    bad = parsed.filter(~pl.col("format_ok") | ~pl.col("number_ok")).height
    print(
        f"parse_mrz_expr: median {statistics.median(times):.2f} s wall,"
        f" {statistics.median(cpu):.2f} s CPU for {docs.height:,} zones"
        f" ({docs.height / statistics.median(times):,.0f} zones/s); format or number check"
        f" failed on {bad:,}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--world", type=Path, help="an existing world folder (Parquet) to reuse")
    parser.add_argument("--csv", action="store_true", help="also validate a CSV copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        world = args.world
        if world is None or not (world / "applications.parquet").is_file():
            from risk.synth import synthesize

            world = world or Path(tmp) / "world"
            t = time.perf_counter()
            synthesize(args.applications, args.seed, world)
            print(
                f"synthesised {args.applications:,} applications in {time.perf_counter() - t:.1f} s"
            )
        _validate(world, args.runs, "parquet")
        if args.csv:
            csv_dir = Path(tmp) / "csv"
            _to_csv(world, csv_dir)
            _validate(csv_dir, args.runs, "csv")
        _mrz_kernels(world, args.runs)


if __name__ == "__main__":
    main()
