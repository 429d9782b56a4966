"""Beyond one machine: features, training and batch scoring on Dask against polars under a cap.

Prints figures; asserts nothing.  In one run:

1. the polars engine (features, training, batch scoring) in a subprocess whose memory
   is capped at ``--cap-gib`` (default 8 GiB, the two workers' total), so only it is
   killed when it runs out of memory.  The cap is a memory control group (resident
   memory, as the kernel's out-of-memory killer counts it, the same measure the Dask
   workers' limit uses) where this process may create one (root, cgroup v1 or v2);
   otherwise an address-space limit (``RLIMIT_AS``), which is stricter than resident
   memory because allocators reserve address space they never touch: the run says which;
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
import contextlib
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
if cap > 0:  # no control group: cap the address space instead
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


class MemoryGroup:
    """A memory control group capping a child process's resident memory, if one can be made.

    cgroup v2 (``memory.max``, swap off) or v1 (``memory.limit_in_bytes``, and
    ``memory.memsw.limit_in_bytes`` where the kernel accounts swap).  ``path`` is None when
    neither is writable; the caller then falls back to an address-space limit.
    """

    def __init__(self, cap: int) -> None:
        self.path: Path | None = None
        name = f"amanah-bench-{os.getpid()}"
        for root, files in (
            (Path("/sys/fs/cgroup"), {"memory.max": cap, "memory.swap.max": 0}),
            (Path("/sys/fs/cgroup/memory"),
             {"memory.limit_in_bytes": cap, "memory.memsw.limit_in_bytes": cap}),
        ):  # fmt: skip
            first = next(iter(files))
            if not (root / first).exists() and not (root / "cgroup.procs").exists():
                continue
            try:
                group = root / name
                group.mkdir(exist_ok=True)
                if not (group / first).exists():
                    group.rmdir()
                    continue
                for file, value in files.items():
                    if (group / file).exists():
                        (group / file).write_text(str(value))
            except OSError:
                continue
            self.path = group
            return

    def join(self) -> None:
        """Move the calling process (a child, before exec) into the group."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def peak(self) -> int | None:
        """The group's peak memory in bytes, where the kernel records it."""
        for file in ("memory.peak", "memory.max_usage_in_bytes"):
            if self.path is not None and (self.path / file).exists():
                return int((self.path / file).read_text().split()[0])
        return None

    def oom_kills(self) -> int:
        """How many processes the out-of-memory killer ended inside the group."""
        for file in ("memory.events", "memory.oom_control"):
            target = None if self.path is None else self.path / file
            if target is not None and target.exists():
                for line in target.read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        return 0

    def remove(self) -> None:
        if self.path is not None:  # fails only while a process is still inside
            with contextlib.suppress(OSError):
                self.path.rmdir()


def _polars_leg(world: Path, scratch: Path, cap: int) -> dict:
    group = MemoryGroup(cap)
    how = (f"resident memory (memory control group {group.path})" if group.path is not None
           else "address space (RLIMIT_AS: no memory control group could be made)")  # fmt: skip
    _log(f"polars engine in a subprocess capped at {cap / GIB:g} GiB of {how} ...")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _POLARS_LEG, str(world), str(scratch),
         "0" if group.path is not None else str(cap)],
        capture_output=True, text=True, preexec_fn=group.join,
    )  # fmt: skip
    wall = time.perf_counter() - started
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if lines:
        out = json.loads(lines[-1][7:])
    elif group.oom_kills():
        out = {"status": f"out of memory: killed by the kernel at the {cap / GIB:g} GiB cap"
                         f" (exit {proc.returncode})"}  # fmt: skip
    else:  # killed outright (a signal), or a native allocation failure abort
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        out = {"status": f"out of memory: exit {proc.returncode}; " + " | ".join(tail)[:300]}
    out["wall_s"] = wall
    out["cap"] = how
    peak = group.peak()
    if peak is not None:
        out["peak_gib"] = peak / GIB
    group.remove()
    _log(f"polars: {out['status']} after {wall:.0f} s"
         + (f"; peak {peak / GIB:.2f} GiB" if peak is not None else ""))  # fmt: skip
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

    def reset_driver(self) -> int:
        """Restart the driver's peak from its current RSS (returned)."""
        import psutil

        self.driver = psutil.Process(os.getpid()).memory_info().rss
        return self.driver

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


