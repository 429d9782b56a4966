"""Applications: when, what for, how long, through which post and agent."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ._calendar import daily_weights
from ._common import pick, pick_rows
from ._reference import CODES, COUNTRIES, POST_OFFSET, VOA_INELIGIBLE, VOA_POSTS

# Purposes allowed per visa type, with shares (indices into contract.PURPOSES).
_PURPOSES = {
    0: ((0, 0.80), (1, 0.14), (9, 0.06)),  # visit: tourism, family_visit, medical
    1: ((2, 0.60), (3, 0.25), (8, 0.15)),  # business: meeting, conference, investment
    2: ((4, 0.95), (6, 0.05)),  # work: employment, research
    3: ((5, 0.90), (6, 0.10)),  # study: study, research
    4: ((1, 1.0),),  # family
    5: ((7, 1.0),),  # retirement
    6: ((8, 0.5), (7, 0.5)),  # second_home: investment, retirement
}
# Channel shares (visa on arrival, e-visa, post) per visa type.
_CHANNEL = np.array(
    [
        [0.45, 0.40, 0.15],
        [0.10, 0.55, 0.35],
        [0.0, 0.5, 0.5],
        [0.0, 0.5, 0.5],
        [0.0, 0.55, 0.45],
        [0.0, 0.5, 0.5],
        [0.0, 0.45, 0.55],
    ]
)


def schedule(rng: np.random.Generator, p: dict, counts: np.ndarray, start: dt.date, days: int):
    """Applicant and submission time of every application, sorted by applicant then time.

    Returns
    -------
    (person, seconds, seq)
        Applicant index, seconds since ``start`` and the application's rank (0 = first)
        among its applicant's applications.
    """
    person = np.repeat(np.arange(len(counts)), counts)
    muslim = np.array([c.muslim for c in COUNTRIES])[p["nat"][person]]
    day = np.empty(len(person), dtype=np.int64)
    for flag in (False, True):
        w = daily_weights(start, days, muslim=flag)
        hit = muslim == flag
        day[hit] = pick(rng, int(hit.sum()), w)
    # Most arrive in Jakarta office hours (UTC+7, i.e. 01:00-09:00 UTC); online ones any time.
    office = rng.random(len(person)) < 0.7
    hour = np.where(
        office, rng.normal(3.5, 2.0, len(person)).clip(0.5, 9.5), rng.uniform(0, 24, len(person))
    )
    seconds = day * 86400 + np.minimum(hour * 3600, 86399).astype(np.int64)
    order = np.lexsort((seconds, person))
    person, seconds = person[order], seconds[order]
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seq = np.arange(len(person)) - np.repeat(first, counts)
    return person, seconds, seq


def details(rng: np.random.Generator, p: dict, person: np.ndarray, seq: np.ndarray) -> dict:
    """Visa type, purpose, stay, funds, channel and post of each application."""
    n = len(person)
    profile = p["profile"][person]
    casual = (rng.random(n) < 0.2) & (seq > 0) & (profile != 0)
    visa = np.where(casual, 0, profile)
    purpose = np.empty(n, dtype=np.int64)
    for v, options in _PURPOSES.items():
        hit = visa == v
        codes = np.array([o[0] for o in options])
        purpose[hit] = codes[pick(rng, int(hit.sum()), np.array([o[1] for o in options]))]
    stay = _stay(rng, visa)
    funds = p["funds_per_day"][person] * stay**0.85 * rng.lognormal(0, 0.25, n)
    funds = np.round(np.minimum(funds, 5e7), -1)
    channel = pick_rows(rng, _CHANNEL[visa])
    # Nationalities without visa on arrival apply online instead.
    no_voa = np.isin(CODES[p["nat"][person]], list(VOA_INELIGIBLE))
    channel = np.where(no_voa & (channel == 0), 1, channel)
    return {
        "visa": visa,
        "purpose": purpose,
        "stay": stay,
        "funds": funds,
        "channel": channel,
        "post": _post(rng, p["res"][person], channel),
    }


def _stay(rng: np.random.Generator, visa: np.ndarray) -> np.ndarray:
    n = len(visa)
    short = np.clip(np.round(rng.lognormal(np.log(10), 0.55, n)), 2, 60)
    business = np.clip(np.round(rng.lognormal(np.log(6), 0.6, n)), 1, 60)
    long = np.array([180, 365, 730])[pick(rng, n, np.array([0.3, 0.5, 0.2]))]
    family = np.array([60, 180, 365])[pick(rng, n, np.array([0.3, 0.3, 0.4]))]
    home = np.array([1825, 3650])[pick(rng, n, np.array([0.7, 0.3]))]
    table = np.stack([short, business, long, long, family, np.full(n, 365), home])
    return table[visa, np.arange(n)].astype(np.int64)


def _post(rng: np.random.Generator, res: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Place of application (code into ``PLACES``): visa on arrival, e-visa, or a post."""
    n = len(res)
    out = np.zeros(n, dtype=np.int64)  # the e-visa portal
    voa = channel == 0
    out[voa] = 1 + pick(rng, int(voa.sum()), np.array([v[1] for v in VOA_POSTS]))
    posts = np.array([len(c.posts) for c in COUNTRIES])[res]
    slot = np.minimum((posts * rng.random(n) ** 1.5).astype(np.int64), posts - 1)
    at_post = channel == 2
    out[at_post] = POST_OFFSET[res[at_post]] + slot[at_post]
    return out
