"""Beyond one machine: features, training and batch scoring on Dask against polars under a cap.

Prints figures; asserts nothing.  In one run:

1. the polars engine (features, training, batch scoring) in a subprocess whose address
   space is capped at ``--cap-gib`` (default 8 GiB, the two workers' total), so only it
   is killed when it runs out of memory;
2. the Dask engine on ``local:2`` with ``--worker-gib`` (default 4 GiB) per worker:
   features, training (DaskLGBMClassifier), batch scoring; wall time of each stage and
   the peak resident memory of each worker and of the driver;
3. batch scoring throughput (score only) on 1 and 2 workers, and ``Booster.predict`` on
   the same rows in this process;
4. a projection for 10M and 50M applications from the measured per-partition costs.

Usage::

    python benchmarks/bench_scale.py --applications 5000000     # synthesises, by month
    python benchmarks/bench_scale.py --data /tmp/world-5m       # an existing world

The world is written with ``risk synth --partition-by month`` (one partition a month).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GIB = 2**30

_POLARS_LEG = r"""
import json, resource, sys, time
cap = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from pathlib import Path
out = {}
try:
    import features, models
    from risk.io import load_tables
    t = time.perf_counter()
    rows = features.build_features(load_tables(Path(sys.argv[1]))).collect()
    out["features_s"] = time.perf_counter() - t
    t = time.perf_counter()
    result = models.train_world(sys.argv[1], features_frame=rows)
    out["train_s"] = time.perf_counter() - t
    t = time.perf_counter()
    models.score_batch(result.bundle, rows, Path(sys.argv[2]) / "polars-scores.parquet",
                       explain="none")
    out["score_s"] = time.perf_counter() - t
    out["status"] = "completed"
except MemoryError as exc:
    out["status"] = f"out of memory (MemoryError: {exc})"
except Exception as exc:
    text = str(exc)
    oom = any(w in text.lower() for w in ("memory", "alloc", "cannot allocate"))
    kind = "out of memory: " if oom else "failed: "
    out["status"] = kind + f"{type(exc).__name__}: {text[:200]}"
