"""Benchmark of keeping each score's encoded row in the inference log: its cost on a score.

Prints figures; asserts nothing.  One model (``train_world`` on a small synthetic
world), its history loaded into a store, then new applications scored in process
through :func:`serving.services.score_application` (inputs, features, score, reasons,
the log, the case, the audit entry, commit), alternating request by request between

- kept: the service as it is (the row's bytes and its encoding's id written with the
  score);
- not kept: the same with the encoded row left out (both columns NULL), as before
  the log kept it;

medians of the whole transaction.  Also the in-process cost of making the row's bytes
(:func:`models._logged_rows.logged_row`) and of the whole ``encoded_row`` step once
the encoding is stored, and of the score row's insert alone with and without the bytes.

Usage::

    python benchmarks/bench_encoded_row.py                  # SQLite file
    python benchmarks/bench_encoded_row.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _timed(fn, repeats: int) -> float:
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats


def _inserts(store, n: int) -> dict[str, float]:
    """Medians of inserting a copy of a logged score, with and without its bytes, alternating."""
    import uuid

    import sqlalchemy as sa

    from serving.store import Score

    table = Score.__table__
    with store.reading() as session:
        kept = sa.select(table).where(table.c.encoded_features.is_not(None)).limit(1)
        logged = dict(session.connection().execute(kept).mappings().one())
    times: dict[str, list[float]] = {"kept": [], "not kept": []}
    for i in range(n):
        way = "kept" if i % 2 else "not kept"
        row = logged | {"score_id": str(uuid.uuid4())}
        if way == "not kept":
            row |= {"encoded_features": None, "feature_encoding": None}
        t = time.perf_counter()
        with store.transaction() as session:
            session.connection().execute(table.insert(), row)
        times[way].append(time.perf_counter() - t)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def _score_alternating(store, bundle, settings, payloads):
    """Whole scoring transactions, the encoded row kept and left out by turns; the
    in-flow time of each kept ``encoded_row``; one application's feature row."""
    import serving.services._scoring as scoring
    from risk.clock import WallClock
    from serving.schemas import ScoreRequest
    from serving.services import Principal, compute_features, score_application

    real, spent = scoring.encoded_row, []

    def kept(*args):
        t = time.perf_counter()
        out = real(*args)
        spent.append(time.perf_counter() - t)
        return out

    not_kept = lambda *a: {"encoded_features": None, "feature_encoding": None}  # noqa: E731
    times: dict[str, list[float]] = {"kept": [], "not kept": []}
    row = None
    try:
        for i, p in enumerate(payloads):
            req = ScoreRequest.model_validate(p)
            app, docs = req.application.model_dump(), [d.model_dump() for d in req.documents]
            way = "kept" if i % 2 else "not kept"
            scoring.encoded_row = kept if way == "kept" else not_kept
            t = time.perf_counter()
            with store.transaction() as session:
                score_application(
                    session, bundle, settings, Principal(1, "bench", "officer"), app, docs,
                    clock=WallClock(),
                )  # fmt: skip
            times[way].append(time.perf_counter() - t)
            if row is None:
                with store.reading() as session:
                    row = compute_features(session, app, docs, settings)
    finally:
        scoring.encoded_row = real
    return times, spent, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=6_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: a SQLite file)")
    args = parser.parse_args()

    from bench_serving import _Databases, _payloads, _prepare_store, _world

    from models import load_bundle
    from models._logged_rows import logged_row
    from risk.settings import Settings
    from serving.services._encodings import encoded_row
    from serving.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world, bundle_dir, cutoff = _world(root, args.applications)
        payloads = _payloads(world, cutoff, args.requests)
        databases = _Databases(root, args.postgres)
        try:
            _prepare_store(databases.loaded, world, cutoff)
            settings = Settings(data_dir=root).with_section("review", blind_sample_rate=0.0)
            bundle = load_bundle(bundle_dir)
            store = Store(databases.loaded)
            times, spent, row = _score_alternating(store, bundle, settings, payloads)
            case = bundle.score_one(row)
            with store.transaction() as session:
                step = _timed(lambda: encoded_row(session, bundle, row, case), 2000)
            make = _timed(lambda: logged_row(bundle.schema, row, case.encoded), 20000)
            inserts = _inserts(store, 2 * len(payloads))
            store.dispose()
        finally:
            databases.drop()
    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    where = "PostgreSQL" if args.postgres else "SQLite"
    n = len(payloads)
    print(f"score_application on {where}, {n} new applications alternating (medians, ms):")
    print(f"  encoded row kept:     {med['kept']:.3f}")
    print(f"  encoded row not kept: {med['not kept']:.3f}")
    print(f"  difference:           {med['kept'] - med['not kept']:+.3f}")
    print(
        f"  encoded_row inside those kept transactions: median {statistics.median(spent) * 1e6:.1f}"
        f" us, max {max(spent) * 1e6:.0f} us (the first, storing the encoding)"
    )
    print(
        f"the score row's insert alone, its own transaction ({len(payloads)} each,"
        f" alternating, medians, ms): with the bytes {inserts['kept']:.3f},"
        f" without {inserts['not kept']:.3f}"
    )
    print(f"the row's bytes (logged_row): {make * 1e6:.1f} us;")
    print(f"encoded_row with the encoding stored (bytes + id look-up): {step * 1e6:.1f} us")


if __name__ == "__main__":
    main()
