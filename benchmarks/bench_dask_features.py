"""Features on Dask against the polars engine on the same world, in one run.

Prints figures; asserts nothing.  Each leg is ``risk features`` in its own process
(wall time, peak resident memory of the process and of its Dask workers summed), so
the engines are timed as a user runs them:

1. ``--engine polars`` (one process);
2. ``--engine dask --scheduler local:N`` with ``--worker-gib`` per worker;
3. optionally the Dask engine of another checkout of the code (``--baseline-src``,
   for example ``git worktree add /tmp/base main``), to compare two versions in one run.

The legs alternate ``--repeat`` times and the medians are printed with the load
average, since the machine may be shared.

Usage::

    python benchmarks/bench_dask_features.py --applications 300000
    python benchmarks/bench_dask_features.py --data /tmp/world-1m --baseline-src /tmp/base
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

GIB = 2**30


class TreePeak:
    """Samples the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.root, self.every, self.peak = psutil.Process(pid), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):  # it ended meanwhile
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.every)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _risk() -> str:
    return str(Path(sys.executable).parent / "risk")


def _leg(world: Path, out: Path, engine: str, args: argparse.Namespace, src: Path | None):
    env = dict(os.environ, RISK_ENGINE__WORKER_MEMORY=f"{args.worker_gib:g}GiB")
    if src is not None:  # the other checkout's packages come first on the path
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    command = [_risk(), "features", "--data", str(world), "--out", str(out), "--engine", engine]
    if engine == "dask":
        command += ["--scheduler", f"local:{args.workers}"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with TreePeak(proc.pid) as peak:
        output, _ = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode:  # reported (a worker out of memory is a result), not raised
        last = [line for line in output.decode().splitlines() if line.strip()][-1:]
        print(f"  {' '.join(command)} failed after {wall:.1f} s: {''.join(last)[:400]}")
        return None, peak.peak
    return wall, peak.peak


def _world(args: argparse.Namespace, scratch: Path) -> Path:
    if args.data is not None:
        return args.data
    world = scratch / "world"
    subprocess.run(
        [_risk(), "synth", "-n", str(args.applications), "--seed", "7", "--partition-by",
         "month", "--out", str(world)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="an existing world (else one is synthesised)")
    parser.add_argument("--applications", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-gib", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's Dask engine too")
    parser.add_argument("--scratch", type=Path, help="folder for the world and outputs")
    args = parser.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-dask-features-"))
    scratch.mkdir(parents=True, exist_ok=True)
    world = _world(args, scratch)
    legs = [("polars", "polars", None), ("dask", "dask", None)]
    if args.baseline_src is not None:
        legs.append(("dask (baseline)", "dask", args.baseline_src))
    times: dict[str, list[float]] = {name: [] for name, _, _ in legs}
    peaks: dict[str, int] = {}
    for round_ in range(args.repeat):
        for name, engine, src in legs:
            out = scratch / f"features-{engine}-{round_}"
            out = out.with_suffix(".parquet") if engine == "polars" else out
            load = os.getloadavg()[0]
            wall, peak = _leg(world, out, engine, args, src)
            peaks[name] = max(peaks.get(name, 0), peak)
            took = "  failed" if wall is None else f"{wall:8.1f} s"
            print(f"round {round_ + 1} {name:16s} {took}  peak {peak / GIB:5.2f} GiB"
                  f"  (load {load:.2f} before)", flush=True)  # fmt: skip
            if wall is not None:
                times[name].append(wall)
            if out.exists():
                shutil.rmtree(out) if out.is_dir() else out.unlink()
    polars = statistics.median(times["polars"]) if times["polars"] else float("nan")
    print(f"\nworld {world}; Dask local:{args.workers}, {args.worker_gib:g} GiB a worker;"
          f" load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    for name, values in times.items():
        if not values:
            print(f"{name:16s} failed every time")
            continue
        median = statistics.median(values)
        print(f"{name:16s} median {median:8.1f} s  {median / polars:5.2f} x polars"
              f"  peak {peaks[name] / GIB:5.2f} GiB (process and workers)")  # fmt: skip


if __name__ == "__main__":
    main()
