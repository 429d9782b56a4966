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
from typing import Any

import polars as pl

from ._derive_py import compile_python

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

    def to_python(self, *, as_float: bool = False, categories: Any = None) -> Scalar:
        """The request-time form: a function of one row of facts (a mapping) to a value.

        The formula is written out as one Python expression and compiled once, so a
        row costs no more than hand-written code.  ``as_float`` casts the result to
        ``float`` as polars' ``Float64`` cast does; ``categories`` (a feature name and
        its allowed values) checks it as a cast to an Enum does.
        """
        return compile_python(self, as_float=as_float, categories=categories)

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
