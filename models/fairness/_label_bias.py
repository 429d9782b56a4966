"""The label-bias view: who was investigated, who was confirmed, who truly violated.

Labels exist only where someone investigated, so a group investigated more often
shows more confirmed violations per application even at the same true rate.  Putting
investigation rate, confirmation rate and (in a synthetic world) the true rate side by
side shows that bias.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from risk.errors import RequestValidationError
from risk.settings import get_settings

from ._table import MISSING

__all__ = ["LabelBias", "label_bias"]

_COUNTS = ("n", "investigated", "pending", "confirmed", "true_violations")
_RATES = ("investigation_rate", "confirmed_rate", "confirmed_share", "true_rate", "detection_rate")


@dataclass(frozen=True)
class LabelBias:
    """Label-bias rows per attribute.

    Attributes
    ----------
    groups
        ``{attribute: {value: row}}``; a row holds the counts ``n``, ``investigated``,
        ``pending`` (investigated, outcome not yet known), ``confirmed`` and (with truth)
        ``true_violations``, and the rates ``investigation_rate`` = investigated / n,
        ``confirmed_rate`` = confirmed / (investigated - pending), ``confirmed_share`` =
        confirmed / n, ``true_rate`` = true violations / n and ``detection_rate`` =
        confirmed / true violations.  A rate with a zero denominator is ``None``.
    min_group_size
        Rows below it are published as suppressed.
    with_truth
        Whether the true violation column was given.
    """

    groups: dict[str, dict[str, dict[str, Any]]]
    min_group_size: int
    with_truth: bool

    def to_dict(self) -> dict[str, Any]:
        """The published form: suppressed groups are listed with counts and rates hidden."""
        out: dict[str, Any] = {}
        for attr, rows in self.groups.items():
            out[attr] = {}
            for value, row in rows.items():
                if row["n"] < self.min_group_size:
                    shown = {k: None for k in (*_COUNTS, *_RATES)} | {"suppressed": True}
                else:
                    shown = dict(row) | {"suppressed": False}
                if not self.with_truth:
                    for k in ("true_violations", "true_rate", "detection_rate"):
                        shown.pop(k, None)
                out[attr][value] = shown
        return {
            "min_group_size": self.min_group_size,
            "with_truth": self.with_truth,
            "attributes": out,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as strict JSON."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)


def _flag(frame: pl.DataFrame, col: str, role: str, *, nulls: bool) -> pl.Expr:
    if col not in frame.columns:
        raise RequestValidationError(f"label bias: {role} column {col!r} not found")
    s = frame.get_column(col)
    if not (s.dtype == pl.Boolean or s.dtype.is_numeric()):
        raise RequestValidationError(
            f"label bias: {role} column {col!r} must be binary (0/1), got type {s.dtype}"
        )
    v = s.cast(pl.Float64)
    bad = ~v.is_in([0.0, 1.0]).fill_null(nulls)
    if bad.any():
        row = int(bad.arg_true()[0])
        raise RequestValidationError(
            f"label bias: {role} column {col!r} must be binary (0/1), row {row} has {s[row]!r}"
        )
    return pl.col(col).cast(pl.Float64)


def _rate(num: str, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(pl.col(num) / den).otherwise(None)


def label_bias(
    frame: pl.DataFrame,
    group_cols: list[str],
    *,
    investigated: str,
    confirmed: str,
    truth: str | None = None,
    min_group_size: int | None = None,
) -> LabelBias:
    """Investigation and confirmation rates by group, beside the true rate when known.

    Parameters
    ----------
    frame
        One row per application.
    group_cols
        Protected attributes; nulls form the group ``"<missing>"``.
    investigated
        Binary: the case was investigated.
    confirmed
        Binary: a violation was confirmed; null means not (yet) known, which is allowed
        only for investigated cases (pending) or cases never investigated (no label).
    truth
        Optional binary true violation (known in a synthetic world).
    min_group_size
        Suppression threshold (default: the fairness settings').

    Raises
    ------
    RequestValidationError
        A missing or non-binary column, or a confirmed violation on a case that was
        not investigated (the row is named).
    """
    size = get_settings().fairness.min_group_size if min_group_size is None else min_group_size
    base = label_bias_rows(frame, group_cols, investigated, confirmed, truth)
    return label_bias_from_rows(base, group_cols, size, with_truth=truth is not None)


def label_bias_rows(
    frame: pl.DataFrame, group_cols: list[str], investigated: str, confirmed: str,
    truth: str | None,
) -> pl.DataFrame:  # fmt: skip
    """The checked columns of :func:`label_bias`, one row per case with weight ``w`` = 1.

    Rows may be summed by their values into weights (a Dask job sums partitions so).
    """
    for g in group_cols:
        if g not in frame.columns:
            raise RequestValidationError(f"label bias: group column {g!r} not found")
    inv = _flag(frame, investigated, "investigated", nulls=False)
    conf = _flag(frame, confirmed, "confirmed", nulls=True)
    tru = _flag(frame, truth, "truth", nulls=False) if truth else pl.lit(0.0)
    base = frame.select(
        *(pl.col(g).cast(pl.String).fill_null(MISSING) for g in group_cols),
        inv=inv,
        conf=conf,
        tru=tru,
        w=pl.lit(1, dtype=pl.Int64),
    )
    wrong = (base["conf"] == 1.0) & (base["inv"] == 0.0)
    if wrong.fill_null(False).any():
        row = int(wrong.fill_null(False).arg_true()[0])
        raise RequestValidationError(
            f"label bias: row {row} has {confirmed!r} = 1 but {investigated!r} = 0: "
            "a violation cannot be confirmed without an investigation"
        )
    return base


def label_bias_from_rows(
    base: pl.DataFrame, group_cols: list[str], min_group_size: int, *, with_truth: bool
) -> LabelBias:
    """:class:`LabelBias` from :func:`label_bias_rows` (or their weighted sums)."""
    groups = {g: _rows(base, g) for g in group_cols}
    return LabelBias(groups=groups, min_group_size=min_group_size, with_truth=with_truth)


def _rows(base: pl.DataFrame, g: str) -> dict[str, dict[str, Any]]:
    w = pl.col("w")  # how many cases a row stands for
    agg = (
        base.group_by(g)
        .agg(
            n=pl.col("w").sum(),
            investigated=(pl.col("inv") * w).sum().cast(pl.Int64),
            pending=((pl.col("conf").is_null() & (pl.col("inv") == 1.0)) * w).sum().cast(pl.Int64),
            confirmed=(pl.col("conf").fill_null(0.0) * w).sum().cast(pl.Int64),
            true_violations=(pl.col("tru") * w).sum().cast(pl.Int64),
        )
        .with_columns(
            investigation_rate=_rate("investigated", pl.col("n")),
            confirmed_rate=_rate("confirmed", pl.col("investigated") - pl.col("pending")),
            confirmed_share=_rate("confirmed", pl.col("n")),
            true_rate=_rate("true_violations", pl.col("n")),
            detection_rate=_rate("confirmed", pl.col("true_violations")),
        )
        .sort(g)
    )
    return {r.pop(g): r for r in agg.to_dicts()}
