"""What keeps the audit chain honest outside the database: its key and its checkpoints.

The key (``serving.audit_key``, or a file created 0600 at ``serving.audit_key_file``)
makes the chain an HMAC chain, so database access alone cannot rewrite it.  The
checkpoint file (``serving.audit_checkpoint_file``) receives the chain's head, a
count and a hash, every ``serving.audit_checkpoint_seconds``; it is only ever
appended to, and its latest line is published on the transparency report, so
anyone holding an earlier published head can check that the chain still starts
with what they saw (``risk audit-log verify --against HASH:COUNT``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from risk.errors import ConfigError, RequestValidationError
from risk.settings import Settings
from serving.store import AuditHead

__all__ = [
    "Checkpoint",
    "CheckpointLoop",
    "audit_checkpoint_path",
    "load_audit_key",
    "parse_published_head",
    "read_checkpoints",
    "write_checkpoint",
]

log = logging.getLogger("serving")


def _audit_key_path(settings: Settings) -> Path:
    return settings.serving.audit_key_file or settings.data_dir / "audit.key"


def audit_checkpoint_path(settings: Settings) -> Path:
    """Where the chain's heads are appended (``serving.audit_checkpoint_file``)."""
    return settings.serving.audit_checkpoint_file or settings.data_dir / "audit-checkpoints.jsonl"


def load_audit_key(settings: Settings) -> bytes:
    """The audit chain's key: the setting, else the key file (created 0600 if missing).

    Raises
    ------
    ConfigError
        If the key file exists but is empty.
    """
    if settings.serving.audit_key is not None:
        return settings.serving.audit_key.get_secret_value().encode()
    path = _audit_key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
    key = path.read_bytes().strip()
    if not key:
        raise ConfigError(f"audit key file {path} is empty; restore it from its backup")
    if path.stat().st_mode & 0o077:
        log.warning("audit key file %s is readable by others; chmod 600 it", path)
    return key


@dataclass(frozen=True)
class Checkpoint:
    """A published head of the audit chain: ``count`` entries, the last one's ``hash``."""

    at: str
    count: int
    hash: str

    @property
    def published(self) -> str:
        """``HASH:COUNT``, as ``risk audit-log verify --against`` takes it."""
        return f"{self.hash}:{self.count}"


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first (none if there is no file yet)."""
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(Checkpoint(str(row["at"]), int(row["count"]), str(row["hash"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}, line {number}: not a checkpoint ({exc})") from exc
    return out


def write_checkpoint(
    session: Session, path: Path, *, now: Callable[[], dt.datetime]
) -> Checkpoint | None:
    """Append the chain's current head to ``path`` unless it is already the last line.

    The file is opened for appending only and created 0600.  Returns the new
    checkpoint, or None when the head has not moved since the last one.
    """
    head = session.get(AuditHead, 1)
    if head is None:
        return None
    existing = read_checkpoints(path)
    if existing and existing[-1].count == head.seq and existing[-1].hash == head.hash:
        return None
    at = now().replace(tzinfo=None).isoformat(timespec="seconds")
    checkpoint = Checkpoint(at=at, count=head.seq, hash=head.hash)
    line = json.dumps({"at": at, "count": head.seq, "hash": head.hash}) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
        os.fsync(out.fileno())
    return checkpoint


def parse_published_head(text: str) -> tuple[int, str]:
    """``(count, hash)`` from ``HASH:COUNT``; RequestValidationError naming the value."""
    digest, sep, count = text.strip().rpartition(":")
    if not sep or len(digest) != 64 or not count.isascii() or not count.isdigit():
        raise RequestValidationError(
            f"--against {text!r}: expected HASH:COUNT, a 64-hex-digit hash and a count"
            " as published on the transparency report"
        )
    try:
        int(digest, 16)
    except ValueError as exc:
        raise RequestValidationError(f"--against {text!r}: the hash is not hexadecimal") from exc
    return int(count), digest.lower()


class CheckpointLoop:
    """A background thread appending the chain's head to the checkpoint file periodically.

    Parameters
    ----------
    store
        The service's store (read only).
    path
        The checkpoint file.
    seconds
        Interval between checkpoints.
    now
        The clock stamping each checkpoint (the app's :class:`~risk.clock.Clock`).
    """

    def __init__(
        self,
        store: object,
        path: Path,
        seconds: float,
        *,
        now: Callable[[], dt.datetime],
    ) -> None:
        import threading

        self.store, self.path, self.seconds, self.now = store, path, seconds, now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    def checkpoint(self) -> Checkpoint | None:
        """Write one checkpoint now (None if the head has not moved or the store is down)."""
        try:
            with self.store.reading() as session:  # type: ignore[attr-defined]
                return write_checkpoint(session, self.path, now=self.now)
        except Exception:  # a store outage must not stop the loop; the next turn retries
            log.exception("audit checkpoint to %s failed", self.path)
            return None

    def start(self) -> None:
        """Checkpoint now, then every ``seconds``."""
        self.checkpoint()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            self.checkpoint()

    def stop(self) -> None:
        """Stop the thread and write a last checkpoint."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.checkpoint()
