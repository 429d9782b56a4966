"""Serving benchmark: our full score vs ``mlflow models serve`` (score only), on loopback.

One run, one trained model.  Prints single-request latency (median, p99) and throughput
at 1 and 8 concurrent clients for

(a) Amanah's ``POST /v1/applications/score``: features from the store's history, score,
    exact SHAP reasons, the inference log, the case and the audit entry, committed; and
    (a+) the same service with a challenger (the same model's bundle) scoring every
    request in shadow.  Both run at once, each on its own copy of the store; at one
    client each application goes to both, one request at a time in alternating order,
    so a change in the machine's speed hits both alike, and the champion's median with
    and without shadow scoring is printed from one run (``--rounds``: fresh servers and
    stores each round, the median of the rounds' differences);
(b) ``mlflow models serve`` on the same LightGBM booster with a ready feature row, saved
    as the registry logs it (signature and input example: the server checks each
    request against the schema), and (b') the bare booster without them;

and the in-process floor (``Booster.predict`` and ``pred_contrib`` on one numpy row), plus
an in-process breakdown of (a).  The issue's target (ours at most half of mlflow's median
latency, at least twice its throughput at 8 clients) is printed against both peers.
Nothing is asserted; the figures are printed.

Usage: ``python benchmarks/bench_serving.py [--applications 10000] [--requests 400] [--rounds 1]
[--postgres postgresql+psycopg://postgres@127.0.0.1:5432]``
(about 3-6 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from risk.clock import WallClock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 120.0) -> None:
    import httpx

    end = time.time() + timeout
    while time.time() < end:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def _load(url: str, bodies: list[bytes], headers: dict, clients: int, n: int) -> dict:
    """Send ``n`` requests from ``clients`` threads (keep-alive, TCP_NODELAY); time each."""
    import httpx

    latencies: list[float] = []
    lock, counter = threading.Lock(), iter(range(n))
    errors = []

    def worker() -> None:
        with httpx.Client(
            headers={**headers, "Content-Type": "application/json"}, timeout=30
        ) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                r = client.post(url, content=bodies[i % len(bodies)])
                took = time.perf_counter() - t0
                if r.status_code != 200:
                    errors.append(r.text[:200])
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return _figures(latencies, wall)


def _figures(latencies: list[float], seconds: float) -> dict:
    """Median and p99 latency (ms) of the requests, and requests per second over ``seconds``."""
    ms = np.asarray(latencies) * 1000
    return {
        "median_ms": float(np.median(ms)),
        "p99_ms": float(np.percentile(ms, 99)),
        "rps": len(latencies) / seconds,
    }


def _world(root: Path, n: int) -> tuple[Path, Path, dt.datetime]:
    from models import train_world
    from risk.settings import Settings
    from risk.synth import synthesize

    print(f"synthesising {n} applications and training ...", flush=True)
    synthesize(n, 7, root / "world", years=1)
    bundle = train_world(root / "world", settings=Settings()).bundle.save(root / "bundle")
    return root / "world", bundle, dt.datetime(2023, 12, 1)


def _payloads(world: Path, cutoff: dt.datetime, limit: int) -> list[dict]:
    import polars as pl

    from risk.io import load_tables

    tables = load_tables(world)
    new = tables.applications.filter(pl.col("submitted_at") >= cutoff).collect().head(limit)
    docs = tables.documents.collect()
    return [
        json.loads(
            json.dumps(
                {
                    "application": a,
                    "documents": docs.filter(
                        pl.col("application_id") == a["application_id"]
                    ).to_dicts(),
                },
                default=str,
            )
        )
        for a in new.to_dicts()
    ]


def _prepare_store(url: str, world: Path, cutoff: dt.datetime) -> str:
    """Load the history before ``cutoff`` into the store at ``url``; a token for the load."""
    from risk.io import load_tables
    from serving.services import create_token, create_user, load_raw_tables
    from serving.store import Store

    store = Store(url)
    store.upgrade()
    with store.transaction() as session:
        clock = WallClock()
        load_raw_tables(session, load_tables(world), clock=clock, before=cutoff)
        create_user(session, "bench", "officer", clock=clock)
        token = create_token(session, "bench", clock=clock)
    store.dispose()
    return token


class _Databases:
    """Where (a) keeps its store: a SQLite file, or scratch PostgreSQL databases.

    ``loaded`` receives the history; the in-process breakdown writes to it, and the
    service runs on ``serving`` (without a challenger) and ``shadowed`` (with one),
    copies of it as loaded (file copies, or PostgreSQL ``CREATE DATABASE ... TEMPLATE``).
    PostgreSQL databases are dropped at the end.
    """

    def __init__(self, root: Path, postgres: str | None) -> None:
        self.root, self.server = root, postgres.rstrip("/") if postgres else None
        tag = f"amanah_bench_{os.getpid()}"
        if self.server is None:
            self._files = ("amanah-loaded.db", "amanah.db", "amanah-shadow.db")
            self.loaded, self.serving, self.shadowed = (
                f"sqlite:///{root / f}" for f in self._files
            )
        else:
            self._names = (f"{tag}_loaded", tag, f"{tag}_shadow")
            self._admin("CREATE DATABASE {}", self._names[0])
            self.loaded, self.serving, self.shadowed = (f"{self.server}/{n}" for n in self._names)

    def copy(self) -> None:
        """Make ``serving`` and ``shadowed`` copies of ``loaded`` as it was loaded."""
        if self.server is None:
            for name in self._files[1:]:
                shutil.copy(self.root / self._files[0], self.root / name)
        else:
            for name in self._names[1:]:
                self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
                self._admin("CREATE DATABASE {} TEMPLATE " + self._names[0], name)

    def drop(self) -> None:
        if self.server is not None:
            for name in self._names:
                self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def _admin(self, sql: str, name: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(f"{self.server}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(sql.format(name))
        engine.dispose()


def _serve(root: Path, url: str, bundle: Path, shadow: Path | None):
    """Start ``risk serve`` on the store at ``url`` (with ``shadow`` as its challenger)."""
    port = _free_port()
    env = {
        **os.environ,
        "RISK_DATA_DIR": str(root),
        "RISK_SERVING__DATABASE_URL": url,
        "RISK_REVIEW__BLIND_SAMPLE_RATE": "0",
    }
    if shadow is not None:  # a challenger scoring every request in shadow
        env["RISK_SERVING__SHADOW_BUNDLE_PATH"] = str(shadow)
    risk = str(Path(sys.executable).parent / "risk")
    proc = subprocess.Popen(
        [risk, "serve", "--port", str(port), "--bundle", str(bundle)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


def _round(
    root: Path,
    databases: _Databases,
    bundle: Path,
    token: str,
    payloads: list[dict],
    n: int,
    first: str,
) -> dict[str, dict]:
    """One round: the service without a challenger and a copy with one, both running.

    At one client the requests alternate between the two (the same application to each,
    in alternating order), so a change in the machine's speed during the round hits both
    alike; at eight clients each is loaded in turn, ``first`` first.
    """
    stores = {"without": databases.serving, "with": databases.shadowed}
    before = {w: _count(url, "scores") for w, url in stores.items()}
    servers = {
        w: _serve(root, url, bundle, bundle if w == "with" else None) for w, url in stores.items()
    }
    procs = {w: proc for w, (proc, _) in servers.items()}
    targets = {w: f"{base}/v1/applications/score" for w, (_, base) in servers.items()}
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [json.dumps(p).encode() for p in payloads]
    out: dict[str, dict] = {"without": {}, "with": {}}
    try:
        for _, base in servers.values():
            _wait(f"{base}/v1/health")
        # Each phase sends applications not seen before (a re-sent one is only checked
        # against the stored copy), as long as there are enough new ones.
        for target in targets.values():
            _load(target, bodies[-30:], headers, 1, 30)  # warm-up
        # Measure the services as they run, not the shadow's start-up.
        for proc in procs.values():
            _idle_children(proc.pid)
        cpu = {w: _cpu(proc.pid) for w, proc in procs.items()}
        paired = _alternate(targets, bodies[:n] or bodies, headers, n, first)
        after = {w: _cpu(proc.pid) for w, proc in procs.items()}
        for w, proc in procs.items():
            out[w][1] = paired[w] | _spent(cpu[w], after[w], n)
            # the shadow process catches up in the pause after a phase, not in the next one
            _idle_children(proc.pid)
        for w in (first, "with" if first == "without" else "without"):
            cpu_w = _cpu(procs[w].pid)
            out[w][8] = _load(targets[w], bodies[n : 2 * n] or bodies, headers, 8, n)
            out[w][8] |= _spent(cpu_w, _cpu(procs[w].pid), n)
            _idle_children(procs[w].pid)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=30)
    # shut down: what was queued is written by now
    out["with"][1]["shadow_written"] = _count(stores["with"], "shadow_scores")
    out["with"][1]["scores_added"] = _count(stores["with"], "scores") - before["with"]
    return out


def _spent(before: tuple[float, float], after: tuple[float, float], n: int) -> dict:
    """CPU per request, in ms: the server, and the processes it started (shadow)."""
    server, children = ((b - a) * 1000 / n for a, b in zip(before, after, strict=True))
    return {"cpu_ms": server, "child_cpu_ms": children}


def _alternate(
    targets: dict[str, str], bodies: list[bytes], headers: dict, n: int, first: str
) -> dict[str, dict]:
    """Send each of ``n`` applications to both targets, one request at a time, alternating
    which goes first; each target's median, p99 and requests per second of its own time."""
    import httpx

    names = list(targets)
    if names[0] != first:
        names.reverse()
    latencies: dict[str, list[float]] = {w: [] for w in names}
    clients = {
        w: httpx.Client(headers={**headers, "Content-Type": "application/json"}, timeout=30)
        for w in names
    }
    try:
        for i in range(n):
            for w in names if i % 2 == 0 else names[::-1]:
                t0 = time.perf_counter()
                r = clients[w].post(targets[w], content=bodies[i % len(bodies)])
                latencies[w].append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise RuntimeError(f"a failed request ({w} a challenger): {r.text[:200]}")
    finally:
        for client in clients.values():
            client.close()
    return {w: _figures(took, sum(took)) for w, took in latencies.items()}


