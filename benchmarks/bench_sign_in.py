"""Sign-in timing and limits (prints figures; not a test).

Times ``POST /login`` through an in-process client on a fresh SQLite store, interleaving a
wrong password for a known user with any password for an unknown name (the answers must
take the same time, or the timing tells which usernames exist), and a correct sign-in;
then counts how many wrong guesses one account and one address get before ``429``.  The
peer is the stdlib scrypt (N=2^14) the service hashed with before argon2id.

Run: ``python benchmarks/bench_sign_in.py [--requests N]``
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def _post(client, username: str, password: str) -> tuple[float, int]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    t0 = time.perf_counter()
    r = client.post("/login", data={"username": username, "password": password, "csrf": csrf})
    return (time.perf_counter() - t0) * 1000, r.status_code


def main(n: int = 40) -> None:
    from fastapi.testclient import TestClient

    from risk.clock import WallClock
    from risk.settings import Settings
    from serving import Store, create_app
    from serving.services import create_user
    from serving.store import SignInFailure

    logging.getLogger("serving.sign_in").setLevel(logging.ERROR)  # one line per refusal

    root = Path(tempfile.mkdtemp(prefix="bench-sign-in-"))
    settings = Settings(data_dir=root)
    settings.serving.model_source = "none"
    settings.security.account_max_failures = 10**6  # timing first; the limits below
    settings.security.address_max_failures = 10**6
    store = Store(settings.database_url)
    store.upgrade()
    with store.transaction() as session:
        create_user(session, "siti", "officer", password="teal-harbour-41", clock=WallClock())
    app = create_app(settings, store=store, load_model=False)
    client = TestClient(app, follow_redirects=False)
    times: dict[str, list[float]] = {"known, wrong password": [], "unknown name": [], "ok": []}
    for i in range(n):
        times["known, wrong password"].append(_post(client, "siti", f"guess-{i}")[0])
        times["unknown name"].append(_post(client, f"nobody{i}", f"guess-{i}")[0])
        times["ok"].append(_post(client, "siti", "teal-harbour-41")[0])
    print(f"{'POST /login':<26}{'median ms':>10}{'p90 ms':>9}   (n={n}, SQLite, in-process)")
    for what, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{what:<26}{statistics.median(values):>10.1f}{p90:>9.1f}")
    scrypt = []
    for _ in range(n):
        t0 = time.perf_counter()
        hashlib.scrypt(b"guess", salt=b"0" * 16, n=2**14, r=8, p=1)
        scrypt.append((time.perf_counter() - t0) * 1000)
    print(f"{'peer: scrypt N=2^14 hash':<26}{statistics.median(scrypt):>10.1f}")
    settings.security.account_max_failures, settings.security.address_max_failures = 5, 20
    with store.transaction() as session:  # the timing loop's failures are not counted below
        session.execute(sa.delete(SignInFailure))
    fresh = TestClient(app, follow_redirects=False)
    codes = [_post(fresh, "siti", f"again-{i}")[1] for i in range(7)]
    print(f"one account, 7 wrong guesses: {codes}")
    codes = [_post(fresh, f"name{i}", "x")[1] for i in range(22)]
    print(
        f"the same address (5 failures counted), 22 other names: {codes.count(401)} x 401,"
        f" then {codes.count(429)} x 429"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="sign-ins of each kind")
    main(parser.parse_args().requests)
