"""The :class:`Store`: an engine, transactions, and migrations run programmatically."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from risk.errors import ConfigError, SchemaBehindError
from risk.files import private_file

from ._checkpoint import SAFETY_NET_PAGES, Checkpointer
from ._fair_lock import FairLock

__all__ = ["Store", "StoreBusy", "upgrade"]

#: How long a SQLite writer waits for another process's write lock.
_BUSY_SECONDS = 30
#: Set while a transaction that must not wait is beginning (see ``Store.transaction``).
_NOWAIT: contextvars.ContextVar[bool] = contextvars.ContextVar("amanah_store_nowait", default=False)


class StoreBusy(Exception):
    """A transaction asked not to wait found another writer holding the store.

    Control flow, not an error: only ``Store.transaction(wait=False)`` raises it,
    before doing anything, and its caller (``serving.deps.run_write``) retries
    with a waiting transaction, so it never reaches an HTTP answer.
    """


_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class Store:
    """The service's database: SQLite by default, PostgreSQL by URL.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
    checkpoint_seconds
        SQLite file stores: checkpoint the WAL on a background thread this often
        instead of inside commits (0: SQLite's own automatic checkpoints).
    audit_key
        The secret that keys the audit chain's HMAC (kept outside the database;
        see :func:`serving.services.load_audit_key`).  Without it entries are
        chained with plain SHA-256 and marked legacy.

    Notes
    -----
    On SQLite every transaction starts with ``BEGIN IMMEDIATE``, so concurrent
    writers queue on the busy timeout instead of failing when a read lock
    cannot be upgraded; writers in this process also take a lock first, so they
    queue without polling SQLite's busy handler (whose sleeps grow to 100 ms),
    and in the order they came (a batch's next chunk waits behind a single score).
    The journal is WAL with ``synchronous=NORMAL``: a commit survives a crash of
    the process, and a power cut can lose the last commits but never corrupts
    the file.  With ``checkpoint_seconds`` (the service's store) a
    :class:`~serving.store._checkpoint.Checkpointer` thread checkpoints the WAL
    instead of the commits.  On PostgreSQL the audit chain's head row is locked.
    """

    def __init__(
        self, url: str, *, checkpoint_seconds: float = 0.0, audit_key: bytes | None = None
    ) -> None:
        self.url = url
        self.audit_key = audit_key
        self._checkpointer: Checkpointer | None = None
        if _is_sqlite(url) and _file(url) is not None:
            # 0600 before SQLite creates it (0644 under umask 022); a folder we may not
            # write is SQLite's to report when it opens the file.
            with contextlib.suppress(OSError):
                private_file(_file(url))
        # SQLite: a background thread checkpoints the WAL instead of the commits.
        background = _is_sqlite(url) and checkpoint_seconds > 0 and _file(url) is not None
        try:
            self.engine = _engine(url, background_checkpoint=background)
            # SQLite readers need no write lock (WAL): a second engine begins deferred.
            self._read_engine = (
                _engine(url, immediate=False, background_checkpoint=background)
                if _is_sqlite(url)
                else self.engine
            )
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise ConfigError(f"database URL {url!r} is not usable: {exc}") from exc
        # Sessions carry the audit key, so whoever appends to the audit log in them
        # chains with it without every caller passing it along.
        info = {"audit_key": audit_key}
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._writer = FairLock() if _is_sqlite(url) else contextlib.nullcontext()
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False, info=info)
        if background:
            self._checkpointer = Checkpointer(str(_file(url)), checkpoint_seconds)
            self._checkpointer.start()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (``risk db upgrade``; nothing else runs it)."""
        upgrade(self.engine)

    def check_schema(self) -> None:
        """Refuse to work on a store whose schema is behind this version of Amanah.

        Raises
        ------
        SchemaBehindError
            Naming the store's revision, the one needed, and the command that migrates.
        """
        current, head = schema_revisions(self.engine)
        if current == head:
            return
        where = self.engine.url.render_as_string(hide_password=True)
        if current is None:
            raise SchemaBehindError(
                f"the store at {where} has no schema yet; run 'risk db upgrade' to create it"
            )
        raise SchemaBehindError(
            f"the store at {where} has schema revision {current}, but this version of Amanah"
            f" needs {head}; back it up, then run 'risk db upgrade'"
        )

    @property
    def directory(self) -> Path | None:
        """The folder of a SQLite file store (where it grows); None otherwise."""
        path = _file(self.url) if _is_sqlite(self.url) else None
        return None if path is None else path.parent

    @property
    def embedded(self) -> bool:
        """True for SQLite: its calls run in this process and never wait on a network."""
        return _is_sqlite(self.url)

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[Session]:
        """A session whose work commits on exit, or rolls back entirely on error.

        With ``wait=False`` (SQLite only) the write transaction begins at once or
        not at all: if another writer, in this process or another, holds the store,
        :class:`StoreBusy` is raised before anything is done, so the caller can
        retry where waiting is harmless (a worker thread).
        """
        if wait or not self.embedded:
            with self._writer, self._sessions.begin() as session:
                yield session
            return
        if not self._writer.acquire(blocking=False):
            raise StoreBusy("another writer in this process holds the store")
        try:
            with self._sessions.begin() as session:
                token = _NOWAIT.set(True)
                try:
                    session.connection()  # BEGIN IMMEDIATE now, without waiting
                except sa.exc.OperationalError as exc:
                    raise StoreBusy(f"the store is locked by another process: {exc}") from exc
                finally:
                    _NOWAIT.reset(token)
                yield session
        finally:
            self._writer.release()

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

    @property
    def checkpointer(self) -> Checkpointer | None:
        """The background WAL checkpointer (SQLite with ``checkpoint_seconds``), if any."""
        return self._checkpointer

    def dispose(self) -> None:
        """Stop the checkpointer and close every pooled connection."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
        self._read_engine.dispose()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory or URI-style database."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _engine(url: str, *, immediate: bool = True, background_checkpoint: bool = False) -> sa.Engine:
    if not _is_sqlite(url):
        return sa.create_engine(url, pool_pre_ping=True)
    path = _file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": _BUSY_SECONDS, "check_same_thread": False}
    )

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # pragma: no cover - driver hook
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        if background_checkpoint:
            cur.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - driver hook
        if not (immediate and _NOWAIT.get()):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
            return
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA busy_timeout=0")  # fail at once if another writer holds it
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            driver.execute(f"PRAGMA busy_timeout={_BUSY_SECONDS * 1000}")

    return engine


def schema_revisions(engine: sa.Engine) -> tuple[str | None, str]:
    """The store's schema revision (``None``: no schema) and the newest migration's."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, str(head)


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the Alembic migrations on ``engine`` up to ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
