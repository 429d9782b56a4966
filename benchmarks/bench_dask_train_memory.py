"""The driver's memory while training on Dask: training rows kept on the workers vs gathered.

Prints figures; asserts nothing.  Each leg runs in its own process (a process's peak
resident memory never goes down), on its own ``local:2`` cluster, from the same world
and features folder:

- **kept**: ``train_world_dask(client, world, features=FOLDER)``: each partition is
  labelled, split and encoded on a worker; the driver holds the validation and test
  splits;
- **gathered** (the peer: how Dask training worked before): the features folder read
  into one frame on the driver, then ``train_world`` with ``DaskRiskModel`` (the driver
  labels, splits and encodes every row and deals the training rows to the workers).

Both grow the same trees (tested).  The driver's RSS is sampled every 0.2 s; the peak of
each training stage is printed, with the load average.

Usage::

    risk synth -n 400000 --seed 7 --partition-by month --out world
    risk features --data world --out features --engine dask --scheduler local:2
    python benchmarks/bench_dask_train_memory.py --data world --features features
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
from bench_features import PeakMemory  # samples this process's RSS in a thread

GIB = 2**30


class _Peak(PeakMemory):
    """Samples this process's RSS; the peak of each stage named by the progress callback."""

    def __init__(self) -> None:
        super().__init__(every=0.2)
        self.me = psutil.Process(os.getpid())
        self.peak = self.me.memory_info().rss
        self.stages: list[list] = []

    def progress(self, stage: str, fraction: float) -> None:
        if self.stages and self.stages[-1][0] == stage:
            return
        if self.stages:
            self.stages[-1][1] = self.peak
        self.stages.append([stage, 0])
        self.peak = self.me.memory_info().rss

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.stages:
            self.stages[-1][1] = max(self.peak, self.me.memory_info().rss)


def _leg(mode: str, world: Path, folder: Path, worker_gib: float) -> dict:
    """One leg, in this process: train and report the driver's memory."""
    from functools import partial

    from models import train_world
    from models._dask_train import DaskRiskModel
    from models._dask_world import train_world_dask
    from risk.engine import dask_client
    from risk.io import scan_parquet_path
    from risk.settings import Settings

    base = Settings()
    engine = base.engine.model_copy(update={
        "name": "dask", "scheduler": "local:2", "worker_memory": f"{worker_gib}GiB",
        "worker_threads": 1,
    })  # fmt: skip
    settings = base.with_overrides(engine=engine)
    with dask_client(settings.engine) as client:
        client.wait_for_workers(2)
        started = time.perf_counter()
        with _Peak() as peak:
            before = peak.peak
            if mode == "kept":
                result = train_world_dask(client, world, features=folder, settings=settings,
                                          progress=peak.progress)  # fmt: skip
            else:
                peak.progress("reading the features on the driver", 0.0)
                rows = scan_parquet_path(folder).collect()
                factory = partial(DaskRiskModel, client=client)
                result = train_world(world, settings=settings, features_frame=rows,
                                     progress=peak.progress, model_factory=factory)  # fmt: skip
    return {
        "mode": mode, "before": before, "peak": max(s[1] for s in peak.stages),
        "stages": peak.stages, "wall_s": time.perf_counter() - started,
        "rows": sum(s["rows"] for s in result.splits.values()),
        "trees": result.bundle.meta["best_iteration"],
        "roc_auc": result.metrics["model"]["roc_auc"], "load": os.getloadavg()[0],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--features", type=Path, required=True)
    parser.add_argument("--worker-gib", type=float, default=2.0)
    parser.add_argument("--leg", choices=("kept", "gathered"), default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.leg:
        print("RESULT " + json.dumps(_leg(args.leg, args.data, args.features, args.worker_gib)))
        return
    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f};"
          f" max rounds {os.environ.get('RISK_MODEL__MAX_ROUNDS', 'default')}")  # fmt: skip
    out = {}
    for leg in ("gathered", "kept"):
        proc = subprocess.run(
            [sys.executable, __file__, "--data", str(args.data), "--features",
             str(args.features), "--worker-gib", str(args.worker_gib), "--leg", leg],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if not lines:
            sys.exit(f"{leg} leg failed: {proc.stderr.strip().splitlines()[-3:]}")
        out[leg] = json.loads(lines[-1][7:])
    for leg, r in out.items():
        stages = ", ".join(f"{name} {peak / GIB:.2f}" for name, peak in r["stages"])
        print(f"{leg}: {r['rows']:,} applications, {r['trees']} trees, test ROC AUC"
              f" {r['roc_auc']:.4f}, {r['wall_s']:.0f} s (load {r['load']:.1f}); driver RSS"
              f" {r['before'] / GIB:.2f} GiB before, peak {r['peak'] / GIB:.2f} GiB"
              f" (by stage, GiB: {stages})")  # fmt: skip
    kept, gathered = out["kept"], out["gathered"]
    print(
        f"driver peak: kept {kept['peak'] / GIB:.2f} GiB vs gathered"
        f" {gathered['peak'] / GIB:.2f} GiB (x{kept['peak'] / gathered['peak']:.2f})"
    )


if __name__ == "__main__":
    main()
