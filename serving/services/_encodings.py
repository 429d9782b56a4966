"""The inference log's encoded rows: each score's row as the model read it, and its encoding.

A score keeps its features twice: as JSON (every value the service computed) and as the
bytes of the row the model scored (see :mod:`models._logged_rows`), which backtests read
without decoding.  The bytes name their encoding (the model's feature names, kinds and
category codes), stored once per encoding in ``feature_encodings``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Bundle, CaseScore
from models._logged_rows import logged_row
from models._schema import FeatureSchema
from serving.store import FeatureEncoding

__all__ = ["encoded_row", "logged_encodings", "remember_encoding"]

_TABLE = FeatureEncoding.__table__
_FIND = sa.select(_TABLE.c.encoding_id).where(_TABLE.c.encoding_id == sa.bindparam("id"))
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
#: Where a database connection remembers the encodings it has seen committed.
_SEEN = "amanah_feature_encodings"


def encoded_row(
    session: Session, bundle: Bundle, features: dict[str, Any], case_score: CaseScore
) -> dict[str, Any]:
    """The score's ``encoded_features`` and ``feature_encoding`` (None without an encoding)."""
    if case_score.encoded is None:
        return {"encoded_features": None, "feature_encoding": None}
    return {
        "encoded_features": logged_row(bundle.schema, features, case_score.encoded),
        "feature_encoding": remember_encoding(session, bundle.schema),
    }


def remember_encoding(session: Session, schema: FeatureSchema) -> str:
    """Store ``schema``'s encoding unless the store holds it; its id.

    Each database connection remembers the ids it found committed, so a score costs a
    look-up only until its encoding is there.  The insert does nothing when a
    concurrent transaction stored the same encoding first.
    """
    encoding = schema.encoding_id
    connection = session.connection()
    seen = connection.info.setdefault(_SEEN, set())
    mine = session.info.setdefault(_SEEN, set())  # inserted by this session, maybe uncommitted
    if encoding in seen or encoding in mine:
        return encoding
    if connection.execute(_FIND, {"id": encoding}).first() is not None:
        seen.add(encoding)
        return encoding
    insert = _INSERTS[connection.dialect.name](_TABLE)
    connection.execute(
        insert.values(encoding_id=encoding, features=schema.to_dict()).on_conflict_do_nothing(
            index_elements=["encoding_id"]
        )
    )
    mine.add(encoding)
    return encoding


def logged_encodings(session: Session) -> dict[str, FeatureSchema]:
    """Every encoding the inference log's rows use, by id."""
    rows = session.connection().execute(sa.select(_TABLE.c.encoding_id, _TABLE.c.features))
    return {encoding: FeatureSchema.from_dict(features) for encoding, features in rows}
