"""Backtests: logged feature rows replayed through any model version, exactly.

The inference log stores every score's feature values as JSON (what the model saw
when it scored).  Replaying them through another version answers "what would this
model have said on those applications"; replaying them through the version that
made them reproduces the logged scores bit for bit, because:

- JSON numbers are written with Python's shortest round-trip repr and polars reads
  them back to the same doubles (checked over the whole log in the tests);
- the encoding is the schema's batch encoding, which equals its one-row encoding
  used at scoring time;
- a live score's margin is LightGBM's raw prediction (``raw_score=True``), which is
  the same number whether one row or a million are predicted.

Scores logged since the log kept each row as the model read it (``encoded_features``,
see :mod:`models._logged_rows`) are read from those bytes: for the version that made
them they are the very matrix it scored; another version picks its columns and looks
up its category codes.  Older scores, and rows another version cannot read that way
(a feature the logging model did not use, a category it did not know), are decoded
from their JSON through polars' NDJSON reader with the model's column types given up
front (no inference).  Both go in chunks of :data:`CHUNK_ROWS` rows into one matrix.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from models._bundle import Bundle
from models._logged_rows import RowMap, blob_matrix, row_map
from models._schema import FeatureSchema
from risk.errors import FeatureError

__all__ = [
    "CHUNK_ROWS",
    "ENCODED_COLUMNS",
    "LOGGED_COLUMNS",
    "check_logged",
    "logged_matrix",
    "missing_features",
    "replay_logged",
    "replay_margins",
    "replay_matrix",
]

#: Columns :func:`replay_logged` needs from the inference log.
LOGGED_COLUMNS = ("score_id", "model_version", "features")
#: The encoded row and the id of its encoding (null before the log kept them).
ENCODED_COLUMNS = ("encoded_features", "feature_encoding")

Encodings = Mapping[str, FeatureSchema]

_KIND_DTYPE = {"categorical": pl.String, "boolean": pl.Boolean}


def _dtypes(bundle: Bundle) -> dict[str, Any]:
    return {
        n: _KIND_DTYPE.get(k, pl.Float64)
        for n, k in zip(bundle.schema.names, bundle.schema.kinds, strict=True)
    }


def missing_features(bundle: Bundle, logged_names: Sequence[str]) -> list[str]:
    """The bundle's features that a logged row does not hold, in model order."""
    held = set(logged_names)
    return [n for n in bundle.schema.names if n not in held]


def check_logged(
    bundle: Bundle,
    logged: pl.DataFrame,
    *,
    label: str = "the model",
    encodings: Encodings | None = None,
) -> None:
    """Refuse logged rows that lack the model's features, naming every missing one.

    Rows logged by one model version share its feature catalogue, so the first row of
    each logged version (and encoding) is read, not a million: its encoding when the
    model can read the encoded rows, else its JSON.

    Raises
    ------
    FeatureError
        Some logged version's rows lack a feature of ``bundle``.
    """
    maps = _row_maps(bundle, encodings)
    keys = ["model_version", ENCODED_COLUMNS[1]] if ENCODED_COLUMNS[1] in logged.columns else []
    firsts = logged.group_by(keys or ["model_version"], maintain_order=True).first()
    for row in firsts.iter_rows(named=True):
        if maps.get(row.get(ENCODED_COLUMNS[1])) is not None:
            continue
        text, version = row["features"], row["model_version"]
        if text is None:
            raise FeatureError(f"the logged rows of model {version} lack their feature values")
        missing = missing_features(bundle, list(json.loads(text)))
        if missing:
            raise FeatureError(
                f"{label} needs feature(s) that the inference log of model {version} does"
                f" not hold: {', '.join(missing)}; it was trained on another feature"
                " catalogue, so these applications cannot be replayed through it"
            )


def _row_maps(bundle: Bundle, encodings: Encodings | None) -> dict[str, RowMap | None]:
    return {e: row_map(schema, bundle.schema) for e, schema in (encodings or {}).items()}


#: Logged rows decoded at a time: bounds the copy of the JSON text (about 1.4 kB a row)
#: to some 140 MB whatever the period's length, and keeps each chunk's columns in cache
#: while they are encoded.
CHUNK_ROWS = 100_000


def logged_matrix(
    bundle: Bundle,
    texts: pl.Series,
    *,
    label: str = "the model",
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The model's float matrix from logged feature rows (one JSON object per row).

    Parameters
    ----------
    bundle
        The model to encode for.
    texts
        The inference log's ``features`` column as JSON text (checked by
        :func:`check_logged`; a key a row lacks reads as missing).
    label
        How error messages name the model (e.g. ``"challenger v3"``).
    chunk_rows
        Rows decoded at a time.
    progress
        Called with ``(rows done, rows in all)`` after each chunk.

    Raises
    ------
    FeatureError
        A value has the wrong type for the model.
    """
    frame = texts.alias("features").to_frame()  # no encoded bytes: every row from its JSON
    return replay_matrix(bundle, frame, label=label, chunk_rows=chunk_rows, progress=progress)


def _decode(texts: pl.Series, dtypes: dict[str, Any], label: str) -> pl.DataFrame:
    # One JSON object per line, written by polars itself (a Python join copies the text
    # twice); JSON text never holds a raw newline, and one column needs no quoting.
    # polars' NDJSON reader with the types given up front (no inference) was three times
    # faster than ``str.json_decode`` with the same struct type.
    buffer = io.BytesIO()
    texts.to_frame().write_csv(buffer, include_header=False, quote_style="never")
    buffer.seek(0)
    try:
        return pl.read_ndjson(buffer, schema=dtypes)
    except pl.exceptions.PolarsError as exc:
        raise FeatureError(f"a logged feature row does not fit {label}'s types: {exc}") from exc


def replay_matrix(
    bundle: Bundle,
    logged: pl.DataFrame,
    *,
    encodings: Encodings | None = None,
    label: str = "the model",
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The model's float matrix from logged rows: their encoded bytes, else their JSON.

    Parameters
    ----------
    bundle
        The model to encode for.
    logged
        ``features`` (JSON text; may be null where the encoded row serves) and, when
        the log kept them, :data:`ENCODED_COLUMNS`.
    encodings
        The schemas of the logged encodings, by id; rows of an encoding not given are
        decoded from their JSON.
    label, chunk_rows, progress
        As for :func:`logged_matrix`.

    Raises
    ------
    FeatureError
        A value has the wrong type for the model, or a row the model cannot read
        from its bytes has no JSON.
    """
    out = np.empty((logged.height, len(bundle.schema.names)), dtype=np.float64)
    for _ in _read_chunks(bundle, logged, encodings, label, chunk_rows, progress, out=out):
        pass
    return out


