"""Time ``risk.synth.synthesize``: seconds, rows per second and peak memory.

Usage: ``python benchmarks/bench_synth.py --applications 1000000 --runs 3``.  Each run is
a fresh process (so peak RSS belongs to that run alone); the median is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

_CHILD = """
import json, resource, sys, time
from risk.synth import synthesize
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
m = synthesize(n, seed, out)
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
rss = usage.ru_maxrss / 1024 / 1024
cpu = usage.ru_utime + usage.ru_stime
rows = sum(m.rows.values())
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_rss_gb": rss, "rows": rows}))
"""


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-synth-") as out:
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, str(args.applications), str(args.seed), out],
                check=True,
                capture_output=True,
                text=True,
            )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"run {run + 1}: {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU,"
            f" peak RSS {result['peak_rss_gb']:.2f} GB, load average {os.getloadavg()[0]:.1f}"
        )
    seconds = statistics.median(r["seconds"] for r in results)
    rss = statistics.median(r["peak_rss_gb"] for r in results)
    rows = results[0]["rows"]
    print(f"applications: {args.applications:,}  rows in all tables: {rows:,}")
    print(
        f"median: {seconds:.1f} s  {args.applications / seconds:,.0f} applications/s  "
        f"{rows / seconds:,.0f} rows/s  peak RSS {rss:.2f} GB"
    )


if __name__ == "__main__":
    main()
