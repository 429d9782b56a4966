"""Benchmark of the backtest: logged inputs replayed through a model, against its floor.

Prints figures; asserts nothing.  One model (``train_world`` with the default settings)
on a synthetic world; its feature rows written as the inference log stores them (JSON
text, one object per score, values as the service logs them), repeated to ``--rows``
(1,000,000 by default).  Runs interleaved, medians of ``--repeats``:

- ours: :func:`models._backtest.replay_logged` on the logged rows (the catalogue
  check, JSON decoding with the model's types, encoding, margin, calibration, band,
  flag), which is what ``risk backtest`` does after reading the store;
- floor: ``Booster.predict(raw_score=True)`` on the already-encoded float matrix of the
  same rows, with the same threads.

The store read that precedes a backtest (one SELECT of the period) is timed once,
separately, on a SQLite file holding one score per application of the world.

Usage::

    python benchmarks/bench_backtest.py                       # 20k world, 1M rows
    python benchmarks/bench_backtest.py --rows 200000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def _interleaved(fns: dict, repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def _model_and_rows(data_dir: Path, applications: int, seed: int):
    import features
    from models import train_world
    from risk.io import load_tables
    from risk.synth import synthesize

    world = data_dir / f"world-{applications}"
    if not (world / "manifest.json").is_file():
        synthesize(applications, seed, world)
    t = time.perf_counter()
    bundle = train_world(world).bundle
    print(
        f"model: {bundle.meta['best_iteration']} trees, {len(bundle.feature_names)} features,"
        f" trained in {time.perf_counter() - t:.1f} s"
    )
    frame = features.build_features(load_tables(world)).collect()
    return bundle, frame


def _logged_texts(bundle, frame, rows: int) -> list[str]:
    from serving.services._scoring import _jsonable

    names = bundle.feature_names
    one = [
        json.dumps({k: _jsonable(v) for k, v in zip(names, r, strict=True)})
        for r in frame.select(names).iter_rows()
    ]
    return (one * (rows // len(one) + 1))[:rows]


def _store_read(texts: list[str], bundle, data_dir: Path, world: Path) -> None:
    """Time one period's SELECT from a SQLite store holding one score per application."""
    import datetime as dt

    import sqlalchemy as sa

    from risk.io import load_tables
    from serving.store import Score, Store, raw_table

    path = data_dir / "bench-backtest.db"
    path.unlink(missing_ok=True)
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    at = dt.datetime(2025, 1, 1)
    apps = load_tables(world).applications.collect().to_dicts()
    n = len(apps)
    scores = [
        {
            "score_id": f"S{i:09d}",
            "application_id": apps[i]["application_id"],
            "model_version": bundle.version,
            "input_fingerprint": "0" * 64,
            "features": json.loads(texts[i % len(texts)]),
            "score": 0.1,
            "margin": -2.0,
            "band": "low",
            "threshold": 0.5,
            "model_flag": False,
            "outcome": "no_flag",
            "route": "none",
            "reasons": {},
            "lang": "en",
            "created_at": at,
            "review_propensity": 0.02,
            "blind_sample_rate": 0.02,
        }
        for i in range(n)
    ]
    with store.transaction() as session:
        session.execute(sa.insert(raw_table("applications")), apps)
        session.execute(sa.insert(Score.__table__), scores)
    from serving.services import logged_scores

    t = time.perf_counter()
    with store.reading() as session:
        got = logged_scores(session, at.date(), at.date())
    took = time.perf_counter() - t
    store.dispose()
    path.unlink(missing_ok=True)
    print(f"store read (SQLite, one period): {got.height:,} scores in {took:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-store", action="store_true", help="skip the store read")
    parser.add_argument("--data-dir", type=Path, default=Path("amanah-data/bench"))
    args = parser.parse_args()

    import polars as pl

    from models._backtest import logged_matrix, replay_logged

    bundle, frame = _model_and_rows(args.data_dir, args.applications, args.seed)
    texts = _logged_texts(bundle, frame, args.rows)
    logged = pl.DataFrame(
        {
            "score_id": [str(i) for i in range(args.rows)],
            "model_version": [bundle.version] * args.rows,
            "features": texts,
        }
    )
    matrix = logged_matrix(bundle, logged["features"])
    threads = bundle.num_threads
    med = _interleaved(
        {
            "ours": lambda: replay_logged(bundle, logged),
            "floor": lambda: bundle.booster.predict(matrix, raw_score=True, num_threads=threads),
        },
        args.repeats,
    )
    ours, floor = args.rows / med["ours"], args.rows / med["floor"]
    print(
        f"backtest of {args.rows:,} logged inputs, {threads} threads (medians of {args.repeats}):"
    )
    print(f"  replay_logged (JSON rows -> score, band, flag): {ours:>10,.0f} rows/s")
    print(f"  Booster.predict (encoded matrix, raw margin):   {floor:>10,.0f} rows/s")
    print(f"  ratio ours/floor: {ours / floor:.0%} (target >= 50%)")
    if not args.no_store:
        world = args.data_dir / f"world-{args.applications}"
        _store_read(texts, bundle, args.data_dir, world)


if __name__ == "__main__":
    main()
