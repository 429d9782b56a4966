"""Encoded feature rows as the inference log keeps them, and their mapping between versions.

Beside each score's feature values as JSON, the log keeps the row the model read: its
float64 cells in the model's column order, little-endian, categoricals as the model's
category codes.  A backtest reads these bytes straight into its matrix instead of
decoding the JSON (which costs several times the model).  Another version reads them
through a :class:`RowMap`: its columns picked from the logged ones and its category
codes looked up from the logged model's categories (an unknown category becomes
missing, as the version's own encoding makes it).

One cell differs from the encoding the model read: a category the logging model did
not know is kept as :data:`UNSEEN` rather than missing.  The model read it as missing
(and so does the same version replaying it), but a version that knows more
categories could know it; those rows are decoded from their JSON instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from models._schema import FeatureSchema

__all__ = ["UNSEEN", "RowMap", "blob_matrix", "logged_row", "row_map"]

#: A logged categorical cell whose category the logging model did not know.
UNSEEN = -1.0

_LE = np.dtype("<f8")


def logged_row(schema: FeatureSchema, row: Mapping[str, Any], encoded: np.ndarray) -> bytes:
    """The bytes the inference log keeps for one scored row.

    Parameters
    ----------
    schema
        The scoring model's schema.
    row
        The feature values it was given.
    encoded
        ``schema.encode_row(row)``: the ``(1, n)`` matrix it scored.
    """
    cells = np.array(encoded[0], dtype=_LE)
    for j in schema.categorical_indices:
        if math.isnan(cells[j]) and row[schema.names[j]] is not None:
            cells[j] = UNSEEN
    return cells.tobytes()


@dataclass(frozen=True)
class RowMap:
    """How rows logged under one schema become another schema's matrix.

    Attributes
    ----------
    columns
        For each target column, the logged column it is read from.
    recode
        ``(target column, lookup)`` per categorical: the target's code of each logged
        code, then NaN for missing and for :data:`UNSEEN`.
    recheck
        Logged columns where an :data:`UNSEEN` cell may be a category the target knows:
        such rows must be decoded from their JSON.
    identity
        The schemas are the same: the logged cells are the matrix.
    """

    columns: np.ndarray
    recode: tuple[tuple[int, np.ndarray], ...]
    recheck: tuple[int, ...]
    identity: bool

    def apply(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The target's matrix from logged cells, and which rows need their JSON (or None)."""
        redo = None
        for column in self.recheck:
            unseen = raw[:, column] == UNSEEN
            redo = unseen if redo is None else redo | unseen
        if self.identity:
            # the model read an unknown category as missing; few rows hold one
            categorical = np.array([j for j, _ in self.recode], dtype=np.intp)
            rows, where = np.nonzero(raw[:, categorical] == UNSEEN)
            raw[rows, categorical[where]] = np.nan
            return raw, None
        out = raw[:, self.columns]
        for j, lookup in self.recode:
            codes = out[:, j]
            index = np.where(np.isnan(codes), len(lookup) - 2, codes)
            index[index == UNSEEN] = len(lookup) - 1
            out[:, j] = lookup.take(index.astype(np.intp))
        return out, None if redo is None or not redo.any() else redo


def row_map(logged: FeatureSchema, target: FeatureSchema) -> RowMap | None:
    """How ``logged`` rows become ``target``'s matrix; None if they cannot.

    They cannot when the target needs a feature the logged schema lacks or reads one
    as another kind: those rows are decoded from their JSON (which holds every
    feature the service computed).
    """
    where = {n: i for i, n in enumerate(logged.names)}
    if any(
        n not in where or logged.kinds[where[n]] != k
        for n, k in zip(target.names, target.kinds, strict=True)
    ):
        return None
    columns = np.array([where[n] for n in target.names], dtype=np.intp)
    identity = logged.encoding_id == target.encoding_id
    recode, recheck = [], []
    for j in target.categorical_indices:
        name = target.names[j]
        codes = {c: float(i) for i, c in enumerate(target.categories.get(name, ()))}
        mine = logged.categories.get(name, ())
        # logged code -> target code, then missing -> NaN, then UNSEEN -> NaN
        lookup = np.array([codes.get(c, np.nan) for c in mine] + [np.nan, np.nan])
        recode.append((j, lookup))
        if set(codes) - set(mine):
            recheck.append(int(columns[j]))
    return RowMap(columns, tuple(recode), tuple(recheck), identity)


def blob_matrix(blobs: pl.Series, width: int, out: np.ndarray | None = None) -> np.ndarray:
    """Logged rows of ``width`` cells each (a Binary series without nulls) as a matrix.

    The bytes are read where polars keeps them (Arrow's binary views) and copied once,
    into ``out`` when given (``(len(blobs), width)`` float64); a series in another
    layout is joined in Python.
    """
    n = blobs.len()
    size = width * _LE.itemsize
    out = np.empty((n, width), dtype=np.float64) if out is None else out
    if n == 0:
        return out
    arr = blobs.to_arrow(compat_level=pl.CompatLevel.newest())
    if str(arr.type) != "binary_view" or size <= 12:  # short values live inside the views
        out[:] = _joined(blobs, width)
        return out
    buffers = arr.buffers()
    # Arrow's view of each value: length, prefix, data buffer, offset in that buffer
    views = np.frombuffer(buffers[1], dtype=np.int32).reshape(-1, 4)[arr.offset : arr.offset + n]
    if (views[:, 0] != size).any():
        raise ValueError(f"logged feature rows of {width} cells must all be {size} bytes long")
    which, starts = views[:, 2], views[:, 3].astype(np.int64)
    # polars appends values in order: runs of rows lie back to back in one data buffer
    step = np.diff(starts)
    if not ((step == size) | (np.diff(which) != 0)).all():
        for b in np.unique(which):
            rows = np.flatnonzero(which == b)
            data = np.frombuffer(buffers[2 + int(b)], dtype=np.uint8)
            cells = data[starts[rows, None] + np.arange(size)]
            out[rows] = cells.view(_LE).reshape(-1, width)
        return out
    edges = [0, *(np.flatnonzero(np.diff(which)) + 1).tolist(), n]
    for first, stop in itertools.pairwise(edges):
        data = np.frombuffer(buffers[2 + int(which[first])], dtype=np.uint8)
        block = data[starts[first] : starts[first] + (stop - first) * size]
        out[first:stop] = block.view(_LE).reshape(-1, width)
    return out


def _joined(blobs: pl.Series, width: int) -> np.ndarray:
    joined = b"".join(blobs.to_list())
    if len(joined) != blobs.len() * width * _LE.itemsize:
        raise ValueError(f"logged feature rows of {width} cells must all be {width * 8} bytes long")
    return np.frombuffer(joined, dtype=_LE).reshape(-1, width)
