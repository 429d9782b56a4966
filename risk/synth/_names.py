"""Names of applicants, from the naming tradition of their nationality."""

from __future__ import annotations

import numpy as np

from ._reference import COUNTRIES, NAMES


def names(rng: np.random.Generator, nat: np.ndarray, sex: np.ndarray):
    """Surname and given names (upper-case ASCII) of each person."""
    k = len(nat)
    surname = np.empty(k, dtype=object)
    given = np.empty(k, dtype=object)
    region = np.array([c.names for c in COUNTRIES], dtype=object)[nat]
    second = rng.random(k) < 0.3
    for key, (surnames, female, male) in NAMES.items():
        hit = np.flatnonzero(region == key)
        if not len(hit):
            continue
        s = np.array(surnames, dtype=object)
        surname[hit] = s[rng.integers(0, len(s), len(hit))]
        pool_f, pool_m = np.array(female, dtype=object), np.array(male, dtype=object)
        is_f = (sex[hit] == 0) | ((sex[hit] == 2) & (rng.random(len(hit)) < 0.5))
        first = np.where(
            is_f,
            pool_f[rng.integers(0, len(pool_f), len(hit))],
            pool_m[rng.integers(0, len(pool_m), len(hit))],
        )
        extra = np.where(
            is_f,
            pool_f[rng.integers(0, len(pool_f), len(hit))],
            pool_m[rng.integers(0, len(pool_m), len(hit))],
        )
        both = second[hit] & (first != extra)
        given[hit] = np.where(both, first + " " + extra, first)
    return surname, given
