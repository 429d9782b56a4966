"""Safe failure: a database that is read-only, full or unreachable answers 503 + Retry-After.

Never a 500 and never a dropped connection; ``/v1/health`` stays a liveness check while
``/v1/health/ready`` says the database is down; the service recovers by itself; and a
serving process killed mid-load loses no score it acknowledged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
import sqlalchemy as sa
from serving_helpers import _empty, _point, _users, as_json, auth

from serving.services import verify_chain
from serving.store import Store

pytestmark = pytest.mark.xdist_group("serving_model")

UNAVAILABLE = {
    "error": "store_unavailable",
    "detail": "the database is unavailable (unreachable, read-only or full); retry in 5 s",
}


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _copy(sqlite_template, tmp_path) -> str:
    path = tmp_path / "amanah.db"
    shutil.copyfile(sqlite_template, path)
    return str(path)


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.json() == UNAVAILABLE


def test_a_read_only_store_answers_503(
    shared_app, sqlite_template, tmp_path, settings, holder, world
):
    path = _copy(sqlite_template, tmp_path)
    writable = Store(f"sqlite:///{path}")
    tokens = _users(writable)
    writable.dispose()
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        _, client = _point(shared_app, read_only, settings, holder)
        payload = as_json(world["payloads"][0])
        r = client.post("/v1/applications/score", headers=auth(tokens["officer"]), json=payload)
        _assert_unavailable(r)
        r = client.put(
            "/v1/settings/kill-switch",
            headers=auth(tokens["supervisor"]),
            json={"enabled": True, "reason": "Store outage drill"},
        )
        _assert_unavailable(r)
    finally:
        read_only.dispose()
    assert _count(Store(f"sqlite:///{path}"), "scores") == 0


def test_a_full_store_answers_503_and_keeps_what_it_acknowledged(
    shared_app, sqlite_template, tmp_path, settings, holder, world
):
    path = _copy(sqlite_template, tmp_path)
    store = Store(f"sqlite:///{path}")
    tokens = _users(store)

    @sa.event.listens_for(store.engine, "connect")
    def _no_room(dbapi_conn, _record):  # the file may not grow past its current size
        cursor = dbapi_conn.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    store.engine.dispose()
    _, client = _point(shared_app, store, settings, holder)
    answers = []
    for payload in world["payloads"][:10]:
        r = client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        )
        answers.append(r)
        if r.status_code != 200:
            break
    _assert_unavailable(answers[-1])
    acknowledged = {r.json()["score_id"] for r in answers[:-1]}
    store.dispose()
    with Store(f"sqlite:///{path}").transaction() as session:
        stored = set(session.scalars(sa.text("SELECT score_id FROM scores")).all())
        assert stored == acknowledged  # the refused score left nothing behind
        assert verify_chain(session).ok


def test_readiness_reports_each_check(client, settings, store):
    r = client.get("/v1/health/ready")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    checks = r.json()["detail"]["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["model"] == {"ok": False, "version": None}
    assert checks["disk"]["ok"] is True
    assert client.get("/v1/health").json() == {"status": "ok", "model_loaded": False}


def test_readiness_is_ready_with_a_model_and_not_with_too_little_disk(
    scoring_client, settings, holder
):
    r = scoring_client.get("/v1/health/ready")
    assert r.status_code == 200
    assert r.json()["status"] == "ready"
    assert r.json()["checks"]["model"] == {"ok": True, "version": holder.version}
    settings.serving.min_free_disk_bytes = 2**62  # more than any disk has
    r = scoring_client.get("/v1/health/ready")
    assert r.status_code == 503
    disk = r.json()["detail"]["checks"]["disk"]
    assert disk["ok"] is False and disk["min_free_bytes"] == 2**62


# --- PostgreSQL unreachable: a TCP proxy the test stops ----------------------------


class TcpProxy:
    """Forwards a local port to PostgreSQL; ``stop`` closes it and every connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_unreachable_answers_503_then_recovers(
    shared_app, pg_url, settings, holder, world
):
    direct = Store(pg_url)
    _empty(direct)
    tokens = _users(direct)
    proxy = TcpProxy(("127.0.0.1", 5432))
    proxy.start()
    url = sa.engine.make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    store = Store(url)
    try:
        _, client = _point(shared_app, store, settings, holder)
        payloads = [as_json(p) for p in world["payloads"][:3]]
        officer = auth(tokens["officer"])
        assert (
            client.post("/v1/applications/score", headers=officer, json=payloads[0]).status_code
            == 200
        )
        proxy.stop()
        _assert_unavailable(
            client.post("/v1/applications/score", headers=officer, json=payloads[1])
        )
        _assert_unavailable(client.get("/v1/cases", headers=auth(tokens["supervisor"])))
        assert client.get("/v1/health").status_code == 200  # liveness: the process answers
        ready = client.get("/v1/health/ready")
        assert ready.status_code == 503
        assert ready.json()["detail"]["checks"]["database"] == {
            "ok": False,
            "detail": "the database does not answer",
        }
        proxy.start()  # the same port again: the service reconnects by itself
        r = client.post("/v1/applications/score", headers=officer, json=payloads[2])
        assert r.status_code == 200, r.text
        assert client.get("/v1/health/ready").status_code == 200
    finally:
        proxy.stop()
        store.dispose()
    assert _count(direct, "scores") == 2
    direct.dispose()


# --- kill -9 mid-load ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the service exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/v1/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not become ready")


@pytest.mark.slow
def test_kill_9_mid_load_loses_no_acknowledged_score(sqlite_template, tmp_path, world):
    db = _copy(sqlite_template, tmp_path)
    store = Store(f"sqlite:///{db}")
    tokens = _users(store)
    store.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "RISK_DATA_DIR": str(tmp_path),
        "RISK_SERVING__DATABASE_URL": f"sqlite:///{db}",
        "RISK_SERVING__MODEL_SOURCE": "bundle",
        "RISK_SERVING__BUNDLE_PATH": str(world["bundle"]),
        "RISK_REVIEW__BLIND_SAMPLE_RATE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from risk.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    try:
        _wait_until_up(base, process)

        def send(payloads):
            with httpx.Client(base_url=base, headers=auth(tokens["officer"]), timeout=10) as c:
                for payload in payloads:
                    try:
                        r = c.post("/v1/applications/score", json=as_json(payload))
                    except httpx.HTTPError:
                        return  # the process died under us
                    if r.status_code == 200:
                        acknowledged.append(r.json()["score_id"])

        threads = [threading.Thread(target=send, args=(world["payloads"][i::2],)) for i in range(2)]
        for t in threads:
            t.start()
        while len(acknowledged) < 8 and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        for t in threads:
            t.join()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()
    assert len(acknowledged) >= 8
    from risk.settings import Settings
    from serving.services import load_audit_key

    # the service keyed its entries with the key it made in the data directory
    survivor = Store(f"sqlite:///{db}", audit_key=load_audit_key(Settings(data_dir=tmp_path)))
    with survivor.transaction() as session:
        stored = set(session.scalars(sa.text("SELECT score_id FROM scores")).all())
        assert set(acknowledged) <= stored
        assert verify_chain(session).ok
    survivor.dispose()
