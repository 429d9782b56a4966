"""``risk monitor`` on Dask against the polars engine: time, memory, and equal figures.

One run: a model trained on a one-year synthetic world; ``--rows`` scored feature rows
resampled from it over a year (as in ``bench_monitor.py``), written as Parquet parts by
month.  The same ``risk monitor --current PARTS --time submitted_at --by month`` command
then runs twice in child processes, first with the polars engine, then with
``--engine dask --scheduler local:2`` (workers capped by ``--worker-memory``).  For each
it prints the wall time, the peak resident memory of the command's own process (the
driver, which also runs the local scheduler) and, on Dask, of each child process over
200 MB (the workers; a restarted worker shows as another), sampled every 0.1 s; then the
largest difference between the two ``monitor.json`` files (counts must be equal,
statistics within 1e-12).

Nothing is asserted; figures are printed with the load average (the machine may be
shared).  Usage: ``python benchmarks/bench_monitor_dask.py [--applications 10000]
[--rows 1000000] [--worker-memory 2GiB]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_monitor  # the resampled scored rows
import bench_serving as serving  # the world and the model


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall time and peak RSS (its own, and each child's) in bytes."""
    import psutil

    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        me = psutil.Process(proc.pid)
        peak, workers = 0, {}
        while proc.poll() is None:
            try:
                peak = max(peak, me.memory_info().rss)
                for child in me.children(recursive=True):
                    rss = child.memory_info().rss
                    workers[child.pid] = max(workers.get(child.pid, 0), rss)
            except psutil.Error:
                pass
            time.sleep(0.1)
        took = time.perf_counter() - t0
        log.seek(0)
        output = log.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    # the local cluster's worker processes are the large children (not its spawn helpers)
    big = sorted((r for r in workers.values() if r > 200 * 2**20), reverse=True)
    return {"seconds": took, "driver": peak, "workers": big}


def _largest_difference(a: Any, b: Any) -> tuple[float, int]:
    """The largest absolute difference between two floats of equal structures, and how many
    non-float leaves differ (counts, text, verdicts)."""
    if isinstance(a, dict):
        pairs = [(a.get(k), b.get(k)) for k in set(a) | set(b)]
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = list(zip(a, b, strict=True))
    elif isinstance(a, float) and isinstance(b, float):
        return (0.0 if math.isnan(a) and math.isnan(b) else abs(a - b)), 0
    else:
        return 0.0, int(a != b)
    worst, differ = 0.0, 0
    for x, y in pairs:
        w, d = _largest_difference(x, y)
        worst, differ = max(worst, w), differ + d
    return worst, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--worker-memory", default="2GiB")
    args = parser.parse_args()
    import polars as pl

    from risk.io import write_partitioned

    root = Path(tempfile.mkdtemp(prefix="amanah-bench-monitor-dask-"))
    try:
        world, bundle_dir, _ = serving._world(root, args.applications)
        _, big, _ = bench_monitor._million(world, bundle_dir, args.rows)
        parts = root / "current"
        write_partitioned(big, parts, key=pl.col("submitted_at").dt.strftime("%Y-%m"), name="month")
        n_parts = len(list(parts.glob("month=*")))
        del big
        risk = str(Path(sys.executable).parent / "risk")
        common = [risk, "monitor", "--model", str(bundle_dir), "--current", str(parts),
                  "--time", "submitted_at", "--by", "month", "--no-track"]  # fmt: skip
        env = {**os.environ, "RISK_DATA_DIR": str(root / "data"),
               "RISK_ENGINE__WORKER_MEMORY": args.worker_memory}  # fmt: skip
        print("monitoring with the polars engine ...", flush=True)
        one = _run([*common, "--out", str(root / "polars")], env)
        print("monitoring with --engine dask --scheduler local:2 ...", flush=True)
        spread = _run([*common, "--out", str(root / "dask"), "--engine", "dask",
                       "--scheduler", "local:2"], env)  # fmt: skip
        a = json.loads((root / "polars" / "monitor.json").read_text())
        b = json.loads((root / "dask" / "monitor.json").read_text())
        worst, differ = _largest_difference(a, b)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    gib = 2**30
    print()
    print(f"risk monitor of {args.rows:,} scored rows in {n_parts} monthly parts, by month:")
    print(f"  polars engine: {one['seconds']:.1f} s wall, peak {one['driver'] / gib:.2f} GiB")
    each = ", ".join(f"{w / gib:.2f}" for w in spread["workers"]) or "none"
    print(
        f"  dask local:2 ({args.worker_memory} a worker): {spread['seconds']:.1f} s wall"
        f" (cluster start included), driver peak {spread['driver'] / gib:.2f} GiB;"
        f" child processes over 200 MB (the workers) peak {each} GiB"
    )
    print(
        f"  monitor.json: largest float difference {worst:.2e}; {differ} other values differ"
        f"  [load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores]"
    )


if __name__ == "__main__":
    main()
