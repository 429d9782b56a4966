"""Derivations: a feature's formula over facts, written once, run by every engine.

A derivation reads like a polars expression (``col("on_time") / col("known")``,
``when(...).then(...).otherwise(...)``) but is a small tree that compiles to
both forms a feature needs:

* :meth:`Derivation.to_polars`, a polars expression for batch (training);
* :meth:`Derivation.to_python`, a plain Python function of one row of facts for
  request time, where a polars query's fixed cost would dominate a request.

Both forms follow polars' value semantics: nulls propagate, boolean logic is
three-valued (Kleene), division by zero gives ``inf`` or ``NaN``.  Only the
operations below exist, so no formula can mean one thing in batch and another
at request time; ``tests/features/test_derive.py`` checks each operation's two
forms against each other.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from ._scalar import and3, divide, epoch_days, not3, or3
from ._scalar import days_between as _days_between

__all__ = ["Derivation", "col", "days_between", "lit", "when"]

Row = Mapping[str, Any]
Scalar = Callable[[Row], Any]


@dataclass(frozen=True, eq=False)
class Derivation:
    """One node of a formula over fact columns.

    Build derivations with :func:`col`, :func:`lit`, :func:`when`,
    :func:`days_between`, the arithmetic, comparison and boolean operators
    and the methods below; never construct one directly.
    """

    op: str
    args: tuple[Any, ...] = ()

    # --- what the formula reads --------------------------------------------------------
    def columns(self) -> frozenset[str]:
        """Every fact column the formula reads."""
        if self.op == "col":
            return frozenset([self.args[0]])
        found: set[str] = set()
        for arg in self.args:
            if isinstance(arg, Derivation):
                found |= arg.columns()
        return frozenset(found)

    # --- the two forms ----------------------------------------------------------------
    def to_polars(self) -> pl.Expr:
        """The batch form: a polars expression over the fact columns."""
        return _POLARS[self.op](*(_polars(a) for a in self.args))

    def to_python(self) -> Scalar:
        """The request-time form: a function of one row of facts (a mapping) to a value."""
        if self.op == "col":
            name = self.args[0]
            return lambda row: row[name]
        if self.op == "lit":
            value = self.args[0]
            return lambda row: value
        if self.op == "lookup":
            inner, mapping = self.args[0].to_python(), dict(self.args[1])
            return lambda row: _lookup(inner(row), mapping)
        if self.op == "fill_null":
            inner, default = self.args[0].to_python(), self.args[1].to_python()
            return lambda row: _fill_null(inner(row), default(row))
        if self.op == "when":
            cond, then, other = (a.to_python() for a in self.args)
            return lambda row: then(row) if cond(row) is True else other(row)
        fn = _PYTHON[self.op]
        parts = tuple(a.to_python() for a in self.args)
        if len(parts) == 1:
            (a,) = parts
            return lambda row: fn(a(row))
        a, b = parts
        return lambda row: fn(a(row), b(row))

    # --- operators ----------------------------------------------------------------------
    def __add__(self, other: Any) -> Derivation:
        return Derivation("add", (self, _wrap(other)))

    def __sub__(self, other: Any) -> Derivation:
        return Derivation("sub", (self, _wrap(other)))

    def __mul__(self, other: Any) -> Derivation:
        return Derivation("mul", (self, _wrap(other)))

    def __truediv__(self, other: Any) -> Derivation:
        return Derivation("div", (self, _wrap(other)))

    def __eq__(self, other: Any) -> Derivation:  # type: ignore[override]
        return Derivation("eq", (self, _wrap(other)))

    def __ne__(self, other: Any) -> Derivation:  # type: ignore[override]
        return Derivation("ne", (self, _wrap(other)))

    def __gt__(self, other: Any) -> Derivation:
        return Derivation("gt", (self, _wrap(other)))

    def __lt__(self, other: Any) -> Derivation:
        return Derivation("lt", (self, _wrap(other)))

    def __ge__(self, other: Any) -> Derivation:
        return Derivation("ge", (self, _wrap(other)))

    def __le__(self, other: Any) -> Derivation:
        return Derivation("le", (self, _wrap(other)))

    def __and__(self, other: Any) -> Derivation:
        return Derivation("and", (self, _wrap(other)))

    def __or__(self, other: Any) -> Derivation:
        return Derivation("or", (self, _wrap(other)))

    def __invert__(self) -> Derivation:
        return Derivation("not", (self,))

    __hash__ = object.__hash__

    # --- methods (named as in polars) ---------------------------------------------------
    def ne_missing(self, other: Any) -> Derivation:
        """``!=`` where null equals null and differs from any value (never null)."""
        return Derivation("ne_missing", (self, _wrap(other)))

    def is_null(self) -> Derivation:
        """True where the value is null."""
        return Derivation("is_null", (self,))

    def is_not_null(self) -> Derivation:
        """True where the value is present."""
        return Derivation("is_not_null", (self,))

    def fill_null(self, value: Any) -> Derivation:
        """The value, or ``value`` where it is null."""
        return Derivation("fill_null", (self, _wrap(value)))

    def lookup(self, mapping: Mapping[str, float]) -> Derivation:
        """The key's float in ``mapping`` (``replace_strict(default=None)``); null if unlisted."""
        return Derivation("lookup", (self, tuple(mapping.items())))

    def starts_with(self, prefix: Derivation) -> Derivation:
        """Whether the string starts with ``prefix`` (null if either is null)."""
        return Derivation("starts_with", (self, _wrap(prefix)))

    def epoch_days(self) -> Derivation:
        """A date as days since 1970-01-01 (polars' ``cast(pl.Int32)``)."""
        return Derivation("epoch_days", (self,))

    def yymmdd(self) -> Derivation:
        """A date as the ``YYMMDD`` a machine-readable zone writes (``dt.strftime``)."""
        return Derivation("yymmdd", (self,))


