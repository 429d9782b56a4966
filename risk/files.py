"""Files only their owner can read: the store, the MLflow store, keys and reports.

Stores and reports hold personal data and credentials' hashes; on a shared machine
nobody but the service's own account should read them.  Folders Amanah creates are
0700 and files 0600; the ``risk`` command also sets the process's umask to 077, so
everything it writes (worlds, bundles, reports, MLflow artifacts) is created that way.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["PRIVATE_UMASK", "private_dir", "private_file"]

#: The umask that makes new files 0600 and new folders 0700.
PRIVATE_UMASK = 0o077


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and any missing parents as folders only the owner may open (0700).

    Folders that already exist are left as they are (they may be shared on purpose).
    """
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask; chmod is not
    return path


def private_file(path: str | os.PathLike[str]) -> Path:
    """Make ``path`` a file only the owner may read or write (0600), creating it empty.

    Created before SQLite or MLflow opens it, the file keeps that mode (SQLite gives its
    ``-wal`` and ``-shm`` files the database's mode).  An existing file of ours is
    tightened to 0600; one owned by someone else is left alone.
    """
    path = Path(path)
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
    with contextlib.suppress(PermissionError):
        os.chmod(path, 0o600)
    return path