def _dask_leg(world: Path, scratch: Path, worker_gib: float, args: argparse.Namespace) -> dict:
    """The Dask stages chosen by ``--stages``; features from ``--features`` when given."""
    from features._dask import input_slices
    from risk.engine import dask_client

    settings = _settings(2, worker_gib)
    out: dict = {"partitions": len(input_slices(world, "applications", 10**9))}
    folder = args.features or scratch / "features"
    with dask_client(settings.engine) as client, WorkerMemory(client) as memory:
        if "features" in args.stages:
            _features_stage(client, world, folder, settings, out, memory)
        if "train" in args.stages:
            _train_stage(client, world, folder, scratch, settings, out, memory)
        if "score" in args.stages:
            _score_stage(client, folder, scratch, settings, out)
        out["peak_worker"] = max(memory.workers.values())
        out["peak_driver"] = max(memory.driver, out.get("peak_driver_before_train", 0))
    return out


def _features_stage(client, world, folder, settings, out, memory) -> None:
    from features._dask import write_features_dask

    _log("dask: features ...")
    t = time.perf_counter()
    done = write_features_dask(client, world, folder, settings=settings)
    out["features_s"], out["rows"] = time.perf_counter() - t, done["rows"]
    out["features_peak_worker"] = max(memory.workers.values())
    _log(f"dask: features of {done['rows']:,} in {out['features_s']:.0f} s")


def _train_stage(client, world, folder, scratch, settings, out, memory) -> None:
    """Training from the features folder; the driver's peak RSS during this stage alone."""
    from models._dask_world import train_world_dask

    _log(f"dask: training from {folder} ...")
    out["peak_driver_before_train"] = memory.driver
    before = memory.reset_driver()
    t = time.perf_counter()
    result = train_world_dask(client, world, features=folder, settings=settings)
    out["train_s"] = time.perf_counter() - t
    out["train_peak_driver"], out["driver_before_train"] = memory.driver, before
    out["train_peak_worker"] = max(memory.workers.values())
    out.setdefault("rows", sum(s["rows"] for s in result.splits.values()))
    result.bundle.save(scratch / "bundle")
    out["roc_auc"] = result.metrics["model"]["roc_auc"]
    _log(
        f"dask: trained in {out['train_s']:.0f} s (ROC AUC {out['roc_auc']:.4f}); driver peak"
        f" {memory.driver / GIB:.2f} GiB (RSS {before / GIB:.2f} GiB before training)"
    )


def _score_stage(client, folder, scratch, settings, out) -> None:
    from models._dask_batch import score_batch_dask

    _log("dask: scoring ...")
    t = time.perf_counter()
    score_batch_dask(client, scratch / "bundle", folder, scratch / "scores",
                     explain="flagged", settings=settings)  # fmt: skip
    out["score_s"] = time.perf_counter() - t
    _log(f"dask: scored in {out['score_s']:.0f} s")


def _scoring_scaling(world: Path, scratch: Path, folder: Path, worker_gib: float) -> dict:
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
            score_batch_dask(client, scratch / "bundle", folder, target,
                             explain="none", settings=settings)  # warm: bundle loaded  # fmt: skip
            t = time.perf_counter()
            done = score_batch_dask(client, scratch / "bundle", folder, target,
                                    explain="none", settings=settings)  # fmt: skip
            out[f"workers_{workers}"] = done["rows"] / (time.perf_counter() - t)
        _log(f"score only on {workers} worker(s): {out[f'workers_{workers}']:,.0f} rows/s")
    bundle = load_bundle(scratch / "bundle")
    rows = scan_parquet_path(folder).collect()
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
        " the workers, plus LightGBM's bins; the driver holds the validation and test splits"
        " (40% of rows), so its peak during training is scaled with the rows from this run's"
        f" ({dask['train_peak_driver'] / GIB:.2f} GiB, fixed costs included: an upper bound)",
    ]
    for target in (10_000_000, 50_000_000):
        scale = target / rows
        for workers in (2, 8, 32):
            speed = workers * eff ** max(0.0, math.log2(workers / 2))
            seconds = (per_part_s * parts * scale) / speed + dask["train_s"] * scale * 2 / speed
            block = target * 0.6 * 47 * 8 / workers / GIB
            driver = dask["train_peak_driver"] * scale / GIB
            lines.append(
                f"{target / 1e6:.0f}M on {workers} workers: ~{seconds / 60:.0f} min; per worker"
                f" {dask['features_peak_worker'] / GIB:.1f} GiB for features (spilling),"
                f" {block:.1f} GiB of training rows; driver ~{driver:.0f} GiB for training"
            )
    return lines


