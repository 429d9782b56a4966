"""Parse ICAO 9303 zones into fields and check results, scalar and vectorised.

Both parsers follow the same rules, so a zone parsed one row at a time (serving) and
in a column (feature pipelines) gives the same answer:

* ``birth_date``: ``YY`` above the current year's ``YY`` is 19YY, otherwise 20YY;
  ``expiry_date`` is always 20YY; impossible dates are null.
* ``sex``: ``F`` or ``M``; the filler ``<`` (and ``X``) read as ``X``.
* Text fields lose their trailing fillers; names turn ``<`` back into spaces.
* A TD1 or TD2 document number longer than 9 characters shows ``<`` in place of its check
  digit and continues in the optional data up to the next ``<``, the last character of
  that run being the check digit; a filler follows, then the
  rest of the optional data (9303 Parts 5 and 6; Part 11 Appendix D.2).
* The ``*_ok`` flags are null when the format is not one of the five; otherwise true
  when the check digit matches.  ``optional_ok`` is for the TD3 personal number only:
  null elsewhere, and null when that field is empty and its check digit is ``<`` or
  ``0`` (9303 Part 4).  ``composite_ok`` is null for MRV-A and MRV-B.
* ``format_ok``: the format is known, the line count and every line's length match it,
  and every character is in ``[0-9A-Z<]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from risk._mrz._check import LAYOUTS, TD1_WIDTH, check_digit

MRZ_SHAPES = {"TD1": (30, 3), "TD2": (36, 2), "TD3": (44, 2), "MRVA": (44, 2), "MRVB": (36, 2)}
_CHARSET = re.compile(r"^[0-9A-Z<]*$")


@dataclass(frozen=True)
class MRZ:
    """The fields and check results of one machine-readable zone (see :mod:`risk.mrz`)."""

    format: str | None
    document_code: str | None
    issuing_state: str | None
    surname: str | None
    given_names: str | None
    document_number: str | None
    nationality: str | None
    birth_date: date | None
    sex: str | None
    expiry_date: date | None
    optional_data: str | None
    optional_data_2: str | None
    number_ok: bool | None
    birth_ok: bool | None
    expiry_ok: bool | None
    optional_ok: bool | None
    composite_ok: bool | None
    format_ok: bool

    @property
    def checks_ok(self) -> bool:
        """Whether the format is right and no check digit fails."""
        checks = (
            self.number_ok,
            self.birth_ok,
            self.expiry_ok,
            self.optional_ok,
            self.composite_ok,
        )
        return self.format_ok and all(c is not False for c in checks)

    def as_dict(self) -> dict:
        """The fields as a plain dict."""
        return asdict(self)


def detect_format(lines: Sequence[str | None]) -> str | None:
    """The format implied by line count, line length and document code, or None."""
    present = [ln for ln in lines if ln is not None]
    shape = (len(present[0]) if present else 0, len(present))
    if shape == (30, 3):
        return "TD1"
    if shape in ((36, 2), (44, 2)):
        visa = present[0].startswith("V")
        if shape[0] == 36:
            return "MRVB" if visa else "TD2"
        return "MRVA" if visa else "TD3"
    return None


def _ok(field: str, char: str) -> bool:
    try:
        return char.isdigit() and check_digit(field) == int(char)
    except ValueError:
        return False


def _yymmdd(s: str, birth: bool, today: date) -> date | None:
    if not re.fullmatch(r"\d{6}", s):
        return None
    yy, mm, dd = int(s[0:2]), int(s[2:4]), int(s[4:6])
    century = 1900 if birth and yy > today.year % 100 else 2000
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def _name(field: str) -> tuple[str, str]:
    primary, _, secondary = field.partition("<<")
    return re.sub("[< ]+", " ", primary).strip(" "), re.sub("[< ]+", " ", secondary).strip(" ")


def _overflow(number: str, char: str, optional: str) -> tuple[str, str, str]:
    """Apply the long-number rule: returns (number field, check char, optional data)."""
    run = re.match(r"[0-9A-Z]*", optional).group(0)
    if char == "<" and run:
        return number + run[:-1], run[-1:], optional[len(run) + 1 :]
    return number, char, optional


def _format_ok(fmt: str, lines: list[str | None]) -> bool:
    width, count = MRZ_SHAPES[fmt]
    if len(lines) < count or any(ln is None for ln in lines[:count]):
        return False
    if any(ln is not None for ln in lines[count:]):
        return False
    return all(len(ln) == width and _CHARSET.match(ln) for ln in lines[:count])


def _strip(s: str) -> str:
    return s.rstrip("<")


def parse_mrz(
    lines: Sequence[str | None], *, format: str | None = None, today: date | None = None
) -> MRZ:
    """Parse one machine-readable zone.

    Parameters
    ----------
    lines
        The zone's lines, top to bottom; ``None`` entries stand for absent lines (a
        two-line zone may be passed with a third ``None``, as a table row holds it).
    format
        ``"TD1"``, ``"TD2"``, ``"TD3"``, ``"MRVA"`` or ``"MRVB"``; detected from the
        line count, length and document code when omitted.
    today
        Reference date for the birth-date century (default: today).

    Returns
    -------
    MRZ
        Fields and check results.  An unknown or undetectable format gives every field
        None and ``format_ok`` False; a wrong length or character gives ``format_ok``
        False but the fields are still read.
    """
    lines = list(lines)
    fmt = format if format is not None else detect_format(lines)
    if fmt not in MRZ_SHAPES:
        return MRZ(fmt, *([None] * 16), format_ok=False)
    today = today or date.today()
    padded = [ln or "" for ln in [*lines, None, None, None][:3]]
    parts = _td1(padded) if fmt == "TD1" else _two_line(fmt, padded)
    return _build(fmt, parts, today, _format_ok(fmt, lines))


def _td1(lines: list[str]) -> dict:
    l1, l2, l3 = lines
    number, char, opt1 = _overflow(l1[5:14], l1[14:15], l1[15:TD1_WIDTH])
    composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    return {
        "code": l1[0:2],
        "state": l1[2:5],
        "name": l3,
        "number": (number, char),
        "nationality": l2[15:18],
        "birth": (l2[0:6], l2[6:7]),
        "sex": l2[7:8],
        "expiry": (l2[8:14], l2[14:15]),
        "optional": opt1,
        "optional_2": l2[18:29],
        "optional_check": None,
        "composite": (composite, l2[29:30]),
    }


def _two_line(fmt: str, lines: list[str]) -> dict:
    l1, l2, _ = lines
    lay = LAYOUTS[fmt]
    end = 28 + lay.optional_width
    number, char, optional = l2[0:9], l2[9:10], l2[28:end]
    if fmt == "TD2":
        number, char, optional = _overflow(number, char, optional)
    return {
        "code": l1[0:2],
        "state": l1[2:5],
        "name": l1[5:],
        "number": (number, char),
        "nationality": l2[10:13],
        "birth": (l2[13:19], l2[19:20]),
        "sex": l2[20:21],
        "expiry": (l2[21:27], l2[27:28]),
        "optional": optional,
        "optional_2": None,
        "optional_check": (l2[28:end], l2[end : end + 1]) if lay.optional_check else None,
        "composite": (
            (l2[0:10] + l2[13:20] + l2[21 : lay.width - 1], l2[lay.width - 1 : lay.width])
            if lay.composite
            else None
        ),
    }


def _optional_ok(check: tuple[str, str] | None) -> bool | None:
    if check is None:
        return None
    field, char = check
    if field.strip("<") == "" and char in ("<", "0"):
        return None
    return _ok(field, char)


def _build(fmt: str, p: dict, today: date, format_ok: bool) -> MRZ:
    surname, given = _name(p["name"])
    sex = p["sex"]
    return MRZ(
        format=fmt,
        document_code=_strip(p["code"]),
        issuing_state=_strip(p["state"]),
        surname=surname,
        given_names=given,
        document_number=_strip(p["number"][0]),
        nationality=_strip(p["nationality"]),
        birth_date=_yymmdd(p["birth"][0], True, today),
        sex="X" if sex in ("<", "X") else sex,
        expiry_date=_yymmdd(p["expiry"][0], False, today),
        optional_data=_strip(p["optional"]),
        optional_data_2=None if p["optional_2"] is None else _strip(p["optional_2"]),
        number_ok=_ok(*p["number"]),
        birth_ok=_ok(*p["birth"]),
        expiry_ok=_ok(*p["expiry"]),
        optional_ok=_optional_ok(p["optional_check"]),
        composite_ok=None if p["composite"] is None else _ok(*p["composite"]),
        format_ok=format_ok,
    )
