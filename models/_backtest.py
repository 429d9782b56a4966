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

Decoding goes through polars' NDJSON reader with the model's column types given up
front (no inference), in chunks of :data:`CHUNK_ROWS` rows written into one matrix.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

from models._bundle import Bundle
from risk.errors import FeatureError

__all__ = [
    "CHUNK_ROWS",
    "LOGGED_COLUMNS",
    "check_logged",
    "logged_matrix",
    "missing_features",
    "replay_logged",
]

#: Columns :func:`replay_logged` needs from the inference log.
LOGGED_COLUMNS = ("score_id", "model_version", "features")

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


def check_logged(bundle: Bundle, logged: pl.DataFrame, *, label: str = "the model") -> None:
    """Refuse logged rows that lack the model's features, naming every missing one.

    Rows logged by one model version share its feature catalogue, so the first row of
    each logged version is read (not a million).

    Raises
    ------
    FeatureError
        Some logged version's rows lack a feature of ``bundle``.
    """
    firsts = logged.group_by("model_version", maintain_order=True).first()
    for version, text in firsts.select("model_version", "features").iter_rows():
        missing = missing_features(bundle, list(json.loads(text)))
        if missing:
            raise FeatureError(
                f"{label} needs feature(s) that the inference log of model {version} does"
                f" not hold: {', '.join(missing)}; it was trained on another feature"
                " catalogue, so these applications cannot be replayed through it"
            )


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
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    n = texts.len()
    out = np.empty((n, len(bundle.schema.names)), dtype=np.float64)
    dtypes = _dtypes(bundle)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        out[start:stop] = bundle.matrix(_decode(texts.slice(start, stop - start), dtypes, label))
        if progress is not None:
            progress(stop, n)
    return out


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


def replay_logged(
    bundle: Bundle,
    logged: pl.DataFrame,
    *,
    label: str = "the model",
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Score logged feature rows with ``bundle``.

    Parameters
    ----------
    bundle
        Any model version whose features the log holds.
    logged
        At least :data:`LOGGED_COLUMNS` (``features`` as JSON text); other columns
        are kept.
    label
        How error messages name the model.
    progress
        Called with ``(rows decoded, rows in all)`` as the decoding goes.

    Raises
    ------
    FeatureError
        A column is missing, or the logged rows lack a feature of ``bundle``.

    Returns
    -------
    polars.DataFrame
        ``logged`` without ``features``, plus ``margin``, ``score``, ``band`` and
        ``flag`` from ``bundle`` (the flag at the model's own capacity threshold).
    """
    missing = [c for c in LOGGED_COLUMNS if c not in logged.columns]
    if missing:
        raise FeatureError(f"the logged rows lack column(s) {missing}")
    check_logged(bundle, logged, label=label)
    scores = bundle.score(logged_matrix(bundle, logged["features"], label=label, progress=progress))
    return logged.drop("features").hstack(scores.to_frame())