STAGES = ("features", "train", "score", "scaling")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5_000_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--cap-gib", type=float, default=8.0)
    parser.add_argument("--worker-gib", type=float, default=4.0)
    parser.add_argument("--skip-polars", action="store_true")
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument(
        "--features", type=Path, default=None,
        help="An existing features folder of --data (`risk features --engine dask`): the Dask"
        " legs read it; the features stage writes it when chosen (default SCRATCH/features)",
    )  # fmt: skip
    parser.add_argument(
        "--stages", default=",".join(STAGES),
        help=f"Dask stages to run, comma-separated, of {','.join(STAGES)} (default all);"
        " train and score read the features folder and score reads SCRATCH/bundle",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=None,
        help="Cap boosting rounds for both engines (RISK_MODEL__MAX_ROUNDS) to fit a deadline",
    )  # fmt: skip
    args = parser.parse_args()
    args.stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(args.stages) - set(STAGES))
    if unknown:
        parser.error(f"--stages: unknown stage(s) {unknown}; choose from {list(STAGES)}")
    return args


def main() -> None:
    args = _arguments()
    if args.rounds is not None:
        os.environ["RISK_MODEL__MAX_ROUNDS"] = str(args.rounds)  # both legs read it
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    scratch.mkdir(parents=True, exist_ok=True)
    rounds = os.environ.get("RISK_MODEL__MAX_ROUNDS", "settings' default")
    _log(f"scratch folder {scratch}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f};"
         f" max rounds {rounds}; stages {','.join(args.stages)}")  # fmt: skip
    world = _world(args, scratch)
    polars_out = None if args.skip_polars else _polars_leg(world, scratch, int(args.cap_gib * GIB))
    dask = _dask_leg(world, scratch, args.worker_gib, args)
    folder = args.features or scratch / "features"
    scaling = (_scoring_scaling(world, scratch, folder, args.worker_gib)
               if "scaling" in args.stages else None)  # fmt: skip
    _report(args, polars_out, dask, scaling)


def _report(args, polars_out: dict | None, dask: dict, scaling: dict | None) -> None:
    print("\n== figures ==")
    print(f"world: {dask.get('rows', 0):,} applications in {dask['partitions']} partitions;"
          f" load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if polars_out is not None:
        print(f"polars engine under a {args.cap_gib:.0f} GiB cap: {polars_out['status']}"
              f" ({polars_out['wall_s']:.0f} s; stages: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in polars_out.items() if k.endswith("_s")
                          and k != "wall_s") + ")")  # fmt: skip
        print(
            f"  cap on {polars_out['cap']}"
            + (f"; peak {polars_out['peak_gib']:.2f} GiB" if "peak_gib" in polars_out else "")
        )
    stages = []
    if "features_s" in dask:
        stages.append(f"features {dask['features_s']:.0f} s")
    if "train_s" in dask:
        stages.append(f"training {dask['train_s']:.0f} s (test ROC AUC {dask['roc_auc']:.3f})")
    if "score_s" in dask:
        stages.append(f"batch scoring with reasons for flagged {dask['score_s']:.0f} s")
    print(f"dask local:2, {args.worker_gib:g} GiB per worker: " + ", ".join(stages))
    line = f"peak RSS per worker: {dask['peak_worker'] / GIB:.2f} GiB"
    if "features_peak_worker" in dask:
        line += f" (features {dask['features_peak_worker'] / GIB:.2f} GiB)"
    line += f"; driver {dask['peak_driver'] / GIB:.2f} GiB"
    if "train_peak_driver" in dask:
        line += (f" (during training {dask['train_peak_driver'] / GIB:.2f} GiB, from"
                 f" {dask['driver_before_train'] / GIB:.2f} GiB before it)")  # fmt: skip
    print(line)
    if scaling is None:
        return
    print(f"scoring (score only): 1 worker {scaling['workers_1']:,.0f} rows/s, 2 workers"
          f" {scaling['workers_2']:,.0f} rows/s"
          f" (x{scaling['workers_2'] / scaling['workers_1']:.2f});"
          f" Booster.predict {scaling['booster_predict']:,.0f} rows/s on {scaling['rows']:,} rows"
          f" (2 workers = {scaling['workers_2'] / scaling['booster_predict']:.2f} x)")  # fmt: skip
    if all(k in dask for k in ("features_s", "train_s", "score_s")):
        print("projection:")
        for text in _projection(dask, scaling):
            print(f"  {text}")


if __name__ == "__main__":
    main()
