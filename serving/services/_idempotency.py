"""Idempotent scoring: a re-sent request gets its original answer, never a second score.

A client whose answer was lost (its connection dropped after the store committed)
sends the request again.  The scoring service looks for the score that request
made before writing anything:

* by the caller's ``Idempotency-Key``: the same caller's score stored under that
  key.  If it was made from different inputs the key names another request, and
  the re-send is refused (409) rather than answered with the wrong score;
* otherwise, by content: the earliest score of the same application, inputs
  (fingerprint), language and model version.  An identical re-send is a
  retry whether or not the client sent a key; a change of model or language is a
  new question and gets a new score.

Two identical first sends that arrive together must give one score: on SQLite the
store admits one writer at a time, so the second finds the first's score; on
PostgreSQL each transaction first takes transaction-scoped advisory locks on the
applications and keys it will write, so the second waits for the first to commit
and then finds its score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.errors import ConflictError, RequestValidationError
from serving.store import Score

__all__ = [
    "IDEMPOTENCY_KEY_PATTERN",
    "MAX_IDEMPOTENCY_KEY",
    "batch_item_key",
    "find_replay",
    "lock_for_scoring",
]

#: The longest ``Idempotency-Key`` accepted (a UUID is 36 characters).
MAX_IDEMPOTENCY_KEY = 64
#: The characters a key may hold: no spaces, no controls, no ``#`` (batch items use it).
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_.:\-]+$"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def batch_item_key(key: str | None, index: int) -> str | None:
    """The stored key of item ``index`` of a batch sent with ``key`` (``KEY#index``).

    ``#`` cannot occur in a client's key, so no single request's key collides
    with a batch item's.
    """
    return None if key is None else f"{key}#{index}"


def _check_key(key: str) -> None:
    base = key.split("#", 1)[0]
    if not (0 < len(base) <= MAX_IDEMPOTENCY_KEY and _KEY.match(base)):
        message = (
            f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} characters from A-Z, a-z,"
            " 0-9 and . _ : -"
        )
        detail = [{"loc": ["header", "Idempotency-Key"], "msg": message}]
        raise RequestValidationError(message, detail=detail)


_SCORES = Score.__table__
# Core statements on the columns compared: a look-up that finds nothing (most requests)
# costs no ORM row processing; the ORM row is loaded only for a replay.
_BY_KEY = sa.select(
    _SCORES.c.score_id, _SCORES.c.application_id, _SCORES.c.input_fingerprint, _SCORES.c.lang
).where(
    _SCORES.c.scored_by == sa.bindparam("user_id"),
    _SCORES.c.idempotency_key == sa.bindparam("key"),
)
_BY_CONTENT = (
    sa.select(_SCORES.c.score_id)
    .where(
        _SCORES.c.application_id == sa.bindparam("application_id"),
        _SCORES.c.input_fingerprint == sa.bindparam("fingerprint"),
        _SCORES.c.lang == sa.bindparam("lang"),
        _SCORES.c.model_version == sa.bindparam("model_version"),
    )
    .order_by(_SCORES.c.created_at, _SCORES.c.score_id)
    .limit(1)
)


def find_replay(
    session: Session,
    *,
    user_id: int | None,
    key: str | None,
    application_id: str,
    fingerprint: str,
    lang: str,
    model_version: str,
) -> Score | None:
    """The stored score a re-sent request should be answered with, or None (score it).

    Parameters
    ----------
    user_id, key
        The caller and the request's ``Idempotency-Key`` (None: sent without one).
    application_id, fingerprint, lang, model_version
        What the request asks: an application, its inputs' fingerprint
        (:func:`~serving.services.input_fingerprint`), the reasons' language and
        the model that would score it.

    Raises
    ------
    ConflictError
        The key was already used by this caller for a different application,
        different inputs or another language.
    """
    if key is not None:
        _check_key(key)
        connection = session.connection()
        stored = connection.execute(_BY_KEY, {"user_id": user_id, "key": key}).first()
        if stored is not None:
            if tuple(stored)[1:] != (application_id, fingerprint, lang):
                shown = key.split("#", 1)[0]
                raise ConflictError(
                    f"Idempotency-Key {shown!r} was already used for a different request"
                    f" (application {stored.application_id!r}); send a new key with a new"
                    " request"
                )
            return session.get(Score, stored.score_id)
    params = {
        "application_id": application_id,
        "fingerprint": fingerprint,
        "lang": lang,
        "model_version": model_version,
    }
    score_id = session.connection().execute(_BY_CONTENT, params).scalar()
    return None if score_id is None else session.get(Score, score_id)


def lock_for_scoring(
    session: Session,
    application_ids: Iterable[str],
    keys: Iterable[str | None] = (),
    *,
    user_id: int | None = None,
) -> None:
    """On PostgreSQL, hold transaction-scoped locks on what this transaction will score.

    Two transactions scoring the same application (or using the same key) run one
    after the other: the second's look-up for a replay sees the first's committed
    score.  Locks are taken in one sorted order, so two batches never deadlock.
    SQLite needs none: it admits one writer at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    names = {f"application:{a}" for a in application_ids}
    names |= {f"key:{user_id}:{k}" for k in keys if k}
    for name in sorted(names):
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
