"""Polars' value semantics for one row in plain Python, for the families' scalar twins.

The request-time row (:mod:`features._row`) must give exactly the values of the
batch expressions: nulls propagate, boolean logic is three-valued (Kleene),
division by zero gives ``inf`` or ``NaN`` rather than an error, and a string
cast to an Enum must be one of its categories.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date
from typing import Any

from risk.errors import FeatureError
from risk.text import listing

__all__ = ["and3", "category", "days_between", "divide", "epoch_days", "not3", "or3", "to_float"]

_EPOCH = date(1970, 1, 1).toordinal()


def divide(a: float | None, b: float | None) -> float | None:
    """``a / b`` as polars divides: null if either is null, IEEE 754 on a zero divisor."""
    if a is None or b is None:
        return None
    try:
        return a / b
    except ZeroDivisionError:
        a, b = float(a), float(b)
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def and3(a: bool | None, b: bool | None) -> bool | None:
    """Kleene AND: false wins over null."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a: bool | None, b: bool | None) -> bool | None:
    """Kleene OR: true wins over null."""
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def not3(a: bool | None) -> bool | None:
    """Kleene NOT: null stays null."""
    return None if a is None else not a


def days_between(later: date | None, earlier: date | None) -> int | None:
    """``(later - earlier).dt.total_days()`` for two dates (null if either is null)."""
    if later is None or earlier is None:
        return None
    return later.toordinal() - earlier.toordinal()


def epoch_days(day: date) -> int:
    """``day.cast(pl.Int32)``: days since 1970-01-01."""
    return day.toordinal() - _EPOCH


def to_float(value: Any) -> float | None:
    """A value cast to ``Float64`` (null stays null)."""
    return None if value is None else float(value)


def category(feature: str, value: str | None, categories: Collection[str]) -> str | None:
    """A string cast to an Enum: null stays null, anything outside the categories fails.

    Raises
    ------
    FeatureError
        If ``value`` is not one of ``categories`` (the batch cast fails too).
    """
    if value is None or value in categories:
        return value
    raise FeatureError(
        f"feature {feature!r}: value {value!r} is not one of its categories"
        f" ({listing(sorted(categories), conjunction='or')})"
    )
