"""The :class:`Store`: an engine, transactions, and migrations run programmatically."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from risk.errors import ConfigError

__all__ = ["Store", "upgrade"]

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class Store:
    """The service's database: SQLite by default, PostgreSQL by URL.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).

    Notes
    -----
    On SQLite every transaction starts with ``BEGIN IMMEDIATE``, so concurrent
    writers queue on the busy timeout instead of failing when a read lock
    cannot be upgraded; writers in this process also take a lock first, so they
    queue without polling SQLite's busy handler (whose sleeps grow to 100 ms).
    The journal is WAL with ``synchronous=NORMAL``: a commit survives a crash of
    the process, and a power cut can lose the last commits but never corrupts
    the file.  On PostgreSQL the audit chain's head row is locked.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = _engine(url)
            # SQLite readers need no write lock (WAL): a second engine begins deferred.
            self._read_engine = _engine(url, immediate=False) if _is_sqlite(url) else self.engine
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise ConfigError(f"database URL {url!r} is not usable: {exc}") from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = threading.RLock() if _is_sqlite(url) else contextlib.nullcontext()
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Bring the schema to the latest migration."""
        upgrade(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on exit, or rolls back entirely on error."""
        with self._writer, self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (rolled back on exit); it never blocks writers."""
        with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """A bare connection for a quick read (rolled back on exit), without an ORM session."""
        with self._read_engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self._read_engine.dispose()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _engine(url: str, *, immediate: bool = True) -> sa.Engine:
    if not _is_sqlite(url):
        return sa.create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # pragma: no cover - driver hook
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver hook
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on ``engine`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