print("RESULT " + json.dumps(out), flush=True)
"""


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _world(args: argparse.Namespace, scratch: Path) -> Path:
    if args.data is not None:
        return args.data
    world = scratch / "world"
    _log(f"synthesising {args.applications:,} applications, partitioned by month ...")
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "risk"), "synth", "-n", str(args.applications),
         "--seed", "7",
         "--out", str(world), "--partition-by", "month"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _log(f"world written in {time.perf_counter() - started:.0f} s")
    return world


def _polars_leg(world: Path, scratch: Path, cap: int) -> dict:
    _log(f"polars engine in a subprocess capped at {cap / GIB:.0f} GiB of address space ...")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _POLARS_LEG, str(world), str(scratch), str(cap)],
        capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if lines:
        out = json.loads(lines[-1][7:])
    else:  # killed outright (a signal), or a native allocation failure abort
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        out = {"status": f"out of memory: exit {proc.returncode}; " + " | ".join(tail)[:300]}
    out["wall_s"] = wall
    _log(f"polars: {out['status']} after {wall:.0f} s")
    return out


class WorkerMemory:
    """Samples the peak RSS of every worker (through the client) and of this process."""

    def __init__(self, client, every: float = 1.0) -> None:
        self.client, self.every = client, every
        self.workers: dict[str, int] = {}
        self.driver = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process(os.getpid())
        while not self._stop.is_set():
            try:
                for worker, rss in self.client.run(_rss).items():
                    self.workers[worker] = max(self.workers.get(worker, 0), rss)
            except Exception:  # a worker restarting; sample again next time
                pass
            self.driver = max(self.driver, me.memory_info().rss)
            time.sleep(self.every)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _rss() -> int:
    import psutil

    return psutil.Process(os.getpid()).memory_info().rss


def _settings(workers: int, worker_gib: float, threads: int = 1):
    from risk.settings import Settings

    base = Settings()
    engine = base.engine.model_copy(update={
        "name": "dask", "scheduler": f"local:{workers}", "worker_memory": f"{worker_gib}GiB",
        "worker_threads": threads,
    })  # fmt: skip
    return base.with_overrides(engine=engine)


def _dask_leg(world: Path, scratch: Path, worker_gib: float) -> dict:
    from features._dask import input_slices, write_features_dask
    from models._dask_batch import score_batch_dask
    from models._dask_train import train_world_dask
    from risk.engine import dask_client

    settings = _settings(2, worker_gib)
    out: dict = {"partitions": len(input_slices(world, "applications", 10**9))}
    with dask_client(settings.engine) as client, WorkerMemory(client) as memory:
        _log("dask: features ...")
        t = time.perf_counter()
        done = write_features_dask(client, world, scratch / "features", settings=settings)
        out["features_s"], out["rows"] = time.perf_counter() - t, done["rows"]
        out["features_peak_worker"] = max(memory.workers.values())
        _log(f"dask: features of {done['rows']:,} in {out['features_s']:.0f} s; training ...")
        t = time.perf_counter()
        result = train_world_dask(client, world, settings=settings)
        out["train_s"] = time.perf_counter() - t
        bundle = result.bundle.save(scratch / "bundle")
        out["roc_auc"] = result.metrics["model"]["roc_auc"]
        _log(f"dask: trained in {out['train_s']:.0f} s; scoring ...")
        t = time.perf_counter()
        score_batch_dask(client, bundle, scratch / "features", scratch / "scores",
                         explain="flagged", settings=settings)  # fmt: skip
        out["score_s"] = time.perf_counter() - t
        out["peak_worker"] = max(memory.workers.values())
        out["peak_driver"] = memory.driver
    _log(f"dask: scored in {out['score_s']:.0f} s")
    return out


def _scoring_scaling(world: Path, scratch: Path, worker_gib: float) -> dict:
    """Score-only throughput on 1 and 2 workers, and Booster.predict in this process."""

    from models import load_bundle
    from models._dask_batch import score_batch_dask
    from risk.engine import dask_client
    from risk.io import scan_parquet_path

    out = {}
    for workers in (1, 2):
        settings = _settings(workers, worker_gib)
        with dask_client(settings.engine) as client:
            client.wait_for_workers(workers)
            target = scratch / f"scores-{workers}"
            score_batch_dask(client, scratch / "bundle", scratch / "features", target,
                             explain="none", settings=settings)  # warm: bundle loaded  # fmt: skip
            t = time.perf_counter()
            done = score_batch_dask(client, scratch / "bundle", scratch / "features", target,
                                    explain="none", settings=settings)  # fmt: skip
            out[f"workers_{workers}"] = done["rows"] / (time.perf_counter() - t)
        _log(f"score only on {workers} worker(s): {out[f'workers_{workers}']:,.0f} rows/s")
    bundle = load_bundle(scratch / "bundle")
    rows = scan_parquet_path(scratch / "features").collect()
    X = bundle.matrix(rows)
    t = time.perf_counter()
    bundle.booster.predict(X, raw_score=True, num_threads=2)
    out["booster_predict"] = X.shape[0] / (time.perf_counter() - t)
    out["rows"] = X.shape[0]
    del X, rows
    _log(f"Booster.predict (2 threads, one process): {out['booster_predict']:,.0f} rows/s")
    return out


def _projection(dask: dict, scaling: dict) -> list[str]:
    """Time and memory for 10M and 50M applications from this run's per-partition costs."""
    import math

    rows, parts = dask["rows"], dask["partitions"]
    eff = scaling["workers_2"] / (2 * scaling["workers_1"])
    per_part_s = (dask["features_s"] + dask["score_s"]) * 2 / parts  # worker-seconds
    lines = [
        f"assumptions: partitions of ~{rows / parts:,.0f} applications (monthly parts of this"
        " world, or RISK_ENGINE__PARTITION_ROWS), each costing what it cost here"
        f" ({per_part_s:.1f} worker-seconds for features and scoring); a parallel efficiency of"
        f" {eff:.2f} per doubling of workers (scoring, 1 -> 2 workers, measured); training"
        f" scales with rows ({dask['train_s']:.0f} s here) over the workers at the same"
        " efficiency; the features' worker memory follows the largest partition, not the"
        " world; training holds its split (60% of rows x 47 float64 features) spread over"
        " the workers, plus LightGBM's bins; the driver holds the gathered features",
    ]
    for target in (10_000_000, 50_000_000):
        scale = target / rows
        for workers in (2, 8, 32):
            speed = workers * eff ** max(0.0, math.log2(workers / 2))
            seconds = (per_part_s * parts * scale) / speed + dask["train_s"] * scale * 2 / speed
            block = target * 0.6 * 47 * 8 / workers / GIB
            driver = target * 47 * 8 * 3 / GIB  # the gathered frame, its encoding, a copy
            lines.append(
                f"{target / 1e6:.0f}M on {workers} workers: ~{seconds / 60:.0f} min; per worker"
                f" {dask['features_peak_worker'] / GIB:.1f} GiB for features (spilling),"
                f" {block:.1f} GiB of training rows; driver ~{driver:.0f} GiB for training"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5_000_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cap-gib", type=float, default=8.0)
    parser.add_argument("--worker-gib", type=float, default=4.0)
    parser.add_argument("--skip-polars", action="store_true")
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument(
        "--rounds", type=int, default=None,
        help="Cap boosting rounds for both engines (RISK_MODEL__MAX_ROUNDS) to fit a deadline",
    )  # fmt: skip
    args = parser.parse_args()
    if args.rounds is not None:
        os.environ["RISK_MODEL__MAX_ROUNDS"] = str(args.rounds)  # both legs read it
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    scratch.mkdir(parents=True, exist_ok=True)
    rounds = os.environ.get("RISK_MODEL__MAX_ROUNDS", "settings' default")
    _log(f"scratch folder {scratch}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f};"
         f" max rounds {rounds}")  # fmt: skip
    world = _world(args, scratch)
    polars_out = None if args.skip_polars else _polars_leg(world, scratch, int(args.cap_gib * GIB))
    dask = _dask_leg(world, scratch, args.worker_gib)
    scaling = _scoring_scaling(world, scratch, args.worker_gib)
    print("\n== figures ==")
    print(f"world: {dask['rows']:,} applications in {dask['partitions']} partitions")
    if polars_out is not None:
        print(f"polars engine under a {args.cap_gib:.0f} GiB cap: {polars_out['status']}"
              f" ({polars_out['wall_s']:.0f} s; stages: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in polars_out.items() if k.endswith("_s")
                          and k != "wall_s") + ")")  # fmt: skip
    print(f"dask local:2, {args.worker_gib:.0f} GiB per worker:"
          f" features {dask['features_s']:.0f} s,"
          f" training {dask['train_s']:.0f} s (test ROC AUC {dask['roc_auc']:.3f}), batch scoring"
          f" with reasons for flagged {dask['score_s']:.0f} s")  # fmt: skip
    print(
        f"peak RSS per worker: {dask['peak_worker'] / GIB:.2f} GiB (features"
        f" {dask['features_peak_worker'] / GIB:.2f} GiB);"
        f" driver {dask['peak_driver'] / GIB:.2f} GiB"
    )
    print(f"scoring (score only): 1 worker {scaling['workers_1']:,.0f} rows/s, 2 workers"
          f" {scaling['workers_2']:,.0f} rows/s"
          f" (x{scaling['workers_2'] / scaling['workers_1']:.2f});"
          f" Booster.predict {scaling['booster_predict']:,.0f} rows/s on {scaling['rows']:,} rows"
          f" (2 workers = {scaling['workers_2'] / scaling['booster_predict']:.2f} x)")  # fmt: skip
    print("projection:")
    for line in _projection(dask, scaling):
        print(f"  {line}")


if __name__ == "__main__":
    main()
