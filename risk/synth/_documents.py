"""Documents scanned with each application: passports, identity cards, permits, visas.

Genuine documents carry valid MRZs that agree with the printed page.  Fraudulent ones
show one of the forgery kinds (:data:`FRAUD_KINDS`) that document examiners know.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from risk.contract import CHIP_RESULTS, DOCUMENT_TYPES, MRZ_FORMATS

from . import _mrz_bytes as mrz
from ._common import digits, from_codes, from_matrix, mix64, pick, to_matrix
from ._names import GIVEN_NAMES, SURNAMES
from ._reference import CODES, COUNTRIES, LANGUAGES

#: How a fraudulent primary document shows itself (0: genuine).
FRAUD_KINDS = (
    "genuine",
    "naive_edit",
    "recomputed",
    "tampered",
    "reissued",
    "impostor",
    "chip_clone",
)
_FRAUD_P = np.array([0.22, 0.18, 0.20, 0.15, 0.15, 0.10])
CODE_BYTES = np.frombuffer("".join(CODES).encode(), dtype=np.uint8).reshape(-1, 3)
_SEX_MRZ = np.array([[ord("F")], [ord("M")], [ord("<")]], dtype=np.uint8)
_ISSUERS = (*CODES, "IDN")  # codes of issuing states; Indonesia issues the visas
_IDN = len(CODES)
_PASSPORT, _NATIONAL_ID, _PERMIT, _VISA = (DOCUMENT_TYPES.index(t) for t in DOCUMENT_TYPES)
_TD1, _TD2, _TD3, _MRVA, _MRVB = (MRZ_FORMATS.index(f) for f in MRZ_FORMATS)


def primary(rng: np.random.Generator, a: dict, seed: int):
    """The passport or identity card of each application, and its fraud kind."""
    n = len(a["day"])
    has_id = np.array([c.national_id is not None for c in COUNTRIES])[a["nat"]]
    use_id = has_id & (a["visa"] == 0) & (a["res"] == a["nat"]) & (rng.random(n) < 0.15)
    issue, serial, period = _chain(a, seed)
    kind = np.zeros(n, dtype=np.int64)
    fraud = np.flatnonzero(a["document_fraud"])
    kind[fraud] = 1 + pick(rng, len(fraud), _FRAUD_P)
    reissued = kind == 4  # a new passport days before applying
    issue = np.where(reissued, a["day"] - rng.integers(1, 21, n), issue)
    serial = np.where(reissued, mix64(serial, seed + 3), serial)
    fields = _fields(rng, a, n, issue, issue + period - 1, _number(serial, use_id), kind)
    chip, kind = _chip(rng, a, issue, use_id, kind)
    face, quality, tamper = _scores(rng, n, kind)
    td2 = use_id & np.array([c.national_id == "TD2" for c in COUNTRIES])[a["nat"]]
    fmt = np.where(use_id & ~td2, _TD1, np.where(td2, _TD2, _TD3))
    cols = _base(a) | {
        "type": np.where(use_id, _NATIONAL_ID, _PASSPORT),
        "fmt": fmt,
        "number": fields["printed_number"],
        "birth": fields["printed_birth"],
        "issue": issue,
        "expiry": fields["printed_expiry"],
        "issuer": a["nat"],
        "language": _language(rng, a["nat"]),
        "chip": chip,
        "face": face,
        "quality": quality,
        "tamper": tamper,
        "m_number": fields["number"],
        "m_birth": fields["birth"],
        "m_expiry": fields["expiry"],
        "birth_cd": fields["birth_cd"],
        "expiry_cd": fields["expiry_cd"],
    }
    parts = []
    for code in (_TD3, _TD1, _TD2):
        rows = np.flatnonzero(fmt == code)
        if len(rows):
            sub = {key: value[rows] for key, value in cols.items()}
            parts.append(_frame(sub, _primary_lines(code, sub), order=0))
    return pl.concat(parts), kind


def _chain(a: dict, seed: int):
    """Each person's passports: renewed at expiry; some first-time travellers get a new one.

    Returns the issue date, a serial (for the number) and the validity in days of the
    passport valid on each application's day.
    """
    validity = np.where(a["child"], 5, np.array([c.validity for c in COUNTRIES])[a["nat"]])
    period = np.round(validity * 365.25).astype(np.int64)
    person = a["person"].astype(np.uint64)
    fresh = (a["prior_trips"] == 0) & (mix64(person, seed + 7) % 4 == 0)
    back = np.where(
        fresh,
        7 + (mix64(person, seed) % 80).astype(np.int64),
        (mix64(person, seed + 1) % period.astype(np.uint64)).astype(np.int64),
    )
    anchor = (a["first_day"] - back).astype("datetime64[D]")
    k = (a["day"] - anchor).astype(np.int64) // period
    serial = mix64(person * np.uint64(64) + k.astype(np.uint64), seed + 2)
    return anchor + k * period, serial, period


def _chip(rng, a, issue, use_id, kind):
    """Chip result (0 passed, 1 failed, 2 not present); clones fail, chipless ones are tampered."""
    chip_year = np.array([c.epassport for c in COUNTRIES])[a["nat"]]
    chipped = issue.astype("datetime64[Y]").astype(np.int64) + 1970 >= chip_year
    chipped |= use_id & np.isin(CODES[a["nat"]], ("MYS", "SGP", "BRN"))
    chip = np.where(chipped, np.where(rng.random(len(kind)) < 0.01, 1, 0), 2)
    chip = np.where((kind == 6) & chipped, 1, chip)
    return chip, np.where((kind == 6) & ~chipped, 3, kind)


def _number(serial: np.ndarray, national_id: np.ndarray) -> np.ndarray:
    letter = (65 + serial % 26).astype(np.uint8)[:, None]
    passport = np.hstack([letter, digits((serial >> np.uint64(8)) % 10**8, 8)])
    card = digits((serial >> np.uint64(4)) % 10**9, 9)
    return np.where(national_id[:, None], card, passport)


def _fields(rng, a, n, issue, expiry, number, kind):
    """MRZ and printed values; the two disagree or fail a check digit for forgeries."""
    birth = a["birth"].astype("datetime64[D]")
    mrz_birth, mrz_expiry, mrz_number = birth.copy(), expiry.copy(), number.copy()
    birth_cd, expiry_cd = mrz.check_digit(mrz.yymmdd(birth)), mrz.check_digit(mrz.yymmdd(expiry))
    # Naive edit: a date changed on page and MRZ, its check digit left as it was.
    naive = kind == 1
    on_birth = naive & (rng.random(n) < 0.6)
    on_expiry = naive & ~on_birth
    mrz_birth = np.where(on_birth, birth + rng.integers(365, 3650, n), birth)
    mrz_expiry = np.where(on_expiry, expiry + rng.integers(365, 1825, n), expiry)
    idx = np.flatnonzero(naive)
    for _ in range(12):  # make sure the stale digit really is wrong
        b_new = mrz.check_digit(mrz.yymmdd(mrz_birth[idx]))[:, 0]
        e_new = mrz.check_digit(mrz.yymmdd(mrz_expiry[idx]))[:, 0]
        same_b = on_birth[idx] & (b_new == birth_cd[idx, 0])
        same_e = on_expiry[idx] & (e_new == expiry_cd[idx, 0])
        mrz_birth[idx] = np.where(same_b, mrz_birth[idx] + 1, mrz_birth[idx])
        mrz_expiry[idx] = np.where(same_e, mrz_expiry[idx] + 1, mrz_expiry[idx])
    # Recomputed forgery: a different identity's data with valid digits; the page is genuine.
    forged = kind == 2
    other = mix64(np.arange(n, dtype=np.uint64), 0xF0F0) | np.uint64(1)
    mrz_number = np.where(forged[:, None], _number(other, np.zeros(n, bool)), number)
    mrz_birth = np.where(forged, birth - 400 - (other % 4000).astype(np.int64), mrz_birth)
    return {
        "number": mrz_number,
        "birth": mrz.yymmdd(mrz_birth),
        "expiry": mrz.yymmdd(mrz_expiry),
        "birth_cd": np.where(on_birth[:, None], birth_cd, mrz.check_digit(mrz.yymmdd(mrz_birth))),
        "expiry_cd": np.where(
            on_expiry[:, None], expiry_cd, mrz.check_digit(mrz.yymmdd(mrz_expiry))
        ),
        "printed_number": number,
        "printed_birth": np.where(naive, mrz_birth, birth),
        "printed_expiry": np.where(naive, mrz_expiry, expiry),
    }


def printed_names(cols: dict) -> tuple[pl.Series, pl.Series]:
    """Printed surname and given names from the name codes."""
    frame = pl.DataFrame(
        {
            "s": from_codes(SURNAMES, cols["surname"]),
            "g": from_codes(GIVEN_NAMES, cols["given"]),
            "g2": from_codes(GIVEN_NAMES, cols["given2"]),
        }
    )
    given = (
        pl.when(pl.col("g2").is_null())
        .then(pl.col("g"))
        .otherwise(pl.concat_str("g", pl.lit(" "), "g2"))
    )
    out = frame.select(pl.col("s"), given.alias("g"))
    return out["s"], out["g"]


def _name_matrix(surname: pl.Series, given: pl.Series) -> np.ndarray:
    field = (
        pl.DataFrame({"s": surname, "g": given})
        .select(pl.concat_str("s", pl.lit("<<"), "g").str.replace_all(" ", "<", literal=True))
        .to_series()
    )
    return to_matrix(field, 39)


def _primary_lines(code: int, c: dict) -> tuple[pl.Series, pl.Series, pl.Series]:
    n = len(c["nat"])
    nat, sex = CODE_BYTES[c["nat"]], _SEX_MRZ[c["sex"]]
    name = _name_matrix(*printed_names(c))
    args = (nat, name, c["m_number"], nat, c["m_birth"], sex, c["m_expiry"])
    kw = {"birth_cd": c["birth_cd"], "expiry_cd": c["expiry_cd"]}
    none = pl.repeat(None, n, dtype=pl.String, eager=True)
    if code == _TD1:
        l1, l2, l3 = mrz.td1(mrz.fixed("I<", n), *args, **kw)
        return from_matrix(l1, "a"), from_matrix(l2, "b"), from_matrix(l3, "c")
    if code == _TD2:
        l1, l2 = mrz.td2(mrz.fixed("I<", n), *args, **kw)
    else:
        optional = np.full((n, 14), mrz.FILLER, np.uint8)
        l1, l2 = mrz.td3(mrz.fixed("P<", n), *args, optional, **kw)
    return from_matrix(l1, "a"), from_matrix(l2, "b"), none


def _scores(rng, n, kind):
    face = rng.beta(20, 2.2, n)
    face = np.where(kind == 5, rng.beta(3, 5, n), face)
    quality = rng.beta(9, 1.8, n)
    tamper = rng.beta(1.5, 30, n) + 0.2 * (1 - quality) * rng.random(n)
    tamper = np.where(kind == 3, rng.beta(7, 2.5, n), tamper)
    unscanned = rng.random(n) < 0.01  # scanner unavailable: no image scores
    quality = np.where(unscanned, np.nan, quality)
    tamper = np.where(unscanned, np.nan, np.clip(tamper, 0, 1))
    return face, quality, tamper


def _language(rng, idx):
    """Main language of the printed page (code into ``LANGUAGES``), by issuing country."""
    out = np.zeros(len(idx), dtype=np.int64)
    u = rng.random(len(idx))
    for i, c in enumerate(COUNTRIES):
        hit = idx == i
        langs = np.array([LANGUAGES.index(lang) for lang, _ in c.languages])
        cum = np.cumsum([w for _, w in c.languages])
        out[hit] = langs[np.minimum(np.searchsorted(cum, u[hit] * cum[-1]), len(langs) - 1)]
    return out


def _frame(c: dict, lines: tuple[pl.Series, pl.Series, pl.Series], *, order: int):
    """Documents in contract order (plus ``_app`` and ``_order`` for sorting)."""
    n = len(c["_app"])
    surname, given = printed_names(c)
    return pl.DataFrame(
        {
            "_app": c["_app"],
            "_order": np.full(n, order, dtype=np.int8),
            "document_type": from_codes(DOCUMENT_TYPES, c["type"]),
            "mrz_format": from_codes(MRZ_FORMATS, c["fmt"]),
            "mrz_line1": lines[0],
            "mrz_line2": lines[1],
            "mrz_line3": lines[2],
            "printed_surname": surname,
            "printed_given_names": given,
            "printed_document_number": from_matrix(c["number"], "n"),
            "printed_nationality": from_codes(CODES, c["nat"]),
            "printed_birth_date": c["birth"].astype("datetime64[D]"),
            "printed_sex": from_codes(("F", "M", "X"), c["sex"]),
            "issue_date": c["issue"].astype("datetime64[D]"),
            "expiry_date": c["expiry"].astype("datetime64[D]"),
            "issuing_state": from_codes(_ISSUERS, c["issuer"]),
            "document_language": from_codes(LANGUAGES, c["language"]),
            "chip_auth_result": from_codes(CHIP_RESULTS, c["chip"]),
            "face_match_score": _nullable(c["face"], n),
            "image_quality_score": _nullable(c["quality"], n),
            "tamper_score": _nullable(c["tamper"], n),
        }
    )


def _nullable(x, n):
    if x is None:
        return pl.repeat(None, n, dtype=pl.Float64, eager=True)
    return pl.Series(x, dtype=pl.Float64).fill_nan(None)


def _base(a: dict) -> dict:
    keys = ("app", "surname", "given", "given2", "nat", "sex", "birth")
    c = {k: a[k] for k in keys}
    c["_app"] = c.pop("app")
    return c


def permits(rng: np.random.Generator, a: dict, seed: int) -> pl.DataFrame:
    """Residence permits (TD1) of applicants living outside their country of nationality."""
    n = len(a["day"])
    issue = a["day"] - rng.integers(30, 700, n)
    expiry = issue + np.where(rng.random(n) < 0.5, 730, 1095) - 1
    expiry = np.where(expiry <= a["day"], expiry + 730, expiry)
    number = digits(mix64(a["person"], seed + 5) % 10**9, 9)
    quality = rng.beta(9, 1.8, n)
    c = _base(a) | {
        "type": np.full(n, _PERMIT),
        "fmt": np.full(n, _TD1),
        "number": number,
        "issue": issue,
        "expiry": expiry,
        "issuer": a["res"],
        "language": _language(rng, a["res"]),
        "chip": np.where(rng.random(n) < 0.4, 0, 2),
        "face": None,
        "quality": quality,
        "tamper": np.clip(rng.beta(1.5, 30, n) + 0.2 * (1 - quality) * rng.random(n), 0, 1),
    }
    name = _name_matrix(*printed_names(c))
    l1, l2, l3 = mrz.td1(
        mrz.fixed("IR", n),
        CODE_BYTES[a["res"]],
        name,
        number,
        CODE_BYTES[a["nat"]],
        mrz.yymmdd(a["birth"]),
        _SEX_MRZ[a["sex"]],
        mrz.yymmdd(expiry),
    )
    return _frame(c, (from_matrix(l1, "a"), from_matrix(l2, "b"), from_matrix(l3, "c")), order=1)


def visas(rng: np.random.Generator, a: dict, seed: int, long_stay: np.ndarray) -> pl.DataFrame:
    """Indonesian visas from earlier trips: MRV-A for long stays, MRV-B for short ones."""
    n = len(a["day"])
    issue = np.where(
        long_stay, a["day"] - rng.integers(200, 360, n), a["day"] - rng.integers(30, 700, n)
    )
    expiry = issue + np.where(long_stay, 365, 180) - 1
    serial = mix64(a["app"].astype(np.uint64), seed + 6)
    letter = np.where(long_stay, ord("C"), ord("B")).astype(np.uint8)[:, None]
    number = np.hstack([letter, digits(serial % 10**8, 8)])
    c = _base(a) | {
        "type": np.full(n, _VISA),
        "fmt": np.where(long_stay, _MRVA, _MRVB),
        "number": number,
        "issue": issue,
        "expiry": expiry,
        "issuer": np.full(n, _IDN),
        "language": np.full(n, LANGUAGES.index("id")),
        "chip": np.full(n, 2),
        "face": None,
        "quality": rng.beta(9, 1.8, n),
        "tamper": np.clip(rng.beta(1.5, 30, n), 0, 1),
    }
    parts = []
    for kind, rows in (("MRVA", np.flatnonzero(long_stay)), ("MRVB", np.flatnonzero(~long_stay))):
        if len(rows):
            sub = {k: (v[rows] if v is not None else None) for k, v in c.items()}
            parts.append(_frame(sub, _visa_lines(kind, sub), order=2))
    return pl.concat(parts)


def _visa_lines(kind: str, c: dict) -> tuple[pl.Series, pl.Series, pl.Series]:
    n = len(c["nat"])
    name = _name_matrix(*printed_names(c))
    l1, l2 = mrz.mrv(
        kind,
        mrz.fixed("IDN", n),
        name,
        c["number"],
        CODE_BYTES[c["nat"]],
        mrz.yymmdd(c["birth"]),
        _SEX_MRZ[c["sex"]],
        mrz.yymmdd(c["expiry"]),
    )
    return (
        from_matrix(l1, "a"),
        from_matrix(l2, "b"),
        pl.repeat(None, n, dtype=pl.String, eager=True),
    )
