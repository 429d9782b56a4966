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
front (no inference), which keeps a replay close to ``Booster.predict`` itself.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from models._bundle import Bundle
from risk.errors import FeatureError

__all__ = ["LOGGED_COLUMNS", "check_logged", "logged_matrix", "missing_features", "replay_logged"]

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


def logged_matrix(bundle: Bundle, texts: pl.Series, *, label: str = "the model") -> np.ndarray:
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

    Raises
    ------
    FeatureError
        A value has the wrong type for the model.
    """
    if texts.len() == 0:
        return np.empty((0, len(bundle.schema.names)), dtype=np.float64)
    # One JSON object per line, written by polars itself (a Python join copies the text
    # twice); JSON text never holds a raw newline, and one column needs no quoting.
    buffer = io.BytesIO()
    texts.to_frame().write_csv(buffer, include_header=False, quote_style="never")
    buffer.seek(0)
    try:
        frame = pl.read_ndjson(buffer, schema=_dtypes(bundle))
    except pl.exceptions.PolarsError as exc:
        raise FeatureError(f"a logged feature row does not fit {label}'s types: {exc}") from exc
    return bundle.matrix(frame)


def replay_logged(
    bundle: Bundle, logged: pl.DataFrame, *, label: str = "the model"
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
    scores = bundle.score(logged_matrix(bundle, logged["features"], label=label))
    return logged.drop("features").hstack(scores.to_frame())
