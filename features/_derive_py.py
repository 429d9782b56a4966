"""The Python form of a derivation: one compiled expression with polars' value semantics.

A derivation tree (:class:`features._derive.Derivation`) is written out as a single
Python expression over the row of facts ``f`` and compiled once.  Nulls propagate
(an operand that is None gives None), boolean logic is three-valued and division
follows IEEE 754, as in polars.  Constants and helpers are bound by name in the
compiled function's namespace, never written into the source; column names are
written with ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ._scalar import and3, category, days_between, divide, epoch_days, not3, or3

__all__ = ["compile_many", "compile_python"]

_INFIX = {"add": "+", "sub": "-", "mul": "*", "eq": "==", "ne": "!=", "gt": ">", "lt": "<",
          "ge": ">=", "le": "<="}  # fmt: skip
_CALLS = {"div": "_divide", "and": "_and3", "or": "_or3", "not": "_not3",
          "yymmdd": "_yymmdd", "days_between": "_days", "epoch_days": "_epoch"}  # fmt: skip


def _yymmdd(day: date | None) -> tuple[int, int, int] | None:
    # Compared only for equality: the tuple equals where polars' "%y%m%d" strings do.
    return None if day is None else (day.year % 100, day.month, day.day)


def _epoch(day: date | None) -> int | None:
    return None if day is None else epoch_days(day)


_HELPERS: dict[str, Any] = {
    "_divide": divide, "_and3": and3, "_or3": or3, "_not3": not3, "_yymmdd": _yymmdd,
    "_days": days_between, "_epoch": _epoch, "_category": category,
}  # fmt: skip


class _Writer:
    """Writes one derivation as Python source, collecting its constants."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = dict(_HELPERS)
        self._count = 0

    def const(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def tmp(self) -> str:
        self._count += 1
        return f"_t{self._count}"

    def write(self, node: Any) -> str:
        op, args = node.op, node.args
        if op == "col":
            return f"f[{args[0]!r}]"
        if op == "lit":
            return "None" if args[0] is None else self.const(args[0])
        if op in _INFIX:
            return self._both(args, "{a} " + _INFIX[op] + " {b}")
        if op in _CALLS:
            return f"{_CALLS[op]}({', '.join(self.write(a) for a in args)})"
        return self._special(op, args)

    def _both(self, args: tuple[Any, ...], combine: str) -> str:
        """``combine`` of two operands, None when either is None."""
        a, b = self.tmp(), self.tmp()
        left, right = self.write(args[0]), self.write(args[1])
        then = combine.format(a=a, b=b)
        return f"(None if ({a} := {left}) is None or ({b} := {right}) is None else {then})"

    def _special(self, op: str, args: tuple[Any, ...]) -> str:
        if op == "ne_missing":
            return f"({self.write(args[0])} != {self.write(args[1])})"
        if op in ("is_null", "is_not_null"):
            return f"({self.write(args[0])} is {'not ' if op == 'is_not_null' else ''}None)"
        if op == "fill_null":
            t = self.tmp()
            return f"({t} if ({t} := {self.write(args[0])}) is not None else {self.write(args[1])})"
        if op == "lookup":
            t, table = self.tmp(), self.const(dict(args[1]))
            return f"(None if ({t} := {self.write(args[0])}) is None else {table}.get({t}))"
        if op == "starts_with":
            return self._both(args, "{a}.startswith({b})")
        if op == "when":
            cond, then, other = (self.write(a) for a in args)
            return f"({then} if ({cond}) is True else {other})"
        raise ValueError(f"derivation operation {op!r} has no Python form")


def compile_python(
    node: Any, *, as_float: bool = False, categories: tuple[str, Any] | None = None
) -> Callable[[Mapping[str, Any]], Any]:
    """Compile ``node`` into ``f(row) -> value`` (see :meth:`Derivation.to_python`)."""
    writer = _Writer()
    return _compile(_source(writer, node, as_float, categories), writer)


def compile_many(
    items: Sequence[tuple[Any, bool, tuple[str, Any] | None]],
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Compile ``(node, as_float, categories)`` items into one ``f(row) -> tuple of values``.

    One call per row for a whole catalogue: the request path's hot loop.
    """
    writer = _Writer()
    sources = [_source(writer, node, as_float, categories) for node, as_float, categories in items]
    return _compile("(" + "".join(f"{src}, " for src in sources) + ")", writer)


def _source(writer: _Writer, node: Any, as_float: bool, categories: tuple[str, Any] | None) -> str:
    source = writer.write(node)
    if as_float:
        t = writer.tmp()
        source = f"(None if ({t} := {source}) is None else float({t}))"
    if categories is not None:
        name, allowed = categories
        source = f"_category({writer.const(name)}, {source}, {writer.const(frozenset(allowed))})"
    return source


def _compile(source: str, writer: _Writer) -> Callable[[Mapping[str, Any]], Any]:
    code = compile(f"lambda f: {source}", "<derivation>", "eval")
    # Our own source, built above from the declarations; no input reaches it.
    return eval(code, writer.names)
