"""/status code checks: unknown reference, wrong code and right code (prints figures).

Times ``check_access_code`` on a fresh SQLite store, interleaving the three cases, so
the first two can be compared (they must be one timing class, or the time tells which
references exist), and the cost of issuing a code at scoring (one insert and one audit
entry) against the peer ``append_audit`` alone in the same transaction.

Run: ``python benchmarks/bench_status.py [--checks N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _application(application_id: str, now) -> dict:
    """A row with every required contract column filled (the code only needs the id)."""
    import polars as pl

    from risk.contract import TABLES

    values = {pl.String: "x", pl.Int32: 0, pl.Int64: 0, pl.Float64: 0.0, pl.Boolean: False}
    row = {}
    for c in TABLES["applications"].columns:
        if c.nullable:
            continue
        if c.dtype == pl.Date:
            row[c.name] = now.date()
        elif isinstance(c.dtype, pl.Datetime):
            row[c.name] = now
        else:
            row[c.name] = values[c.dtype]
    return row | {"application_id": application_id}


def main(n: int = 200) -> None:
    from risk.clock import WallClock
    from risk.settings import Settings
    from serving import Store
    from serving.services import append_audit, check_access_code, issue_first_code
    from serving.store import StatusFailure, raw_table

    clock = WallClock()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        settings.security.status_reference_max_failures = 10**6
        settings.security.status_address_max_failures = 10**6
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        store.upgrade()
        apps = raw_table("applications")
        with store.transaction() as session:
            rows = [_application(f"B{i:06d}", clock.now()) for i in range(n + 1)]
            session.execute(apps.insert(), rows)
            issued = issue_first_code(session, "B000000", clock=clock, actor="bench")

        def check(reference: str, code: str, address: str):
            with store.transaction() as session:
                check_access_code(
                    session, reference, code, address=address, settings=settings, clock=clock
                )

        times: dict[str, list[float]] = {"unknown reference": [], "wrong code": [], "right": []}
        cases = {
            "unknown reference": ("AM-ZZZZ-ZZZZ", "X"),
            "wrong code": (issued.reference, "X"),
            "right": (issued.reference, issued.code),
        }
        for i in range(n):
            for name, (reference, code) in cases.items():
                address = f"10.0.{i // 250}.{i % 250}"
                times[name].append(_timed(lambda r=reference, c=code, a=address: check(r, c, a)))
        for name, values in times.items():
            print(f"check, {name:17s}: median {statistics.median(values):.3f} ms over {n}")
        ratio = statistics.median(times["wrong code"]) / statistics.median(
            times["unknown reference"]
        )
        print(f"wrong code / unknown reference: {ratio:.3f}")
        issue, audit = [], []
        for i in range(1, n + 1):

            def one_issue(i=i):
                with store.transaction() as session:
                    issue_first_code(session, f"B{i:06d}", clock=clock, actor="bench")

            def one_audit(i=i):
                with store.transaction() as session:
                    append_audit(session, clock=clock, actor="bench", action="bench",
                                 entity_type="application", entity_id=f"B{i:06d}")  # fmt: skip

            issue.append(_timed(one_issue))
            audit.append(_timed(one_audit))
        print(
            f"issue a code at scoring: median {statistics.median(issue):.3f} ms; peer, one audit"
            f" entry alone: {statistics.median(audit):.3f} ms"
        )
        with store.transaction() as session:
            session.query(StatusFailure).delete()
        store.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=200)
    main(parser.parse_args().checks)
