"""ICAO 9303 machine-readable zones composed as byte matrices (one row per document).

A million MRZs are built with numpy in well under a second; ``risk.mrz`` parses and checks
them independently (the tests use it as the reference).
"""

from __future__ import annotations

import numpy as np

from risk._mrz._check import check_digits_of_bytes

from ._common import digits

FILLER = ord("<")


def check_digit(m: np.ndarray) -> np.ndarray:
    """ICAO check digit of each row of a byte matrix, as an ``(n, 1)`` ASCII column."""
    return (48 + check_digits_of_bytes(m)).astype(np.uint8)[:, None]


def yymmdd(days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` dates as ``(n, 6)`` ASCII ``YYMMDD`` (integer civil-date arithmetic)."""
    z = days.astype("datetime64[D]").astype(np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return digits((year % 100) * 10000 + month * 100 + day, 6)


def fixed(value: str, n: int) -> np.ndarray:
    """One constant field repeated on ``n`` rows."""
    return np.tile(np.frombuffer(value.encode(), dtype=np.uint8), (n, 1))


def _check_digits(number, birth, expiry, number_cd, birth_cd, expiry_cd):
    """The number, birth and expiry check digits, each computed unless given."""
    return tuple(
        check_digit(field) if given is None else given
        for field, given in ((number, number_cd), (birth, birth_cd), (expiry, expiry_cd))
    )


def td3(
    code,
    issuer,
    name,
    number,
    nat,
    birth,
    sex,
    expiry,
    optional,
    *,
    number_cd=None,
    birth_cd=None,
    expiry_cd=None,
):
    """TD3 (passport) lines 1 and 2; ``*_cd`` override a check digit (naive edits)."""
    l1 = np.hstack([code, issuer, name[:, :39]])
    ncd, bcd, ecd = _check_digits(number, birth, expiry, number_cd, birth_cd, expiry_cd)
    opt = optional[:, :14]
    ocd = np.where(np.all(opt == FILLER, axis=1, keepdims=True), FILLER, check_digit(opt))
    body = np.hstack([number, ncd, nat, birth, bcd, sex, expiry, ecd, opt, ocd])
    composite = check_digit(np.hstack([body[:, 0:10], body[:, 13:20], body[:, 21:43]]))
    return l1, np.hstack([body, composite])


def td1(
    code,
    issuer,
    name,
    number,
    nat,
    birth,
    sex,
    expiry,
    *,
    number_cd=None,
    birth_cd=None,
    expiry_cd=None,
):
    """TD1 (identity card) lines 1, 2 and 3."""
    n = len(number)
    ncd, bcd, ecd = _check_digits(number, birth, expiry, number_cd, birth_cd, expiry_cd)
    l1 = np.hstack([code, issuer, number, ncd, np.full((n, 15), FILLER, np.uint8)])
    head = np.hstack([birth, bcd, sex, expiry, ecd, nat, np.full((n, 11), FILLER, np.uint8)])
    composite = check_digit(np.hstack([l1[:, 5:30], head[:, 0:7], head[:, 8:15], head[:, 18:29]]))
    return l1, np.hstack([head, composite]), name[:, :30]


def td2(
    code,
    issuer,
    name,
    number,
    nat,
    birth,
    sex,
    expiry,
    *,
    number_cd=None,
    birth_cd=None,
    expiry_cd=None,
):
    """TD2 (identity card) lines 1 and 2."""
    n = len(number)
    ncd, bcd, ecd = _check_digits(number, birth, expiry, number_cd, birth_cd, expiry_cd)
    l1 = np.hstack([code, issuer, name[:, :31]])
    body = np.hstack(
        [number, ncd, nat, birth, bcd, sex, expiry, ecd, np.full((n, 7), FILLER, np.uint8)]
    )
    composite = check_digit(np.hstack([body[:, 0:10], body[:, 13:20], body[:, 21:35]]))
    return l1, np.hstack([body, composite])


def mrv(kind, issuer, name, number, nat, birth, sex, expiry):
    """MRV-A (44 characters) or MRV-B (36 characters) visa lines 1 and 2 (no composite)."""
    n = len(number)
    width = 44 if kind == "MRVA" else 36
    l1 = np.hstack([fixed("V<", n), issuer, name[:, : width - 5]])
    body = np.hstack(
        [
            number,
            check_digit(number),
            nat,
            birth,
            check_digit(birth),
            sex,
            expiry,
            check_digit(expiry),
        ]
    )
    return l1, np.hstack([body, np.full((n, width - 28), FILLER, np.uint8)])
