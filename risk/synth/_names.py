"""Names of applicants, from the naming tradition of their nationality."""

from __future__ import annotations

import numpy as np

from ._reference import COUNTRIES, GIVEN_NAMES, NAMES, SURNAMES

_S = {name: i for i, name in enumerate(SURNAMES)}
_G = {name: i for i, name in enumerate(GIVEN_NAMES)}


def names(rng: np.random.Generator, nat: np.ndarray, sex: np.ndarray):
    """Surname, given name and second given name (-1: none) of each person, as codes.

    Codes index :data:`SURNAMES` and :data:`GIVEN_NAMES` (upper-case ASCII).
    """
    k = len(nat)
    surname = np.zeros(k, dtype=np.int64)
    given = np.zeros(k, dtype=np.int64)
    given2 = np.full(k, -1, dtype=np.int64)
    region = np.array([c.names for c in COUNTRIES], dtype=object)[nat]
    second = rng.random(k) < 0.3
    for key, (surnames, female, male) in NAMES.items():
        hit = np.flatnonzero(region == key)
        if not len(hit):
            continue
        s = np.array([_S[x] for x in surnames])
        surname[hit] = s[rng.integers(0, len(s), len(hit))]
        pool_f, pool_m = np.array([_G[x] for x in female]), np.array([_G[x] for x in male])
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
        given[hit] = first
        given2[hit] = np.where(both, extra, -1)
    return surname, given, given2
