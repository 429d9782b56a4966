"""Compose ICAO 9303 zones from document fields, scalar and vectorised.

Names are transliterated as 9303 Part 3 asks of the machine-readable zone: accents
dropped, a few letters expanded (Æ -> AE, Ø -> OE, ß -> SS, ...), uppercase, spaces and
hyphens become ``<``, anything else outside ``A-Z`` is omitted.  The primary identifier
(surname) and the secondary identifiers (given names) are separated by ``<<``, and the
result is padded with ``<`` or truncated to the width of the name field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import polars as pl

from risk._mrz._check import (
    DEFAULT_DOCUMENT_CODES,
    LAYOUTS,
    TD1_NAME_WIDTH,
    TD1_OPTIONAL1_WIDTH,
    TD1_OPTIONAL2_WIDTH,
    check_digit,
    check_digit_expr,
)

IntoExpr = pl.Expr | str

_SPECIAL = {"Æ": "AE", "Ø": "OE", "Œ": "OE", "Þ": "TH", "Đ": "D", "Ł": "L", "ẞ": "SS", "ß": "SS"}
_SEPARATORS = r"[ \-]+"
_NOT_NAME = r"[^A-Z<]"
_NOT_CODE = r"[^A-Z0-9<]"


# ---------------------------------------------------------------------------- scalar


def transliterate(name: str) -> str:
    """A name as the zone writes it: ``"Anna-María  d'Arc"`` -> ``"ANNA<MARIA<DARC"``."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).upper()
    for src, dst in _SPECIAL.items():
        s = s.replace(src, dst)
    s = re.sub(_SEPARATORS, "<", s)
    return re.sub(_NOT_NAME, "", s).strip("<")


def _fit(s: str, width: int) -> str:
    return s[:width].ljust(width, "<")


def _clean(s: str | None) -> str:
    return re.sub(_NOT_CODE, "", (s or "").upper())


def _name_field(surname: str, given_names: str | None, width: int) -> str:
    primary, secondary = transliterate(surname), transliterate(given_names or "")
    return _fit(f"{primary}<<{secondary}" if secondary else primary, width)


def _sex(sex: str | None) -> str:
    return sex if sex in ("F", "M") else "<"


def _core(number: str, nationality: str, birth: date, sex: str | None, expiry: date) -> str:
    num = _fit(_clean(number), 9)
    b, e = birth.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    nat = _fit(_clean(nationality), 3)
    return f"{num}{check_digit(num)}{nat}{b}{check_digit(b)}{_sex(sex)}{e}{check_digit(e)}"


def compose_two_line(
    fmt: str,
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
) -> tuple[str, str]:
    """The two lines of a TD2, TD3, MRV-A or MRV-B zone (see :mod:`risk.mrz`)."""
    lay = LAYOUTS[fmt]
    code = _fit(_clean(document_code or DEFAULT_DOCUMENT_CODES[fmt]), 2)
    line1 = (
        code + _fit(_clean(issuing_state), 3) + _name_field(surname, given_names, lay.name_width)
    )
    optional = _fit(_clean(optional_data), lay.optional_width)
    line2 = _core(document_number, nationality, birth_date, sex, expiry_date) + optional
    if lay.optional_check:
        line2 += "<" if optional == "<" * lay.optional_width else str(check_digit(optional))
    if lay.composite:
        line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:]))
    return line1, line2


def compose_td1(
    document_code: str | None,
    issuing_state: str,
    surname: str,
    given_names: str | None,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: str | None,
    expiry_date: date,
    optional_data: str | None = None,
    optional_data_2: str | None = None,
) -> tuple[str, str, str]:
    """The three lines of a TD1 zone; numbers over 9 characters overflow into line 1's
    optional data (9303 Part 5: rest of the number, its check digit, then ``<``)."""
    code = _fit(_clean(document_code or DEFAULT_DOCUMENT_CODES["TD1"]), 2)
    number, opt1 = _clean(document_number), _clean(optional_data)
    if len(number) <= 9:
        head = _fit(number, 9)
        middle = f"{head}{check_digit(head)}" + _fit(opt1, TD1_OPTIONAL1_WIDTH)
    else:
        rest = f"{number[9:]}{check_digit(number)}<{opt1}"
        middle = number[:9] + "<" + _fit(rest, TD1_OPTIONAL1_WIDTH)
    line1 = code + _fit(_clean(issuing_state), 3) + middle
    b, e = birth_date.strftime("%y%m%d"), expiry_date.strftime("%y%m%d")
    line2 = (
        f"{b}{check_digit(b)}{_sex(sex)}{e}{check_digit(e)}"
        + _fit(_clean(nationality), 3)
        + _fit(_clean(optional_data_2), TD1_OPTIONAL2_WIDTH)
    )
    line2 += str(check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
    return line1, line2, _name_field(surname, given_names, TD1_NAME_WIDTH)


# ---------------------------------------------------------------------------- vectorised


def _e(x: IntoExpr | None, default: str = "") -> pl.Expr:
    if x is None:
        return pl.lit(default, dtype=pl.String)
    return pl.col(x) if isinstance(x, str) else x


def transliterate_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`transliterate` over a String expression."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_uppercase()
        .str.replace_many(list(_SPECIAL), list(_SPECIAL.values()))
        .str.replace_all(_SEPARATORS, "<")
        .str.replace_all(_NOT_NAME, "")
        .str.strip_chars("<")
    )


