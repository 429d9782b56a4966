"""How long a single score waits while a 500-item batch runs (prints figures; not a test).

One process, one SQLite store, the real routes through an in-process client: a thread
sends ``POST /v1/applications/score-batch`` with 500 new applications while another
sends ``POST /v1/applications/score`` (other new applications) every 100 ms (open
loop: each arrival is timed, however long the ones before it wait).
The single score's latency is compared three ways in the same run, each on a fresh
copy of the same store:

* **idle**: no batch running (the floor);
* **lock held for the batch** (the peer: how batches ran before): the batch's
  features, scores and writes all inside one write transaction;
* **one write transaction** (how batches ran until now): features and scores
  computed in a read snapshot, all 500 items stored in one write transaction;
* **short write transactions** (``serving.services.score_batch``): the same, stored
  in transactions of ``--chunk`` items (``serving.batch_write_chunk``), so a single
  score waits for one chunk, not the whole batch.

The target: a single score waits at most 100 ms more (median) while a batch runs.

Run: ``python benchmarks/bench_batch.py [--applications N] [--batch 500] [--chunk 10]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np


def _world(root: Path, n: int):
    import polars as pl

    from models import train_world
    from risk.io import load_tables
    from risk.settings import ModelSettings, Settings
    from risk.synth import synthesize

    if not (root / "bundle").exists():
        print(f"synthesising {n} applications and training a small model ...", flush=True)
        synthesize(n, 7, root / "world", years=1)
        fast = Settings(
            model=ModelSettings(num_threads=1, max_rounds=150, early_stopping_rounds=20)
        )
        train_world(root / "world", settings=fast).bundle.save(root / "bundle")
    bundle = root / "bundle"
    tables = load_tables(root / "world")
    cutoff = dt.datetime(2023, 9, 1)
    new = tables.applications.filter(pl.col("submitted_at") >= cutoff).sort("submitted_at")
    docs = tables.documents.collect()
    payloads = [
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
        for a in new.collect().to_dicts()
    ]
    return tables, bundle, cutoff, payloads


def _loaded_store(root: Path, tables, cutoff) -> tuple[Path, str]:
    from risk.clock import WallClock
    from serving.services import create_token, create_user, load_raw_tables
    from serving.store import Store

    path = root / "loaded.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    with store.transaction() as session:
        load_raw_tables(session, tables, clock=WallClock(), before=cutoff)
        create_user(session, "bench", "officer", clock=WallClock())
        token = create_token(session, "bench", clock=WallClock())
    store.dispose()
    return path, token


def _lock_for_the_whole_batch(store, bundle, settings, principal, items, *, clock, rng, **_):
    """The peer: every item scored and written inside one write transaction."""
    from serving.services import score_application

    out = []
    with store.transaction() as session:
        for i in items:
            out.append(
                score_application(
                    session,
                    bundle,
                    settings,
                    principal,
                    i.application,
                    i.documents,
                    clock=clock,
                    lang=i.lang,
                    rng=rng,
                )
            )
    return out


def _run(
    app_factory, db: Path, token: str, batch: list, singles: list, mode: str, interval: float
) -> dict:
    from fastapi.testclient import TestClient

    import serving.routers.applications as route
    import serving.services._batch as batch_module

    app, store = app_factory(db, mode)
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    starts: list[float] = []
    computed: list[float] = []  # when the batch's compute step ended (its writes began)
    batch_seconds: list[float] = []
    done = threading.Event()
    patch = (
        _patched(route, "score_batch_items", _lock_for_the_whole_batch)
        if mode == "lock held for the batch"
        else contextlib.nullcontext()
    )
    real_compute = batch_module._compute

    def timed_compute(*args):
        marks = real_compute(*args)
        computed.append(time.perf_counter())
        return marks

    with TestClient(app) as client, patch, _patched(batch_module, "_compute", timed_compute):
        for p in singles[:5]:  # warm-up (first requests build caches)
            client.post("/v1/applications/score", headers=headers, json=p)

        def send_batch() -> None:
            t0 = time.perf_counter()
            r = client.post("/v1/applications/score-batch", headers=headers, json={"items": batch})
            batch_seconds.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            done.set()

        # Open loop: a single score arrives every ``interval`` whatever the others are
        # doing, so one stuck behind the lock does not hold back the next arrival.
        def send_one(p: dict) -> None:
            t0 = time.perf_counter()
            r = client.post("/v1/applications/score", headers=headers, json=p)
            latencies.append((time.perf_counter() - t0) * 1000)
            starts.append(t0)
            assert r.status_code == 200, r.text

        thread = threading.Thread(target=send_batch)
        if mode != "idle":
            thread.start()
        senders = []
        for p in singles[5:105] if mode == "idle" else singles[5:]:
            time.sleep(interval)
            if mode != "idle" and done.is_set():
                break
            senders.append(threading.Thread(target=send_one, args=(p,)))
            senders[-1].start()
        for t in senders:
            t.join()
        if mode != "idle":
            thread.join()
    store.dispose()
    ms = np.array(latencies)
    writing = np.array(starts) >= (computed[0] if computed else np.inf)
    return {
        "computing": float(np.median(ms[~writing])) if computed and (~writing).any() else None,
        "writing": float(np.median(ms[writing])) if writing.any() else None,
        "n": len(ms),
        "median": float(np.median(ms)),
        "p90": float(np.percentile(ms, 90)),
        "max": float(ms.max()),
        "batch_s": batch_seconds[0] if batch_seconds else None,
    }


@contextlib.contextmanager
def _patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=8000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--every", type=float, default=100.0, help="ms between single scores")
    parser.add_argument(
        "--chunk", type=int, help="items a write transaction (default: the setting)"
    )
    parser.add_argument("--root", type=Path, help="a folder to keep (and reuse) the world in")
    args = parser.parse_args()
    logging.basicConfig(format="  %(name)s: %(message)s")
    logging.getLogger("serving.batch").setLevel(logging.INFO)  # the batch's own timings

    from risk.settings import Settings
    from serving import create_app
    from serving.store import Store

    root = args.root or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    root.mkdir(parents=True, exist_ok=True)
    tables, bundle, cutoff, payloads = _world(root, args.applications)
    need = args.batch + 400
    if len(payloads) < need:
        raise SystemExit(f"only {len(payloads)} new applications; raise --applications")
    batch, singles = payloads[: args.batch], payloads[args.batch : need]
    loaded, token = _loaded_store(root, tables, cutoff)

    chunk = args.chunk or Settings().serving.batch_write_chunk
    chunks = {"one write transaction": args.batch, "short write transactions": chunk}

    def app_factory(db: Path, mode: str):
        copy = root / "run.db"
        shutil.copy(db, copy)
        for suffix in ("-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
        settings = Settings(data_dir=root)
        settings = settings.with_section(
            "serving",
            model_source="bundle",
            bundle_path=bundle,
            batch_write_chunk=chunks.get(mode, chunk),
        ).with_section("review", blind_sample_rate=0.0)
        store = Store(f"sqlite:///{copy}")
        return create_app(settings, store=store, seed=7), store

    results = {}
    modes = ("idle", "lock held for the batch", "one write transaction", "short write transactions")
    for mode in modes:
        print(f"running: {mode} ...", flush=True)
        results[mode] = _run(app_factory, loaded, token, batch, singles, mode, args.every / 1000)
    idle = results["idle"]["median"]
    print()
    print(
        f"single POST /v1/applications/score while a {args.batch}-item batch runs"
        " (SQLite, one process, in-process client)"
    )
    print(
        f"{'':<26}{'n':>5}{'median ms':>11}{'p90 ms':>9}{'max ms':>9}{'added':>9}{'batch s':>9}"
        f"{'computing':>11}{'writing':>9}"
    )
    for mode, r in results.items():
        batch_s = "" if r["batch_s"] is None else f"{r['batch_s']:.2f}"
        split = "".join(
            f"{'' if r[k] is None else format(r[k], '.1f'):>{w}}"
            for k, w in (("computing", 11), ("writing", 9))
        )
        print(
            f"{mode:<26}{r['n']:>5}{r['median']:>11.1f}{r['p90']:>9.1f}{r['max']:>9.1f}"
            f"{r['median'] - idle:>9.1f}{batch_s:>9}{split}"
        )
    print(
        "(computing / writing: the median of the singles sent while the batch computed,"
        " and while it stored its items)"
    )
    new, old = results["short write transactions"], results["one write transaction"]
    peer = results["lock held for the batch"]
    print(
        f"\nadded median wait with {chunk}-item write transactions:"
        f" {new['median'] - idle:.1f} ms (target <= 100 ms); one write transaction:"
        f" {old['median'] - idle:.1f} ms; lock held for the batch: {peer['median'] - idle:.1f} ms;"
        f" worst single: {new['max']:.0f} ms vs {old['max']:.0f} ms vs {peer['max']:.0f} ms"
    )
    if args.root is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
