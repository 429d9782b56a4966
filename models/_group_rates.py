"""Estimated false positive rate by group for two models, from the reviews the service made.

The false positive rate of a model in a group is the share of the group's applications
*without* a violation that the model flags.  Only reviewed applications have a finding,
so the negatives are estimated cell by cell as in :mod:`models._paired`: a cell ``c``
(the model's flag, the logged flag) of ``N_c`` applications with Horvitz-Thompson total
``Y_c`` of confirmed violations holds an estimated ``N_c - Y_c`` applications without
one (unbiased, since ``Y_c`` is and ``N_c`` is known).  Then, over the group's cells,

    FPR = sum(N_c - Y_c, flagged cells) / sum(N_c - Y_c, all cells)

with the interval of the smallest and largest value over every corner of the cells'
Wilson intervals (the rate falls as a flagged cell's total rises and rises with an
unflagged one's, so the corners bound it).  A cell with applications but no decided
review that could stand for them makes the rate *not estimable*, with the reason, never
0.  Groups smaller than the fairness audit's minimum are suppressed (listed with their
size only); the reference is the largest group shown (ties: the first in sorted order),
as in the live fairness, and each group's rate is divided by the reference's, with the
interval of the ratio of the two intervals' ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from models._paired import _cells, _corners, _why

__all__ = ["fpr_by_cells", "group_false_positive_rates"]

_NO_NEGATIVES = (
    "not estimable: a share of nothing (no application of the group is estimated to be"
    " free of violations)"
)
_WHO = (("champion", "a_flag"), ("challenger", "b_flag"))


def fpr_by_cells(frame: pl.DataFrame) -> dict[str, Any]:
    """The false positive rate of the model in ``a_flag`` over ``frame``'s applications.

    Parameters
    ----------
    frame
        :data:`models._paired.PAIRED_COLUMNS` with ``b_flag`` equal to ``a_flag`` (one
        model against itself).

    Returns
    -------
    dict
        ``{"fpr": x, "fpr_ci": [low, high], "false_positives": fp, "negatives": neg}``
        (the estimated totals the rate divides), or ``{"fpr": None, "fpr_ci": None,
        "reason": ...}`` when not estimable.
    """
    cells = _cells(frame)
    flagged = [c for c in cells if c.a]
    rest = [c for c in cells if not c.a]
    n_flagged, n_rest = sum(c.size for c in flagged), sum(c.size for c in rest)

    def rate(y_flagged: float, y_rest: float) -> float | None:
        neg_flagged, neg_rest = n_flagged - y_flagged, n_rest - y_rest
        total = neg_flagged + neg_rest
        return neg_flagged / total if total > 0 else None

    result = _corners(rate, [flagged, rest])
    if result == "missing":
        return {"fpr": None, "fpr_ci": None, "reason": _why(cells, "of the group")}
    if result == "undefined":
        return {"fpr": None, "fpr_ci": None, "reason": _NO_NEGATIVES}
    value, low, high = result  # type: ignore[misc]
    return {
        "fpr": value,
        "fpr_ci": [low, high],
        # the two Horvitz-Thompson totals the rate divides (each unbiased)
        "false_positives": sum(c.size - c.total for c in flagged),
        "negatives": sum(c.size - c.total for c in cells),
    }


def _no_ratio(why: str) -> dict[str, Any]:
    return {"fpr_ratio": None, "fpr_ratio_ci": None, "fpr_ratio_reason": f"not estimable: {why}"}


def _ratio(mine: dict[str, Any], ref: dict[str, Any], is_ref: bool) -> dict[str, Any]:
    if mine["fpr"] is None:
        return _no_ratio("this group's rate is not estimable")
    if is_ref:
        return {"fpr_ratio": 1.0, "fpr_ratio_ci": [1.0, 1.0]}
    if ref["fpr"] is None:
        return _no_ratio("the reference group's rate is not estimable")
    if ref["fpr"] == 0:
        return _no_ratio("the reference group's estimated rate is 0")
    low, high = mine["fpr_ci"][0] / ref["fpr_ci"][1], None
    if ref["fpr_ci"][0] > 0:  # else the ratio has no upper bound (null)
        high = mine["fpr_ci"][1] / ref["fpr_ci"][0]
    return {"fpr_ratio": mine["fpr"] / ref["fpr"], "fpr_ratio_ci": [low, high]}


def group_false_positive_rates(
    frame: pl.DataFrame, groups: Sequence[str], *, min_group_size: int
) -> dict[str, dict[str, Any]]:
    """Estimated false positive rate of champion and challenger by group, with ratios.

    Parameters
    ----------
    frame
        :data:`models._paired.PAIRED_COLUMNS` (both models' flags at the same capacity)
        and the ``groups`` columns.
    groups
        Protected-attribute columns.
    min_group_size
        Groups with fewer applications are suppressed.

    Returns
    -------
    dict
        Per attribute: ``{"reference": group or None, "groups": {group: {"n",
        "suppressed", "champion": {...}, "challenger": {...}}}}``; each model's entry
        has ``fpr``, ``fpr_ci`` (or ``reason``) and ``fpr_ratio``, ``fpr_ratio_ci`` (an
        upper end of ``None`` is unbounded) or ``fpr_ratio_reason``.
    """
    out: dict[str, dict[str, Any]] = {}
    for attribute in groups:
        values = frame.get_column(attribute).cast(pl.String).fill_null("(missing)")
        sizes = {g: int((values == g).sum()) for g in sorted(set(values.to_list()))}
        shown = [g for g, n in sizes.items() if n >= min_group_size]
        reference = max(shown, key=lambda g: sizes[g]) if shown else None  # first on ties
        rates: dict[str, dict[str, Any]] = {}
        for group in shown:
            sub = frame.filter(values == group)
            rates[group] = {
                who: fpr_by_cells(sub.with_columns(a_flag=pl.col(flag), b_flag=pl.col(flag)))
                for who, flag in _WHO
            }
        rows: dict[str, Any] = {}
        for group, n in sizes.items():
            if group not in rates:
                rows[group] = {"n": n, "suppressed": True}
                continue
            rows[group] = {"n": n, "suppressed": False}
            for who, _ in _WHO:
                mine, ref = rates[group][who], rates[reference][who]
                rows[group][who] = mine | _ratio(mine, ref, group == reference)
        out[attribute] = {"reference": reference, "groups": rows}
    return out
