"""Page latencies of the case screens and the oversight portal (prints figures; not a test).

Builds the web tests' small world (3,000 applications, a model trained with
``train_world``, 45 applications scored through the service into a SQLite store), then
times each page through an in-process client: median and 90th percentile over N requests.

Run: ``python benchmarks/bench_web.py [N]``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))

from web_world import WORLD_SIZE, fast_settings, seed_store, sign_in, train_bundle


def _client(app, username: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    client = TestClient(app, follow_redirects=False)
    client.__enter__()
    sign_in(client, username)
    return client


def main(n: int = 30) -> None:
    from risk.synth import synthesize
    from serving import ModelHolder, Store, create_app

    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    synthesize(WORLD_SIZE, 5, root / "world", start="2023-01-01", years=2)
    settings = fast_settings(root / "data")
    bundle = train_bundle(root / "world", settings)
    store = Store(settings.database_url)
    store.upgrade()
    world = seed_store(store, root / "world", bundle, settings)
    holder = ModelHolder(settings)
    holder._bundle = bundle
    app = create_app(settings, store=store, model_holder=holder, load_model=False)
    officer, auditor = _client(app, "officer"), _client(app, "auditor")
    pages = [
        ("officer", officer, "/queue"),
        ("officer", officer, f"/cases/{world.case_ids[0]}"),
        ("auditor", auditor, "/oversight"),
        ("auditor", auditor, "/oversight/fairness"),
        ("anyone", auditor, "/transparency/report.html"),
        ("anyone", auditor, "/transparency/report.csv"),
    ]
    print(f"{'page':<34}{'median ms':>11}{'p90 ms':>9}   (n={n}, SQLite, in-process client)")
    for who, client, path in pages:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (path, r.status_code)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{who + ' ' + path:<34}{statistics.median(times):>11.1f}{p90:>9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
