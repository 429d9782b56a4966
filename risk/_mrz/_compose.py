"""Compose ICAO 9303 zones from document fields; transliterate names (also vectorised).

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
)

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