def _count(url: str, table: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def _cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of process ``pid`` and of all its descendants."""
    import psutil

    proc = psutil.Process(pid)
    kids = 0.0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # ended meanwhile
            kids += sum(child.cpu_times()[:2])
    return sum(proc.cpu_times()[:2]), kids


def _idle_children(pid: int, limit: float = 300.0) -> None:
    """Wait until the processes ``pid`` started stop using the CPU (loaded, caught up)."""
    end, spent = time.time() + limit, _cpu(pid)[1]
    while time.time() < end:
        time.sleep(1.0)
        before, spent = spent, _cpu(pid)[1]
        if spent - before < 0.02:
            return


def _feature_rows(root: Path, url: str, bundle_dir: Path, payloads: list[dict]):
    """Feature rows of the payloads (through the service code) and the in-process breakdown."""
    from features import feature_row
    from models import load_bundle
    from risk.settings import Settings
    from serving.schemas import ScoreRequest
    from serving.services import Principal, load_lookups, score_application
    from serving.store import Store

    settings = Settings(data_dir=root)
    settings = settings.with_section("review", blind_sample_rate=0.0)
    bundle = load_bundle(bundle_dir)
    store = Store(url)
    rows: list[dict] = []
    times: dict[str, list[float]] = {k: [] for k in ("lookups", "features", "score", "full")}
    for p in payloads[:60]:
        req = ScoreRequest.model_validate(p)
        app, docs = req.application.model_dump(), [d.model_dump() for d in req.documents]
        with store.reading() as session:
            t0 = time.perf_counter()
            lookups = load_lookups(session, app, settings)
            t1 = time.perf_counter()
            row = feature_row(app, docs, lookups, settings=settings)
            t2 = time.perf_counter()
            bundle.score_one(row)
            t3 = time.perf_counter()
        rows.append(row)
        times["lookups"].append(t1 - t0)
        times["features"].append(t2 - t1)
        times["score"].append(t3 - t2)
        t0 = time.perf_counter()
        with store.transaction() as session:
            score_application(
                session,
                bundle,
                settings,
                Principal(1, "bench", "officer"),
                app,
                docs,
                clock=WallClock(),
            )
        times["full"].append(time.perf_counter() - t0)
    store.dispose()
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    breakdown = {
        "history look-ups (SQL)": med(times["lookups"]),
        "feature row": med(times["features"]),
        "score + SHAP reasons": med(times["score"]),
        "whole transaction (inputs, features, score, log, case, audit, commit)": med(times["full"]),
    }
    return bundle, rows, breakdown


def _floor(bundle, rows) -> dict:
    x = np.vstack([bundle.schema.encode_row(r) for r in rows])
    booster = bundle.booster
    one = x[:1]
    for _ in range(50):
        booster.predict(one, num_threads=1)
    reps = 2000
    t0 = time.perf_counter()
    for i in range(reps):
        booster.predict(x[i % len(x) : i % len(x) + 1], num_threads=1)
    t1 = time.perf_counter()
    for i in range(reps // 4):
        booster.predict(x[i % len(x) : i % len(x) + 1], pred_contrib=True, num_threads=1)
    t2 = time.perf_counter()
    return {"predict_us": (t1 - t0) / reps * 1e6, "pred_contrib_us": (t2 - t1) / (reps // 4) * 1e6}


def _mlflow(root: Path, bundle, rows, n: int, *, signature: bool) -> dict | None:
    """``mlflow models serve`` on the booster; ``signature``: saved as the registry logs it.

    The registry (experiments._model.log_lightgbm) logs the model with a signature
    and an input example, so its server checks every request against the schema;
    without them it passes the frame straight to LightGBM.
    """
    if shutil.which("mlflow") is None and not (Path(sys.executable).parent / "mlflow").exists():
        print("mlflow CLI not found; skipping (b)")
        return None
    import mlflow.lightgbm
    import pandas as pd
    from mlflow.models import infer_signature

    model_dir = root / ("mlflow_model_signed" if signature else "mlflow_model_bare")
    names = list(bundle.schema.names)
    x = np.vstack([bundle.schema.encode_row(r) for r in rows])
    example = pd.DataFrame(x[:5], columns=names)
    logged = (
        {
            "signature": infer_signature(example, bundle.booster.predict(x[:5], num_threads=1)),
            "input_example": example,
        }
        if signature
        else {}
    )
    mlflow.lightgbm.save_model(bundle.booster, str(model_dir), **logged)
    # NaN (missing) stays a float: None would make pandas columns of dtype object.
    bodies = [
        json.dumps({"dataframe_split": {"columns": names, "data": [row.tolist()]}}).encode()
        for row in x
    ]
    port = _free_port()
    exe = str(Path(sys.executable).parent / "mlflow")
    command = [exe, "models", "serve", "-m", str(model_dir), "-p", str(port), "-h", "127.0.0.1"]
    proc = subprocess.Popen(
        [*command, "--env-manager", "local", "-w", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # mlflow starts ``uvicorn`` by name: the venv's bin must be on PATH.
        env={**os.environ, "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    try:
        _wait(f"http://127.0.0.1:{port}/ping")
        target = f"http://127.0.0.1:{port}/invocations"
        _load(target, bodies, {}, 1, 30)
        return {c: _load(target, bodies, {}, c, n) for c in (1, 8)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _print(name: str, figures: dict | None) -> None:
    if figures is None:
        return
    for clients, f in figures.items():
        cpu = f" CPU/request {f['cpu_ms']:.2f} ms" if "cpu_ms" in f else ""
        if f.get("child_cpu_ms"):
            cpu += f" + {f['child_cpu_ms']:.2f} ms in the shadow process"
        if "shadow_written" in f:
            cpu += (f" (shadow scores written: {f['shadow_written']:.0f} for"
                    f" {f['scores_added']:.0f} new scores)")  # fmt: skip
        print(
            f"{name:<34} {clients:>2} clients  median {f['median_ms']:8.2f} ms"
            f"  p99 {f['p99_ms']:8.2f} ms  {f['rps']:8.1f} req/s{cpu}"
        )


def _median_runs(runs: list[dict]) -> dict:
    """Each figure's median over the rounds."""
    return {
        clients: {k: statistics.median(r[clients][k] for r in runs) for k in runs[0][clients]}
        for clients in runs[0]
    }


def _shadow_cost(runs: dict[str, list[dict]]) -> None:
    """The champion's median with a challenger minus without, round by round and overall."""
    pairs = [
        w[1]["median_ms"] - wo[1]["median_ms"]
        for w, wo in zip(runs["with"], runs["without"], strict=True)
    ]
    if len(pairs) > 1:
        print("shadow scoring's cost per round, ms: " + ", ".join(f"{d:+.2f}" for d in pairs))
    print(
        f"shadow scoring's cost on the champion's median: {statistics.median(pairs):+.2f} ms"
        f" (median over {len(pairs)} round{'s' if len(pairs) != 1 else ''}; target <= 0.3)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        help="run (a) on PostgreSQL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432"
        " (scratch databases are created and dropped); default: the embedded SQLite store",
    )
    parser.add_argument("--no-mlflow", action="store_true", help="skip the mlflow peers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure (a) without and with a challenger this many times, alternating which"
        " goes first; figures are medians over the rounds",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="amanah-bench-"))
    databases = _Databases(root, args.postgres)
    try:
        world, bundle_dir, cutoff = _world(root, args.applications)
        # Enough new applications for every phase to send ones not seen before.
        payloads = _payloads(world, cutoff, 2 * args.requests + 30)
        token = _prepare_store(databases.loaded, world, cutoff)
        databases.copy()  # the service starts from the store as loaded
        bundle, rows, breakdown = _feature_rows(root, databases.loaded, bundle_dir, payloads)
        floor = _floor(bundle, rows)
        where = databases.serving.split(":")[0]
        runs: dict[str, list[dict]] = {"without": [], "with": []}
        n = args.requests
        for r in range(args.rounds):
            # Alternate which goes first, so a drift in the machine's load hits both alike.
            first = "without" if r % 2 == 0 else "with"
            databases.copy()  # the same applications each time, on the store as loaded
            print(
                f"round {r + 1}/{args.rounds}: (a) on {where}, without and with a challenger"
                f" in shadow (load average {os.getloadavg()[0]:.2f}) ...",
                flush=True,
            )
            result = _round(root, databases, bundle_dir, token, payloads, n, first)
            for which, figures in result.items():
                runs[which].append(figures)
        ours, shadowed = _median_runs(runs["without"]), _median_runs(runs["with"])
        signed = bare = None
        if not args.no_mlflow:
            print("measuring (b) mlflow models serve, as the registry logs it ...", flush=True)
            signed = _mlflow(root, bundle, rows, args.requests, signature=True)
            print("measuring (b') mlflow models serve, bare booster ...", flush=True)
            bare = _mlflow(root, bundle, rows, args.requests, signature=False)
        print(
            f"\nmodel {bundle.version}: {len(bundle.schema.names)} features,"
            f" {bundle.booster.num_trees()} trees; {len(payloads)} new applications;"
            f" {args.requests} requests per row; load average {os.getloadavg()[0]:.2f}"
        )
        _print("(a) Amanah full score + log", ours)
        _print("(a+) the same with a challenger in shadow", shadowed)
        _shadow_cost(runs)
        _print("(b) mlflow serve, registry model", signed)
        _print("(b') mlflow serve, bare booster", bare)
        print(
            f"in-process floor: Booster.predict {floor['predict_us']:.0f} us,"
            f" pred_contrib {floor['pred_contrib_us']:.0f} us (one numpy row)"
        )
        print(
            "in-process breakdown of (a), ms: "
            + ", ".join(f"{k} {v:.2f}" for k, v in breakdown.items())
        )
        for label, theirs in (("(b) registry model", signed), ("(b') bare booster", bare)):
            if theirs:
                ratio = ours[1]["median_ms"] / theirs[1]["median_ms"]
                tput = ours[8]["rps"] / theirs[8]["rps"]
                print(
                    f"against {label}: median ratio ours/mlflow {ratio:.2f} (target <= 0.5);"
                    f" throughput ratio at 8 clients {tput:.2f} (target >= 2)"
                )
    finally:
        databases.drop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
