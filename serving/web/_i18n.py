"""The message catalogue in English and Bahasa Indonesia, and locale-aware formatting.

Every string a page shows comes from :data:`MESSAGES` through :func:`translate`;
dates, numbers and percentages go through the ``format_*`` functions so that the
chosen language also decides the separators and month names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ._messages import MESSAGES

__all__ = [
    "LANGS",
    "MESSAGES",
    "LocalNumber",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "translate",
]

LANGS = ("en", "id")

_DASH = "–"
#: A format spec as the catalogue's reason templates write them: ``,.0f``, ``.1%``, ``.2f``.
_SPEC = re.compile(r"^(?P<group>,)?(?:\.(?P<digits>\d+))?(?P<kind>[fgd%])?$")


def translate(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in.

    Parameters
    ----------
    key
        A key of :data:`MESSAGES`.
    lang
        ``"en"`` or ``"id"``; anything else falls back to English.
    values
        Substituted with :meth:`str.format`.  When ``n`` (or ``k``) is 1 and the
        catalogue has ``key + "_one"``, that singular form is used.

    Raises
    ------
    KeyError
        If ``key`` is not in the catalogue (a programming error, caught by the tests).
    """
    count = values.get("n", values.get("k"))
    if str(count) == "1" and f"{key}_one" in MESSAGES:  # "1 case", never "1 cases"
        key = f"{key}_one"
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _pattern(digits: int, group: bool = True) -> str:
    return ("#,##0" if group else "0") + ("." + "0" * digits if digits > 0 else "")


def format_number(value: float | int | str | None, lang: str, digits: int = 0) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Indonesian (CLDR via Babel); a dash if missing."""
    from babel.numbers import format_decimal

    if isinstance(value, bool):  # a switch's setting: 1 or 0, as Python formats it
        value = int(value)
    if isinstance(value, str):  # a stored setting read back as text ("0.4")
        try:
            value = float(value)
        except ValueError:
            return value
    if _missing(value):
        return _DASH
    return format_decimal(value, _pattern(digits), locale=lang, decimal_quantization=True)


def format_percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A share (0-1) as a percentage in the locale's style (``12.5%`` / ``12,5%``)."""
    from babel.numbers import format_percent as babel_percent

    if _missing(value):
        return _DASH
    return babel_percent(value, _pattern(digits) + "%", locale=lang, decimal_quantization=True)


def format_date(value: dt.date | dt.datetime | str | None, lang: str) -> str:
    """``5 Mar 2025`` with the locale's month names (``5 Mei 2025`` in Indonesian)."""
    from babel.dates import format_date as babel_date

    if value is None:
        return _DASH
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return babel_date(value, "d MMM y", locale=lang)


def format_datetime(value: dt.datetime | None, lang: str) -> str:
    """A date with its time of day (24-hour clock; ``.`` separates hours in Indonesian)."""
    from babel.dates import format_time

    if value is None:
        return _DASH
    clock = format_time(value, "HH:mm" if lang == "en" else "HH.mm", locale=lang)
    return f"{format_date(value, lang)} {clock}"


class LocalNumber:
    """A number that formats itself in a page language: ``f"{LocalNumber(0.5, 'id'):.2f}"``.

    Reason templates are :meth:`str.format` strings written once (``{value:,.0f}``,
    ``{value:.1%}``); wrapping the value makes the same template print ``2.150`` and
    ``12,5%`` on an Indonesian page.  Specs outside the small grammar the catalogue uses
    fall back to Python's own formatting.
    """

    __slots__ = ("lang", "value")

    def __init__(self, value: float | int, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        match = _SPEC.match(spec)
        if not spec or match is None:
            return format(self.value, spec) if spec else self._plain()
        digits = int(match["digits"] or 0)
        if match["kind"] == "%":
            return format_percent(self.value, self.lang, digits)
        if match["kind"] == "g" or (match["kind"] is None and match["digits"] is None):
            return self._plain()
        return format_number(self.value, self.lang, digits)

    def _plain(self) -> str:
        """Integers as they are; other numbers with up to three significant decimals."""
        v = self.value
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            v = int(v)
        if isinstance(v, int):
            return format_number(v, self.lang, 0)
        from babel.numbers import format_decimal

        return format_decimal(float(f"{v:.3g}"), locale=self.lang)

    def __str__(self) -> str:
        return self._plain()
