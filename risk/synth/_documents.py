"""Documents scanned with each application: passports, identity cards, permits, visas.

Genuine documents carry valid MRZs that agree with the printed page.  Fraudulent ones
show one of the forgery kinds (:data:`FRAUD_KINDS`) that document examiners know.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from . import _mrz_bytes as mrz
from ._common import digits, from_matrix, mix64, pick, to_matrix
from ._reference import CODES, COUNTRIES

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
_SEX_PRINTED = np.array(["F", "M", "X"], dtype=object)
_IDN = "IDN"


def primary(rng: np.random.Generator, a: dict, seed: int):
    """The passport or identity card of each application, and its fraud kind."""
    n = len(a["day"])
    country = [COUNTRIES[i] for i in range(len(COUNTRIES))]
    has_id = np.array([c.national_id is not None for c in country])[a["nat"]]
    use_id = has_id & (a["visa"] == 0) & (a["res"] == a["nat"]) & (rng.random(n) < 0.15)
    validity = np.where(a["child"], 5, np.array([c.validity for c in country])[a["nat"]])
    period = np.round(validity * 365.25).astype(np.int64)
    # A chain of passports per person: renewed at expiry; first-time travellers get a new one.
    person = a["person"].astype(np.uint64)
    fresh = (a["prior_trips"] == 0) & (mix64(person, seed + 7) % 4 == 0)
    back = np.where(
        fresh,
        7 + (mix64(person, seed) % 80).astype(np.int64),
        (mix64(person, seed + 1) % period.astype(np.uint64)).astype(np.int64),
    )
    anchor = (a["first_day"] - back).astype("datetime64[D]")
    k = (a["day"] - anchor).astype(np.int64) // period
    issue = anchor + k * period
    serial = mix64(person * np.uint64(64) + k.astype(np.uint64), seed + 2)
    kind = np.zeros(n, dtype=np.int64)
    fraud = np.flatnonzero(a["document_fraud"])
    kind[fraud] = 1 + pick(rng, len(fraud), _FRAUD_P)
    reissued = kind == 4
    issue = np.where(reissued, a["day"] - rng.integers(1, 21, n), issue)
    serial = np.where(reissued, mix64(serial, seed + 3), serial)
    expiry = issue + period - 1
    number = _number(serial, use_id)
    fields = _fields(rng, a, n, issue, expiry, number, kind)
    l1, l2, l3, fmt = _primary_mrz(a, use_id, fields)
    chip_year = np.array([c.epassport for c in country])[a["nat"]]
    chipped = issue.astype("datetime64[Y]").astype(np.int64) + 1970 >= chip_year
    chipped |= use_id & np.isin(CODES[a["nat"]], ("MYS", "SGP", "BRN"))
    chip = np.where(chipped, np.where(rng.random(n) < 0.01, 1, 0), 2)
    chip = np.where((kind == 6) & chipped, 1, chip)
    kind = np.where((kind == 6) & ~chipped, 3, kind)  # no chip to clone: page tampered instead
    face, quality, tamper = _scores(rng, n, kind)
    frame = _frame(
        a["app"],
        np.where(use_id, "national_id", "passport"),
        fmt,
        l1,
        l2,
        l3,
        a,
        fields["printed_number"],
        fields["printed_birth"],
        fields["printed_expiry"],
        issue,
        CODES[a["nat"]],
        _language(rng, a["nat"]),
        chip,
        face,
        quality,
        tamper,
        order=0,
    )
    return frame, kind


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
        "printed_number": from_matrix(number, "n"),
        "printed_birth": np.where(naive, mrz_birth, birth),
        "printed_expiry": np.where(naive, mrz_expiry, expiry),
    }


def _name_field(a: dict) -> np.ndarray:
    field = pl.select(
        pl.concat_str(
            pl.lit(pl.Series(a["surname"].astype(str))),
            pl.lit("<<"),
            pl.lit(pl.Series(a["given"].astype(str))),
        ).str.replace_all(" ", "<", literal=True)
    ).to_series()
    return to_matrix(field, 39)


def _primary_mrz(a, use_id, f):
    n = len(use_id)
    nat = CODE_BYTES[a["nat"]]
    sex = _SEX_MRZ[a["sex"]]
    name = _name_field(a)
    args = (nat, name, f["number"], nat, f["birth"], sex, f["expiry"])
    kw = {"birth_cd": f["birth_cd"], "expiry_cd": f["expiry_cd"]}
    p1, p2 = mrz.td3(mrz.fixed("P<", n), *args, np.full((n, 14), mrz.FILLER, np.uint8), **kw)
    i1, i2, i3 = mrz.td1(mrz.fixed("I<", n), *args, **kw)
    t1, t2 = mrz.td2(mrz.fixed("I<", n), *args, **kw)
    td2 = use_id & np.array([c.national_id == "TD2" for c in COUNTRIES])[a["nat"]]
    td1 = use_id & ~td2
    fmt = np.where(td1, "TD1", np.where(td2, "TD2", "TD3"))
    is1, is2 = pl.Series(td1), pl.Series(td2)

    def choose(x1, x2, x3):
        return pl.select(
            pl.when(pl.lit(is1))
            .then(pl.lit(from_matrix(x1, "x")))
            .when(pl.lit(is2))
            .then(pl.lit(from_matrix(x2, "x")))
            .otherwise(pl.lit(from_matrix(x3, "x")))
        ).to_series()

    line3 = pl.select(pl.when(pl.lit(is1)).then(pl.lit(from_matrix(i3, "c")))).to_series()
    return choose(i1, t1, p1), choose(i2, t2, p2), line3, fmt


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
    out = np.empty(len(idx), dtype=object)
    u = rng.random(len(idx))
    for i, c in enumerate(COUNTRIES):
        hit = idx == i
        langs = np.array([lang for lang, _ in c.languages], dtype=object)
        cum = np.cumsum([w for _, w in c.languages])
        out[hit] = langs[np.minimum(np.searchsorted(cum, u[hit] * cum[-1]), len(langs) - 1)]
    return out


def _frame(
    app,
    doc_type,
    fmt,
    l1,
    l2,
    l3,
    a,
    number,
    birth,
    expiry_printed,
    issue,
    issuer,
    language,
    chip,
    face,
    quality,
    tamper,
    *,
    order,
):
    n = len(app)
    return pl.DataFrame(
        {
            "_app": app,
            "_order": np.full(n, order, dtype=np.int8),
            "document_type": doc_type,
            "mrz_format": fmt,
            "mrz_line1": l1,
            "mrz_line2": l2,
            "mrz_line3": l3,
            "printed_surname": a["surname"],
            "printed_given_names": a["given"],
            "printed_document_number": number,
            "printed_nationality": CODES[a["nat"]],
            "printed_birth_date": birth.astype("datetime64[D]"),
            "printed_sex": _SEX_PRINTED[a["sex"]],
            "issue_date": issue.astype("datetime64[D]"),
            "expiry_date": expiry_printed.astype("datetime64[D]"),
            "issuing_state": issuer,
            "document_language": language,
            "chip_auth_result": np.array(["passed", "failed", "not_present"], dtype=object)[chip],
            "face_match_score": _nullable(face, n),
            "image_quality_score": _nullable(quality, n),
            "tamper_score": _nullable(tamper, n),
        },
        strict=False,
    )


def _nullable(x, n):
    if x is None:
        return pl.repeat(None, n, dtype=pl.Float64, eager=True)
    return pl.Series(x, dtype=pl.Float64).fill_nan(None)


def permits(rng: np.random.Generator, a: dict, seed: int) -> pl.DataFrame:
    """Residence permits (TD1) of applicants living outside their country of nationality."""
    n = len(a["day"])
    issue = a["day"] - rng.integers(30, 700, n)
    expiry = issue + np.where(rng.random(n) < 0.5, 730, 1095) - 1
    expiry = np.where(expiry <= a["day"], expiry + 730, expiry)
    number = digits(mix64(a["person"], seed + 5) % 10**9, 9)
    name = _name_field(a)
    nat, issuer = CODE_BYTES[a["nat"]], CODE_BYTES[a["res"]]
    l1, l2, l3 = mrz.td1(
        mrz.fixed("IR", n),
        issuer,
        name,
        number,
        nat,
        mrz.yymmdd(a["birth"]),
        _SEX_MRZ[a["sex"]],
        mrz.yymmdd(expiry),
    )
    chip = np.where(rng.random(n) < 0.4, 0, 2)
    quality = rng.beta(9, 1.8, n)
    tamper = np.clip(rng.beta(1.5, 30, n) + 0.2 * (1 - quality) * rng.random(n), 0, 1)
    return _frame(
        a["app"],
        np.full(n, "residence_permit"),
        np.full(n, "TD1"),
        from_matrix(l1, "a"),
        from_matrix(l2, "b"),
        from_matrix(l3, "c"),
        a,
        from_matrix(number, "n"),
        a["birth"],
        expiry,
        issue,
        CODES[a["res"]],
        _language(rng, a["res"]),
        chip,
        None,
        quality,
        tamper,
        order=1,
    )


def visas(rng: np.random.Generator, a: dict, seed: int, long_stay: np.ndarray) -> pl.DataFrame:
    """Indonesian visas from earlier trips: MRV-A for long stays, MRV-B for short ones."""
    n = len(a["day"])
    issue = np.where(
        long_stay, a["day"] - rng.integers(200, 360, n), a["day"] - rng.integers(30, 700, n)
    )
    expiry = issue + np.where(long_stay, 365, 180) - 1
    serial = mix64(a["app"].astype(np.uint64), seed + 6)
    number = np.hstack(
        [
            np.where(long_stay, ord("C"), ord("B")).astype(np.uint8)[:, None],
            digits(serial % 10**8, 8),
        ]
    )
    name = _name_field(a)
    issuer, nat = mrz.fixed(_IDN, n), CODE_BYTES[a["nat"]]
    birth, sex, exp = mrz.yymmdd(a["birth"]), _SEX_MRZ[a["sex"]], mrz.yymmdd(expiry)
    a1, a2 = mrz.mrv("MRVA", issuer, name, number, nat, birth, sex, exp)
    b1, b2 = mrz.mrv("MRVB", issuer, name, number, nat, birth, sex, exp)
    ls = pl.Series(long_stay)
    l1 = pl.select(
        pl.when(pl.lit(ls))
        .then(pl.lit(from_matrix(a1, "a")))
        .otherwise(pl.lit(from_matrix(b1, "a")))
    ).to_series()
    l2 = pl.select(
        pl.when(pl.lit(ls))
        .then(pl.lit(from_matrix(a2, "a")))
        .otherwise(pl.lit(from_matrix(b2, "a")))
    ).to_series()
    return _frame(
        a["app"],
        np.full(n, "visa"),
        np.where(long_stay, "MRVA", "MRVB"),
        l1,
        l2,
        pl.repeat(None, n, dtype=pl.String, eager=True),
        a,
        from_matrix(number, "n"),
        a["birth"],
        expiry,
        issue,
        np.full(n, _IDN),
        np.full(n, "id"),
        np.full(n, 2),
        None,
        rng.beta(9, 1.8, n),
        np.clip(rng.beta(1.5, 30, n), 0, 1),
        order=2,
    )
