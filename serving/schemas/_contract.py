"""Request models for one application and its documents, built from the data contract.

The fields, types, allowed values, ranges and patterns come from :mod:`risk.contract`,
so a request is validated by the same declarations as a raw file, and FastAPI answers
422 naming the field path and the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

from risk.contract import APPLICATIONS, DOCUMENTS, Column, Table

from ._limits import MAX_LINE, check_line

__all__ = ["ApplicationIn", "DocumentIn"]


def _python_type(column: Column) -> Any:
    dtype = column.dtype
    if column.allowed:
        return Literal[column.allowed]  # type: ignore[valid-type]
    if dtype == pl.String:
        return str
    if dtype == pl.Date:
        return dt.date
    if isinstance(dtype, pl.Datetime):
        return dt.datetime
    if dtype == pl.Boolean:
        return bool
    if dtype in (pl.Int32, pl.Int64):
        return int
    return float


def _bound(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.dtype == pl.Date:
        return dt.date.fromisoformat(value)
    if isinstance(column.dtype, pl.Datetime):
        return dt.datetime.fromisoformat(value)
    return value


def _naive_utc(value: Any) -> Any:
    """A datetime with a UTC offset as the naive UTC instant the contract stores.

    Batch features, the store and the input fingerprint all work on naive UTC;
    ``...T05:00:00+07:00`` and ``...T22:00:00Z`` (the day before) are the same
    application.  Anything else passes through for the type check to judge.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


#: The range of each integer type, for columns the contract leaves unbounded.
_INT_RANGE = {pl.Int32: (-(2**31), 2**31 - 1), pl.Int64: (-(2**63), 2**63 - 1)}


def _limits(column: Column, kind: Any) -> dict[str, Any]:
    """Bounds beyond the contract's: string length, integer range, finite floats."""
    if kind is str:
        return {"max_length": MAX_LINE}
    if kind is int:
        low, high = _INT_RANGE[column.dtype]
        return {"ge": low, "le": high}
    if kind is float:
        return {"allow_inf_nan": False}
    return {}


def _field(column: Column) -> tuple[Any, Any]:
    kind = _python_type(column)
    constraints: dict[str, Any] = {"description": column.description, **_limits(column, kind)}
    if kind is str:  # one line of printable text, checked after the length
        kind = Annotated[kind, AfterValidator(check_line)]
    if isinstance(column.dtype, pl.Datetime):
        kind = Annotated[kind, BeforeValidator(_naive_utc)]
    if column.pattern and not column.allowed:
        constraints["pattern"] = column.pattern
    if column.min is not None:
        constraints["ge"] = _bound(column.min, column)
    if column.max is not None:
        constraints["le"] = _bound(column.max, column)
    annotated = Annotated[kind, Field(**constraints)]
    if column.nullable:
        return (annotated | None, None)
    return (annotated, ...)


def _model(table: Table, name: str) -> type[BaseModel]:
    fields = {c.name: _field(c) for c in table.columns}
    config = ConfigDict(extra="forbid", strict=False)
    return create_model(name, __config__=config, __doc__=table.description, **fields)


ApplicationIn = _model(APPLICATIONS, "ApplicationIn")
DocumentIn = _model(DOCUMENTS, "DocumentIn")
