"""The message catalogue in English and Bahasa Indonesia, and locale-aware formatting.

Every string a page shows comes from :data:`MESSAGES` through :func:`translate`;
dates, numbers and percentages go through the ``format_*`` functions so that the
chosen language also decides the separators and month names.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ._messages import MESSAGES

__all__ = [
    "LANGS",
    "MESSAGES",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
    "translate",
]

LANGS = ("en", "id")

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
}
_DASH = "–"


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


def format_number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """``1,234.5`` in English, ``1.234,5`` in Indonesian; an en dash for missing values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _DASH
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def format_percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A share (0-1) as a percentage in the locale's style (``12.5%`` / ``12,5%``)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _DASH
    return f"{format_number(100 * value, lang, digits)}%"


def format_date(value: dt.date | dt.datetime | str | None, lang: str) -> str:
    """``5 Mar 2025`` (English) or ``5 Mar 2025`` with Indonesian month names (``5 Mei``)."""
    if value is None:
        return _DASH
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    months = _MONTHS.get(lang, _MONTHS["en"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime | None, lang: str) -> str:
    """A date with its time of day (24-hour clock; ``.`` separates hours in Indonesian)."""
    if value is None:
        return _DASH
    sep = "." if lang == "id" else ":"
    return f"{format_date(value, lang)} {value.hour:02d}{sep}{value.minute:02d}"