def _fit_expr(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.str.slice(0, width).str.pad_end(width, "<")


def _clean_expr(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null("").str.to_uppercase().str.replace_all(_NOT_CODE, "")


def _cd(expr: pl.Expr) -> pl.Expr:
    return check_digit_expr(expr).cast(pl.String)


def _name_field_expr(surname: pl.Expr, given_names: pl.Expr, width: int) -> pl.Expr:
    primary = transliterate_expr(surname)
    secondary = transliterate_expr(given_names.fill_null(""))
    joined = (
        pl.when(secondary.str.len_chars() > 0)
        .then(pl.concat_str(primary, pl.lit("<<"), secondary))
        .otherwise(primary)
    )
    return _fit_expr(joined, width)


def _sex_expr(sex: pl.Expr) -> pl.Expr:
    return pl.when(sex.is_in(["F", "M"])).then(sex).otherwise(pl.lit("<"))


def _date_expr(d: pl.Expr) -> pl.Expr:
    return d.dt.strftime("%y%m%d")


def _core_expr(number, nationality, birth, sex, expiry) -> pl.Expr:
    num = _fit_expr(_clean_expr(number), 9)
    b, e = _date_expr(birth), _date_expr(expiry)
    nat = _fit_expr(_clean_expr(nationality), 3)
    return pl.concat_str(num, _cd(num), nat, b, _cd(b), _sex_expr(sex), e, _cd(e))


def compose_two_line_expr(
    fmt: str,
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_two_line`: a struct of ``line1``, ``line2``."""
    code = _e(document_code, DEFAULT_DOCUMENT_CODES[fmt])
    state, surname, given, number, nat, birth, sex, expiry, optional = map(
        _e,
        (
            issuing_state,
            surname,
            given_names,
            document_number,
            nationality,
            birth_date,
            sex,
            expiry_date,
            optional_data,
        ),
    )
    lay = LAYOUTS[fmt]
    line1 = pl.concat_str(
        _fit_expr(_clean_expr(code), 2),
        _fit_expr(_clean_expr(state), 3),
        _name_field_expr(surname, given, lay.name_width),
    )
    opt = _fit_expr(_clean_expr(optional), lay.optional_width)
    line2 = pl.concat_str(_core_expr(number, nat, birth, sex, expiry), opt)
    if lay.optional_check:
        empty = "<" * lay.optional_width
        opt_cd = pl.when(opt == empty).then(pl.lit("<")).otherwise(_cd(opt))
        line2 = pl.concat_str(line2, opt_cd)
    if lay.composite:
        composite = pl.concat_str(
            line2.str.slice(0, 10), line2.str.slice(13, 7), line2.str.slice(21)
        )
        line2 = pl.concat_str(line2, _cd(composite))
    return pl.struct(line1.alias("line1"), line2.alias("line2"))


def compose_td1_expr(
    document_code: IntoExpr | None,
    issuing_state: IntoExpr,
    surname: IntoExpr,
    given_names: IntoExpr | None,
    document_number: IntoExpr,
    nationality: IntoExpr,
    birth_date: IntoExpr,
    sex: IntoExpr | None,
    expiry_date: IntoExpr,
    optional_data: IntoExpr | None = None,
    optional_data_2: IntoExpr | None = None,
) -> pl.Expr:
    """Vectorised :func:`compose_td1`: a struct expression of ``line1``, ``line2``, ``line3``.
    ``optional_data_2`` is line 2's optional data.
    """
    code = _e(document_code, DEFAULT_DOCUMENT_CODES["TD1"])
    state, surname, given, number, nat, birth, sex, expiry, opt1, opt2 = map(
        _e,
        (
            issuing_state,
            surname,
            given_names,
            document_number,
            nationality,
            birth_date,
            sex,
            expiry_date,
            optional_data,
            optional_data_2,
        ),
    )
    num, opt1 = _clean_expr(number), _clean_expr(opt1)
    head = _fit_expr(num, 9)
    short = pl.concat_str(head, _cd(head), _fit_expr(opt1, TD1_OPTIONAL1_WIDTH))
    rest = pl.concat_str(num.str.slice(9), _cd(num), pl.lit("<"), opt1)
    long = pl.concat_str(num.str.slice(0, 9), pl.lit("<"), _fit_expr(rest, TD1_OPTIONAL1_WIDTH))
    middle = pl.when(num.str.len_chars() <= 9).then(short).otherwise(long)
    line1 = pl.concat_str(_fit_expr(_clean_expr(code), 2), _fit_expr(_clean_expr(state), 3), middle)
    b, e = _date_expr(birth), _date_expr(expiry)
    line2 = pl.concat_str(
        b,
        _cd(b),
        _sex_expr(sex),
        e,
        _cd(e),
        _fit_expr(_clean_expr(nat), 3),
        _fit_expr(_clean_expr(opt2), TD1_OPTIONAL2_WIDTH),
    )
    composite = pl.concat_str(
        line1.str.slice(5, 25),
        line2.str.slice(0, 7),
        line2.str.slice(8, 7),
        line2.str.slice(18, 11),
    )
    line2 = pl.concat_str(line2, _cd(composite))
    line3 = _name_field_expr(surname, given, TD1_NAME_WIDTH)
    return pl.struct(line1.alias("line1"), line2.alias("line2"), line3.alias("line3"))
