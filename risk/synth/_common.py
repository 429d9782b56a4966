"""Shared helpers of the generator: random streams, ids, hashes, byte matrices."""

from __future__ import annotations

import numpy as np
import polars as pl

#: One independent random stream per stage, so a change in one stage never shifts another.
STREAMS = (
    "people",
    "applications",
    "sponsors",
    "history",
    "rings",
    "violations",
    "documents",
    "labels",
    "decisions",
)

_HEX = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators, one per stage, spawned from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(s))
        for name, s in zip(STREAMS, children, strict=False)
    }


def mix64(x: np.ndarray, salt: int) -> np.ndarray:
    """SplitMix64 finaliser of ``x`` xor ``salt``: a fast, deterministic integer hash."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = (z + np.uint64(0x9E3779B97F4A7C15)) & _MASK
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
        return z ^ (z >> np.uint64(31))


def hex_hash(x: np.ndarray, salt: int, name: str) -> pl.Series:
    """16 lower-case hex characters per integer id (a stand-in for a keyed hash)."""
    h = mix64(x, salt).astype(">u8").view(np.uint8).reshape(-1, 8)
    pairs = _HEX[h]  # (n, 8) of 2-byte strings
    raw = np.ascontiguousarray(pairs).view("S16").ravel()
    return pl.Series(name, raw).cast(pl.String)


def make_ids(prefix: str, n: int, name: str, start: int = 1) -> pl.Series:
    """Sequential ids such as ``A00000001``."""
    width = max(8, len(str(start + n)))
    numbers = pl.int_range(start, start + n, dtype=pl.Int64).cast(pl.String).str.zfill(width)
    return pl.select((pl.lit(prefix) + numbers).alias(name)).to_series()


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def calibrate_intercept(logit: np.ndarray, target: float) -> float:
    """The intercept ``a`` such that ``mean(sigmoid(a + logit)) == target`` (bisection)."""
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(mid + logit).mean() > target:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def to_matrix(s: pl.Series, width: int) -> np.ndarray:
    """ASCII strings padded with ``<`` and cut to ``width``, as an ``(n, width)`` byte matrix."""
    padded = s.str.pad_end(width, "<").str.slice(0, width).rechunk()
    arr = padded.to_arrow()
    if hasattr(arr, "combine_chunks"):
        arr = arr.combine_chunks()
    import pyarrow as pa

    arr = arr.cast(pa.large_binary())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(s), width)


def from_matrix(m: np.ndarray, name: str) -> pl.Series:
    """An ``(n, width)`` byte matrix back to a String series."""
    m = np.ascontiguousarray(m, dtype=np.uint8)
    return pl.Series(name, m.view(f"S{m.shape[1]}").ravel()).cast(pl.String)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as ``(n, width)`` ASCII digit matrices (zero-padded)."""
    out = np.empty((len(values), width), dtype=np.uint8)
    v = values.astype(np.int64).copy()
    for j in range(width - 1, -1, -1):
        out[:, j] = 48 + (v % 10)
        v //= 10
    return out


def pick(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    """``n`` indices drawn with probabilities ``p`` (normalised)."""
    p = np.asarray(p, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def pick_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a ``(n, k)`` matrix of row probabilities."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def from_codes(pool, codes: np.ndarray, name: str = "") -> pl.Series:
    """Strings picked from a small ``pool`` by integer ``codes`` (negative codes: null).

    Much faster than building a String series from an array of Python strings.
    """
    values = pl.Series(name, [*pool, None], dtype=pl.String)
    idx = np.where(codes < 0, len(pool), codes).astype(np.int64)
    return values.gather(idx)
