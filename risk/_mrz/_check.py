"""ICAO 9303 check digits (7-3-1 weights), scalar and vectorised, and the zone layouts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

_WEIGHTS = (7, 3, 1)
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUES = {ch: i for i, ch in enumerate(_ALPHABET)} | {"<": 0}
_INVALID = 255
_LUT = np.full(256, _INVALID, dtype=np.uint8)
for _ch, _v in _VALUES.items():
    _LUT[ord(_ch)] = _v
_WEIGHT_ARRAY = np.array(_WEIGHTS, dtype=np.int64)


@dataclass(frozen=True)
class Layout:
    """Where the fields of a two-line zone (TD2, TD3, MRV-A, MRV-B) sit.

    Line 1 is document code (2), issuing state (3), name (``name_width``).  Line 2 is
    the common core (number, check, nationality, birth date, check, sex, expiry date,
    check: 28 characters), then optional data (``optional_width``), then the optional
    data's own check digit (TD3 only) and the composite check digit (TD2, TD3).
    """

    width: int
    name_width: int
    optional_width: int
    optional_check: bool
    composite: bool


#: Two-line formats; TD1 (three lines of 30) is laid out in code of its own.
LAYOUTS: dict[str, Layout] = {
    "TD3": Layout(44, 39, 14, optional_check=True, composite=True),
    "TD2": Layout(36, 31, 7, optional_check=False, composite=True),
    "MRVA": Layout(44, 39, 16, optional_check=False, composite=False),
    "MRVB": Layout(36, 31, 8, optional_check=False, composite=False),
}
TD1_WIDTH = 30
TD1_NAME_WIDTH = 30
TD1_OPTIONAL1_WIDTH = 15
TD1_OPTIONAL2_WIDTH = 11
DEFAULT_DOCUMENT_CODES = {"TD1": "I", "TD2": "I", "TD3": "P", "MRVA": "V", "MRVB": "V"}


def check_digit(s: str) -> int:
    """The ICAO 9303 check digit of ``s``.

    Characters are valued ``0``-``9`` for digits, 10-35 for ``A``-``Z`` and 0 for the
    filler ``<``; values are weighted 7, 3, 1 repeating, summed, and taken modulo 10.

    Parameters
    ----------
    s
        The field as it appears in the zone (uppercase, fillers included).

    Returns
    -------
    int
        The check digit, 0 to 9.

    Raises
    ------
    ValueError
        If ``s`` holds a character outside ``[0-9A-Z<]``; the message names the
        character and its 1-based position.
    """
    total = 0
    for i, ch in enumerate(s):
        value = _VALUES.get(ch)
        if value is None:
            raise ValueError(
                f"invalid MRZ character {ch!r} at position {i + 1} of {s!r}"
                " (allowed: 0-9, A-Z, '<')"
            )
        total += value * _WEIGHTS[i % 3]
    return total % 10


_FIXED_WIDTH_LIMIT = 64


def _check_digits(series: pl.Series) -> pl.Series:
    """Vectorised check digits over a string series.

    Only numpy and pyarrow run here: calling back into polars from inside a polars UDF
    contends for polars' own thread pool (``benchmarks/bench_validate.py`` times the
    vectorised check digits).  When every string
    has the same length (the usual case for one MRZ field) the bytes are viewed as a
    (rows, width) matrix and weighted in one product; otherwise a cumulative-sum pass
    handles the ragged strings.
    """
    arr = series.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    n = len(arr)
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + n + 1]
    start = int(offsets[0]) if n else 0
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[start : int(offsets[-1])]
        if data_buf is not None and n
        else np.empty(0, dtype=np.uint8)
    )
    values = _LUT[data]
    rel = offsets - start
    lengths = np.diff(rel)
    width = int(lengths[0]) if n else 0
    fixed = n and 0 < width <= _FIXED_WIDTH_LIMIT and len(data) == n * width
    if fixed and (lengths == width).all():
        digits, invalid = _fixed_width(values.reshape(n, width), width)
    else:
        digits, invalid = _ragged(values, rel)
    if arr.null_count:
        invalid |= arr.is_null().to_numpy(zero_copy_only=False)
    out = pa.array(digits, type=pa.uint8(), mask=invalid)
    return pl.Series(series.name, out, dtype=pl.UInt8)


def check_digits_of_bytes(m: np.ndarray) -> np.ndarray:
    """Check digits of each row of an ASCII byte matrix (one field per row), as ``uint8``.

    The vectorised form behind the synthetic world's zones; rows must hold only
    ``0-9``, ``A-Z`` and ``<``.
    """
    digits, invalid = _fixed_width(_LUT[m], m.shape[1])
    if invalid.any():
        raise ValueError(f"row {int(invalid.argmax())} holds a character outside 0-9, A-Z, '<'")
    return digits


def _fixed_width(values: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    weights = np.resize(np.array(_WEIGHTS, dtype=np.int32), width)
    invalid = (values == _INVALID).any(axis=1)
    sums = values.astype(np.int32) @ weights if width else np.zeros(len(values), np.int32)
    return (sums % 10).astype(np.uint8), invalid


def _ragged(values: np.ndarray, rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bad = values == _INVALID
    lengths = np.diff(rel)
    position = np.arange(len(values), dtype=np.int64) - np.repeat(rel[:-1], lengths)
    weighted = np.where(bad, 0, values.astype(np.int64) * _WEIGHT_ARRAY[position % 3])
    sums = np.concatenate(([0], np.cumsum(weighted)))
    bads = np.concatenate(([0], np.cumsum(bad, dtype=np.int64)))
    digits = ((sums[rel[1:]] - sums[rel[:-1]]) % 10).astype(np.uint8)
    return digits, (bads[rel[1:]] - bads[rel[:-1]]) > 0


def check_digit_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`check_digit` over a polars String expression.

    Parameters
    ----------
    expr
        A String expression (fields as they appear in the zone).

    Returns
    -------
    pl.Expr
        UInt8 check digits; null where the input is null or holds a character
        outside ``[0-9A-Z<]``.  The empty string has check digit 0.
    """
    return expr.map_batches(_check_digits, return_dtype=pl.UInt8, is_elementwise=True)