class _When:
    def __init__(self, cond: Derivation, then: Derivation | None = None) -> None:
        self._cond, self._then = cond, then

    def then(self, value: Any) -> _When:
        return _When(self._cond, _wrap(value))

    def otherwise(self, value: Any) -> Derivation:
        if self._then is None:
            raise TypeError("when(...).otherwise(...) needs a then(...) first")
        return Derivation("when", (self._cond, self._then, _wrap(value)))


def col(name: str) -> Derivation:
    """The fact column ``name``."""
    return Derivation("col", (name,))


def lit(value: Any) -> Derivation:
    """A constant (None for null)."""
    return Derivation("lit", (value,))


def when(condition: Derivation) -> _When:
    """``when(c).then(a).otherwise(b)``: ``a`` where ``c`` is true, ``b`` where false or null."""
    return _When(condition)


def days_between(later: Derivation, earlier: Derivation) -> Derivation:
    """Whole days from date ``earlier`` to date ``later`` (polars: ``dt.total_days()``)."""
    return Derivation("days_between", (later, earlier))


def _wrap(value: Any) -> Derivation:
    return value if isinstance(value, Derivation) else lit(value)


def _polars(arg: Any) -> Any:
    return arg.to_polars() if isinstance(arg, Derivation) else arg


def _lookup(key: Any, mapping: dict[str, float]) -> float | None:
    return None if key is None else mapping.get(key)


def _fill_null(value: Any, default: Any) -> Any:
    return default if value is None else value


def _null_safe(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        return None if a is None or b is None else fn(a, b)

    return apply


def _yymmdd(day: date | None) -> tuple[int, int, int] | None:
    # Compared only for equality: the tuple equals where the strings do.
    return None if day is None else (day.year % 100, day.month, day.day)


def _lit_polars(value: Any) -> pl.Expr:
    return pl.lit(value)


def _when_polars(cond: pl.Expr, then: pl.Expr, other: pl.Expr) -> pl.Expr:
    return pl.when(cond).then(then).otherwise(other)


_POLARS: dict[str, Callable[..., pl.Expr]] = {
    "col": pl.col,
    "lit": _lit_polars,
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "lt": operator.lt,
    "ge": operator.ge,
    "le": operator.le,
    "and": operator.and_,
    "or": operator.or_,
    "not": operator.invert,
    "ne_missing": lambda a, b: a.ne_missing(b),
    "is_null": lambda a: a.is_null(),
    "is_not_null": lambda a: a.is_not_null(),
    "fill_null": lambda a, b: a.fill_null(b),
    "lookup": lambda a, m: a.replace_strict(dict(m), default=None, return_dtype=pl.Float64),
    "starts_with": lambda a, b: a.str.starts_with(b),
    "epoch_days": lambda a: a.cast(pl.Int32),
    "yymmdd": lambda a: a.dt.strftime("%y%m%d"),
    "days_between": lambda a, b: (a - b).dt.total_days(),
    "when": _when_polars,
}

_PYTHON: dict[str, Callable[..., Any]] = {
    "add": _null_safe(operator.add),
    "sub": _null_safe(operator.sub),
    "mul": _null_safe(operator.mul),
    "div": divide,
    "eq": _null_safe(operator.eq),
    "ne": _null_safe(operator.ne),
    "gt": _null_safe(operator.gt),
    "lt": _null_safe(operator.lt),
    "ge": _null_safe(operator.ge),
    "le": _null_safe(operator.le),
    "and": and3,
    "or": or3,
    "not": not3,
    "ne_missing": operator.ne,
    "is_null": lambda a: a is None,
    "is_not_null": lambda a: a is not None,
    "starts_with": _null_safe(str.startswith),
    "epoch_days": lambda a: None if a is None else epoch_days(a),
    "yymmdd": _yymmdd,
    "days_between": _days_between,
}
