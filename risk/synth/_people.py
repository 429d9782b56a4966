"""Applicants: who they are, where they live, how tied they are to home."""

from __future__ import annotations

import numpy as np

from ._common import pick, pick_rows
from ._reference import CODES, COUNTRIES, INDEX, OCCUPATION_NAMES, OCCUPATIONS, SHARES

#: Visa profile of a person (what they usually apply for) and its share of applicants.
PROFILES = ("visit", "business", "work", "study", "family", "retirement", "second_home")
_PROFILE_P = np.array([0.62, 0.13, 0.08, 0.04, 0.07, 0.03, 0.03])
# Age range (min, max) by profile; children are handled separately.
_AGE = {0: (18, 72), 1: (24, 66), 2: (22, 58), 3: (18, 32), 4: (18, 75), 5: (55, 82), 6: (35, 75)}
_REPEATS = np.array([1, 2, 3, 4, 5, 6, 8])
_REPEATS_P = np.array([0.70, 0.15, 0.07, 0.04, 0.02, 0.01, 0.01])
_X_ALLOWED = {"AUS", "NZL", "CAN", "DEU", "NLD", "USA"}


def applicant_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """Applications per applicant, summing to exactly ``n`` (some people apply often)."""
    counts = _REPEATS[pick(rng, n, _REPEATS_P)]
    total = np.cumsum(counts)
    k = int(np.searchsorted(total, n)) + 1
    counts = counts[:k].copy()
    counts[-1] -= int(total[k - 1] - n)
    return counts


def people(rng: np.random.Generator, k: int, reference: np.datetime64) -> dict[str, np.ndarray]:
    """``k`` applicants as columns of numpy arrays (index = applicant number)."""
    nat = pick(rng, k, SHARES)
    res = _residence(rng, nat)
    profile = pick(rng, k, _PROFILE_P)
    child = np.isin(profile, (0, 4)) & (rng.random(k) < 0.07)
    lo = np.array([_AGE[p][0] for p in range(7)])[profile]
    hi = np.array([_AGE[p][1] for p in range(7)])[profile]
    age = np.where(child, rng.integers(0, 18, k), lo + (hi - lo) * rng.beta(1.6, 2.4, k))
    birth = reference - (age * 365.25).astype(np.int64) - rng.integers(0, 365, k)
    sex = np.where(rng.random(k) < 0.485, 0, 1)
    x_ok = np.isin(CODES[nat], list(_X_ALLOWED))
    sex = np.where(x_ok & (rng.random(k) < 0.004), 2, sex)
    marital = _marital(rng, age)
    occ_kind, occupation = _occupation(rng, profile, age, child)
    tenure = _tenure(rng, occ_kind, age)
    income = np.array([c.income for c in COUNTRIES])[res]
    factor = np.array([1.0, 1.3, 0.35, 0.5, 0.3, 1.1])[occ_kind]  # employed..retired
    funds_per_day = income * factor * rng.lognormal(0.0, 0.6, k)
    household = _households(rng, nat)
    return {
        "nat": nat,
        "res": res,
        "city": _city(rng, res),
        "profile": profile,
        "child": child,
        "age": age,
        "birth": birth,
        "sex": sex,
        "marital": marital,
        "occ_kind": occ_kind,
        "occupation": occupation,
        "tenure": tenure,
        "funds_per_day": funds_per_day,
        "household": household,
        "z": rng.standard_normal(k),
        "z_doc": rng.standard_normal(k),
        "bank_missing": rng.random(k) < 0.35,
        "email_missing": rng.random(k) < 0.02,
        "phone_missing": rng.random(k) < 0.01,
    }


def _residence(rng: np.random.Generator, nat: np.ndarray) -> np.ndarray:
    res = nat.copy()
    u = rng.random(len(nat))
    for i, c in enumerate(COUNTRIES):
        start = 0.0
        for code, share in c.diaspora:
            hit = (nat == i) & (u >= start) & (u < start + share)
            res[hit] = INDEX[code]
            start += share
    return res


def _city(rng: np.random.Generator, res: np.ndarray) -> np.ndarray:
    # Index into the residence country's city list, the first city most common.
    sizes = np.array([len(c.cities) for c in COUNTRIES])[res]
    u = rng.random(len(res))
    return np.minimum((sizes * u**1.8).astype(np.int64), sizes - 1)


def _marital(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    young = np.clip((age - 18) / 20, 0, 1)
    old = np.clip((age - 60) / 30, 0, 1)
    probs = np.column_stack(
        [
            1.0 - 0.75 * young,
            0.75 * young * (1 - 0.4 * old),
            0.12 * young,
            0.25 * old + 0.005,
        ]
    )
    return np.where(age < 18, 0, pick_rows(rng, probs))


def _occupation(rng, profile, age, child):
    k = len(profile)
    kind = pick(rng, k, np.array([0.72, 0.15, 0.08]))  # employed, self, none
    kind = np.where(profile == 3, 3, kind)  # students
    kind = np.where((profile == 5) | (age >= 64), 5, kind)  # retired
    kind = np.where(child, 4, kind)  # children: no occupation
    # Codes into OCCUPATION_NAMES (-1: not declared).
    names = np.full(k, -1, dtype=np.int64)
    offset = 0
    for code, key in ((0, "employed"), (1, "self"), (2, "none")):
        size = len(OCCUPATIONS[key])
        hit = kind == code
        names[hit] = offset + rng.integers(0, size, int(hit.sum()))
        offset += size
    names[kind == 3] = OCCUPATION_NAMES.index("student")
    names[kind == 5] = OCCUPATION_NAMES.index("retired")
    names[(kind == 4) | (rng.random(k) < 0.03)] = -1  # children; not declared
    return kind, names


def _tenure(rng, kind, age):
    months = rng.lognormal(np.log(40), 1.0, len(kind))
    months = np.minimum(months, np.maximum((age - 18) * 12, 0))
    return np.where(np.isin(kind, (0, 1)), np.floor(months), np.nan)


def _households(rng, nat):
    # A share of applicants live with another applicant of the same nationality.
    order = np.argsort(nat, kind="stable")
    household = np.arange(len(nat))
    shared = rng.random(len(nat)) < 0.12
    sorted_house = household[order]
    for _ in range(2):
        prev = np.concatenate([[sorted_house[0]], sorted_house[:-1]])
        same = np.concatenate([[False], nat[order][1:] == nat[order][:-1]])
        sorted_house = np.where(shared[order] & same, prev, sorted_house)
    household[order] = sorted_house
    return household