def replay_margins(
    bundle: Bundle,
    logged: pl.DataFrame,
    *,
    encodings: Encodings | None = None,
    label: str = "the model",
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The model's raw margins of logged rows, read and predicted chunk by chunk.

    The same numbers as predicting :func:`replay_matrix` whole (a row's prediction does
    not depend on the others), without holding the whole matrix: one chunk's buffer,
    reused.  Parameters and errors as for :func:`replay_matrix`.
    """
    margins = np.empty(logged.height, dtype=np.float64)
    threads = bundle.num_threads
    for start, stop, rows in _read_chunks(bundle, logged, encodings, label, chunk_rows, progress):
        margins[start:stop] = bundle.booster.predict(rows, raw_score=True, num_threads=threads)
    return margins


def _read_chunks(
    bundle: Bundle,
    logged: pl.DataFrame,
    encodings: Encodings | None,
    label: str,
    chunk_rows: int,
    progress: Callable[[int, int], None] | None,
    out: np.ndarray | None = None,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(start, stop, rows)`` chunk by chunk: written into ``out`` when given, else
    into one buffer reused (fresh memory costs more than the copy into it)."""
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    maps = {e: m for e, m in _row_maps(bundle, encodings).items() if m is not None}
    encoded = all(c in logged.columns for c in ENCODED_COLUMNS) and bool(maps)
    n, width = logged.height, len(bundle.schema.names)
    buffer = np.empty((min(chunk_rows, n), width), dtype=np.float64) if out is None else out
    dtypes = _dtypes(bundle)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        rows = out[start:stop] if out is not None else buffer[: stop - start]
        chunk = logged.slice(start, stop - start)
        todo = _fill_encoded(rows, chunk, maps, encodings or {}) if encoded else None
        texts = chunk["features"] if todo is None else chunk["features"].filter(pl.Series(todo))
        if texts.len():
            if texts.null_count():
                raise FeatureError("some logged rows lack their feature values")
            decoded = bundle.matrix(_decode(texts, dtypes, label))
            if todo is None:
                rows[:] = decoded
            else:
                rows[todo] = decoded
        yield start, stop, rows
        if progress is not None:
            progress(stop, n)


def _fill_encoded(
    out: np.ndarray, chunk: pl.DataFrame, maps: dict[str, RowMap], encodings: Encodings
) -> np.ndarray:
    """Fill ``out``'s rows that the encoded bytes serve; the rows left for the JSON."""
    todo = np.ones(chunk.height, dtype=bool)
    blobs, ids = chunk[ENCODED_COLUMNS[0]], chunk[ENCODED_COLUMNS[1]]
    for encoding, mapping in maps.items():
        mask = ((ids == encoding) & blobs.is_not_null()).fill_null(False).to_numpy()
        if not mask.any():
            continue
        width = len(encodings[encoding].names)
        if mask.all() and mapping.identity:  # the common case: read in place, one copy
            mapping.apply(blob_matrix(blobs, width, out=out))  # no row needs its JSON
            todo[:] = False
            continue
        rows, redo = mapping.apply(blob_matrix(blobs.filter(mask), width))
        out[mask] = rows
        todo[mask] = False if redo is None else redo
    return todo


def replay_logged(
    bundle: Bundle,
    logged: pl.DataFrame,
    *,
    label: str = "the model",
    encodings: Encodings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Score logged feature rows with ``bundle``.

    Parameters
    ----------
    bundle
        Any model version whose features the log holds.
    logged
        At least :data:`LOGGED_COLUMNS` (``features`` as JSON text), and
        :data:`ENCODED_COLUMNS` when the log kept them; other columns are kept.
    label
        How error messages name the model.
    encodings
        The schemas of the logged encodings, by id (see :func:`replay_matrix`).
    progress
        Called with ``(rows read, rows in all)`` as the rows are read.

    Raises
    ------
    FeatureError
        A column is missing, or the logged rows lack a feature of ``bundle``.

    Returns
    -------
    polars.DataFrame
        ``logged`` without the feature columns, plus ``margin``, ``score``, ``band``
        and ``flag`` from ``bundle`` (the flag at the model's own capacity threshold).
    """
    missing = [c for c in LOGGED_COLUMNS if c not in logged.columns]
    if missing:
        raise FeatureError(f"the logged rows lack column(s) {missing}")
    check_logged(bundle, logged, label=label, encodings=encodings)
    margins = replay_margins(bundle, logged, encodings=encodings, label=label, progress=progress)
    kept = logged.drop("features", *(c for c in ENCODED_COLUMNS if c in logged.columns))
    return kept.hstack(bundle.scores_of(margins).to_frame())
