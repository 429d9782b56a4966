"""Benchmark of the backtest: logged inputs replayed through a model, against its floor.

Prints figures; asserts nothing.  One model (``train_world`` with the default settings)
on a synthetic world; its feature rows written as the inference log stores them (the
encoded row's bytes beside the JSON text, values as the service logs them), repeated to
``--rows`` (1,000,000 by default).  Runs interleaved, medians of ``--repeats``:

- ours: :func:`models._backtest.replay_logged` on the logged rows as ``risk backtest``
  reads them from the store (the catalogue check, the encoded rows' bytes into the
  matrix, margin, calibration, band, flag);
- JSON: the same on rows logged before the log kept the bytes (JSON decoding with the
  model's types, then encoding);
- floor: ``Booster.predict(raw_score=True)`` on the already-encoded float matrix of the
  same rows, with the same threads.

The store read that precedes a backtest (one SELECT of the period, bytes or JSON) is
timed separately on a SQLite file holding one score per application of the world.

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


def _logged_rows(bundle, frame, rows: int) -> tuple[list[str], list[bytes]]:
    from models._logged_rows import logged_row
    from serving.services._scoring import _jsonable

    names, schema = bundle.feature_names, bundle.schema
    texts, blobs = [], []
    for r in frame.select(names).iter_rows(named=True):
        texts.append(json.dumps({k: _jsonable(v) for k, v in r.items()}))
        blobs.append(logged_row(schema, r, schema.encode_row(r)))
    repeat = rows // len(texts) + 1
    return (texts * repeat)[:rows], (blobs * repeat)[:rows]


def _store_read(texts: list[str], blobs: list[bytes], bundle, data_dir: Path, world: Path) -> None:
    """Time one period's SELECT from a SQLite store holding one score per application."""
    import datetime as dt

    import sqlalchemy as sa

    from risk.io import load_tables
    from serving.store import FeatureEncoding, Score, Store, raw_table

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
            "encoded_features": blobs[i % len(blobs)],
            "feature_encoding": bundle.schema.encoding_id,
        }
        for i in range(n)
    ]
    with store.transaction() as session:
        session.execute(sa.insert(raw_table("applications")), apps)
        session.execute(sa.insert(Score.__table__), scores)
        encoding = {"encoding_id": bundle.schema.encoding_id, "features": bundle.schema.to_dict()}
        session.execute(sa.insert(FeatureEncoding.__table__), [encoding])
    from serving.services import logged_scores

    def read(readers):
        with store.reading() as session:
            return logged_scores(session, at.date(), at.date(), readers=readers)

    med = _interleaved({"bytes": lambda: read([bundle]), "json": lambda: read([])}, 3)
    store.dispose()
    path.unlink(missing_ok=True)
    print(f"store read (SQLite, one period of {n:,} scores, medians of 3):")
    print(f"  encoded rows' bytes: {med['bytes']:.2f} s; JSON text: {med['json']:.2f} s")


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
    if not args.no_store:
        # first, while the process holds no million-row lists for the garbage collector
        # to walk each time it runs during the read
        world = args.data_dir / f"world-{args.applications}"
        _store_read(*_logged_rows(bundle, frame, frame.height), bundle, args.data_dir, world)
    texts, blobs = _logged_rows(bundle, frame, args.rows)
    ids = {
        "score_id": [str(i) for i in range(args.rows)],
        "model_version": [bundle.version] * args.rows,
    }
    # as the store gives them: the bytes where the model reads them, else the JSON
    encoded = pl.DataFrame(
        {
            **ids,
            "features": pl.Series([None] * args.rows, dtype=pl.String),
            "encoded_features": pl.Series(blobs, dtype=pl.Binary),
            "feature_encoding": [bundle.schema.encoding_id] * args.rows,
        }
    )
    logged = pl.DataFrame({**ids, "features": texts})
    del blobs
    encodings = {bundle.schema.encoding_id: bundle.schema}
    matrix = logged_matrix(bundle, logged["features"])
    threads = bundle.num_threads
    med = _interleaved(
        {
            "ours": lambda: replay_logged(bundle, encoded, encodings=encodings),
            "json": lambda: replay_logged(bundle, logged),
            "floor": lambda: bundle.booster.predict(matrix, raw_score=True, num_threads=threads),
        },
        args.repeats,
    )
    ours, old, floor = (args.rows / med[k] for k in ("ours", "json", "floor"))
    print(
        f"backtest of {args.rows:,} logged inputs, {threads} threads (medians of {args.repeats}):"
    )
    print(f"  replay_logged (encoded rows -> score, band, flag): {ours:>10,.0f} rows/s")
    print(f"  replay_logged (JSON rows -> score, band, flag):    {old:>10,.0f} rows/s")
    print(f"  Booster.predict (encoded matrix, raw margin):      {floor:>10,.0f} rows/s")
    print(f"  ratio ours/floor: {ours / floor:.0%} (target >= 50%); JSON/floor: {old / floor:.0%}")


if __name__ == "__main__":
    main()
