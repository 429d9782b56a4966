"""Paired estimates for two models on the same applications, from the reviews the service made.

Only reviewed applications have a finding.  Which ones were reviewed is known: every
application the *logged* model flagged (propensity 1) and a blind random sample of the
rest (propensity = the sample's rate); each score records its review propensity.  Two
models A (champion) and B (challenger) flag the same number ``k`` of the period's
applications (the same capacity); the applications fall into cells by
``(A flags, B flags, logged flag)``.

Per cell ``c`` with ``N_c`` applications, as in :mod:`models._estimates`:

- ``Y_c = sum(finding_i / (propensity_i * d_s))`` over its decided reviews, where
  ``d_s`` is the share of the logged stratum's reviews already decided (1 once the
  backlog is cleared: plain Horvitz-Thompson), an unbiased estimate of the cell's
  confirmed violations;
- the rate ``Y_c / N_c`` gets a 95% Wilson interval with the cell's expected number of
  decided reviews ``n_c = sum(propensity_i * d_s)`` as its sample size.

Then, with ``Y(S)`` the sum over the cells in ``S``:

- precision of A: ``Y(A flags) / k``; of B: ``Y(B flags) / k``;
- the paired difference B - A: ``(Y(only B) - Y(only A)) / k``; the applications both
  flag cancel, which is why pairing narrows the interval;
- recall of A: ``Y(A flags) / Y(all)``, and the difference of recalls;
- confirmed per 100 reviews: ``100 * precision`` (each flag is one review).

Each interval is the smallest and largest value the figure takes over every corner of
its cells' intervals (every figure is monotone in each cell's total), which is
conservative.  A cell with applications but no decided review that could inform it
(no blind sample, or none decided yet) makes every figure that needs it *not
estimable*, with the reason; it is never reported as 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from models._estimates import _wilson
from risk.errors import DataContractError

__all__ = ["PAIRED_COLUMNS", "Paired", "at_capacity", "group_miss_rates", "paired_estimates"]

#: Columns :func:`paired_estimates` reads.
PAIRED_COLUMNS = (
    "a_flag",
    "b_flag",
    "logged_flag",
    "selected",
    "review_propensity",
    "reviewed",
    "confirmed",
)

_FIGURES = ("precision", "recall", "confirmed_per_100_reviews")


def at_capacity(margin: np.ndarray, k: int) -> np.ndarray:
    """Flags of the ``k`` highest margins (ties: the earlier row first), as booleans."""
    flags = np.zeros(margin.shape[0], dtype=bool)
    if k > 0:
        order = np.argsort(-margin, kind="stable")
        flags[order[:k]] = True
    return flags


@dataclass(frozen=True)
class _Cell:
    a: bool
    b: bool
    size: int
    total: float
    expected: float  # expected decided reviews: the Wilson sample size
    blind: int  # decided blind-sample reviews in the cell

    def interval(self) -> tuple[float, float, float] | None:
        """Total confirmed (estimate, low, high), or None when nothing informs it."""
        if self.size == 0:
            return (0.0, 0.0, 0.0)
        if self.expected <= 0:
            return None
        rate = self.total / self.size
        low, high = _wilson(rate, self.expected)
        return (self.total, min(low, rate) * self.size, max(high, rate) * self.size)


@dataclass(frozen=True)
class Paired:
    """Estimates for A (champion), B (challenger) and the difference B - A.

    Each figure is ``{"value", "ci": [low, high]}``, or ``{"value": None, "ci": None,
    "reason": ...}`` when not estimable.
    """

    k: int
    cells: list[dict[str, Any]]
    a: dict[str, dict[str, Any]]
    b: dict[str, dict[str, Any]]
    difference: dict[str, dict[str, Any]]


def _cells(frame: pl.DataFrame) -> list[_Cell]:
    decided = pl.col("reviewed")
    # The decided share of each logged stratum's reviews.  A stratum with nothing sent to
    # review (no blind draw at all) or nothing decided yet informs nothing: share 0 makes
    # its cells not estimable rather than estimated as 0.
    strata = frame.group_by("logged_flag").agg(sent=pl.col("selected").sum(), done=decided.sum())
    share = {s: (d / n if n else 0.0) for s, n, d in strata.iter_rows()}
    frame = frame.with_columns(
        done=pl.col("logged_flag").replace_strict(share, return_dtype=pl.Float64)
    )
    confirmed = decided & pl.col("confirmed").fill_null(False)
    rows = frame.group_by("a_flag", "b_flag", "logged_flag").agg(
        size=pl.len(),
        total=pl.when(confirmed)
        .then(1.0 / (pl.col("review_propensity") * pl.col("done")))
        .otherwise(0.0)
        .sum(),
        expected=(pl.col("review_propensity").fill_null(0.0) * pl.col("done")).sum(),
        blind=(decided & ~pl.col("logged_flag")).sum(),
    )
    return [
        _Cell(r["a_flag"], r["b_flag"], r["size"], r["total"], r["expected"], r["blind"])
        for r in rows.iter_rows(named=True)
    ]


def _corners(
    fn: Callable[..., float | None], groups: Sequence[list[_Cell]]
) -> tuple[float | None, ...] | str:
    """``fn`` of each group's total: the estimate, and min and max over the corners."""
    bounds = []
    for cells in groups:
        found = [c.interval() for c in cells]
        if any(f is None for f in found):
            return "missing"
        bounds.append([sum(f[i] for f in found) for i in range(3)])  # type: ignore[index]
    value = fn(*(b[0] for b in bounds))
    corners = [fn(*pick) for pick in itertools.product(*((b[1], b[2]) for b in bounds))]
    corners = [c for c in corners if c is not None]
    if value is None or not corners:
        return "undefined"
    return value, min(corners), max(corners)


#: Why a figure with evidence still has no value: a share of nothing.
_UNDEFINED = (
    "not estimable: a share of nothing (no application flagged in the period, or no"
    " confirmed violation estimated among the applications it is a share of)"
)


def _figure(result: tuple | str, reason: str, *, scale: float = 1.0) -> dict[str, Any]:
    if isinstance(result, str):
        why = reason if result == "missing" else _UNDEFINED
        return {"value": None, "ci": None, "reason": why}
    value, low, high = (scale * x for x in result)
    return {"value": value, "ci": [low, high]}


def _why(needed: list[_Cell], what: str) -> str:
    gaps = [c for c in needed if c.size and c.expected <= 0]
    n = sum(c.size for c in gaps)
    return (
        f"not estimable: {n} application(s) {what} have no decided review that could"
        " stand for them (no blind-sample review among them in this period, or none"
        " decided yet)"
    )


def paired_estimates(frame: pl.DataFrame) -> Paired:
    """Precision, recall and confirmed per 100 reviews of A and B, and B - A.

    Parameters
    ----------
    frame
        One row per scored application of the period with :data:`PAIRED_COLUMNS`:
        the two models' flags at the same capacity, the logged flag (which decided
        the review), whether it was sent to review, its review propensity, whether a
        decision is recorded and whether it confirmed a violation.

    Raises
    ------
    DataContractError
        A column is missing, the models flag different numbers, or a decided review
        has a propensity of 0.
    """
    missing = [c for c in PAIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataContractError(f"the paired frame lacks column(s) {missing}")
    k = int(frame["a_flag"].sum())
    if int(frame["b_flag"].sum()) != k:
        raise DataContractError("the two models must flag the same number (the same capacity)")
    bad = frame.filter(pl.col("reviewed") & (pl.col("review_propensity").fill_null(0) <= 0))
    if bad.height:
        raise DataContractError("a decided review has a review propensity of 0 or none")
    cells = _cells(frame)

    def pick(test: Callable[[_Cell], bool]) -> list[_Cell]:
        return [c for c in cells if test(c)]

    a_in, b_in = pick(lambda c: c.a), pick(lambda c: c.b)
    only_a, only_b = pick(lambda c: c.a and not c.b), pick(lambda c: c.b and not c.a)

    def model(flagged: list[_Cell], rest: list[_Cell], who: str) -> dict[str, Any]:
        prec = _corners(lambda y: y / k if k else None, [flagged])
        rec = _corners(lambda y, z: y / (y + z) if y + z > 0 else None, [flagged, rest])
        why_p = _why(flagged, f"that {who} flags")
        why_r = _why(flagged + rest, f"that {who} does not flag")
        return {
            "precision": _figure(prec, why_p),
            "recall": _figure(rec, why_r),
            "confirmed_per_100_reviews": _figure(prec, why_p, scale=100.0),
        }

    both, neither = pick(lambda c: c.a and c.b), pick(lambda c: not c.a and not c.b)
    d_prec = _corners(lambda yb, ya: (yb - ya) / k if k else None, [only_b, only_a])
    d_rec = _corners(
        lambda yb, ya, y11, y00: (
            (yb - ya) / (yb + ya + y11 + y00) if yb + ya + y11 + y00 > 0 else None
        ),
        [only_b, only_a, both, neither],
    )
    why_d = _why(only_a + only_b, "that only one of the two models flags")
    why_dr = _why(cells, "in the period")
    difference = {
        "precision": _figure(d_prec, why_d),
        "recall": _figure(d_rec, why_dr),
        "confirmed_per_100_reviews": _figure(d_prec, why_d, scale=100.0),
    }
    return Paired(
        k=k,
        cells=[vars(c) for c in cells],
        a=model(a_in, pick(lambda c: not c.a), "the champion"),
        b=model(b_in, pick(lambda c: not c.b), "the challenger"),
        difference=difference,
    )


def group_miss_rates(
    frame: pl.DataFrame, groups: Sequence[str], *, min_group_size: int
) -> dict[str, dict[str, Any]]:
    """Estimated false negative rate (share of violations a model does not flag) by group.

    Per protected attribute and group: ``1 - recall`` of each model within the group,
    from the same cells and intervals as :func:`paired_estimates` (each model against
    itself).  A group smaller than ``min_group_size`` is suppressed (named with its size
    only, as the fairness audit does); a rate no review can inform says why.
    """
    out: dict[str, dict[str, Any]] = {}
    for attribute in groups:
        values = frame.get_column(attribute).cast(pl.String).fill_null("(missing)")
        rows: dict[str, Any] = {}
        for group in sorted(set(values.to_list())):
            sub = frame.filter(values == group)
            if sub.height < min_group_size:
                rows[group] = {"n": sub.height, "suppressed": True}
                continue
            rows[group] = {"n": sub.height, "suppressed": False}
            for who, flag in (("champion", "a_flag"), ("challenger", "b_flag")):
                own = sub.with_columns(a_flag=pl.col(flag), b_flag=pl.col(flag))
                recall = paired_estimates(own).a["recall"]
                rows[group][who] = _miss(recall)
        out[attribute] = rows
    return out


def _miss(recall: dict[str, Any]) -> dict[str, Any]:
    if recall["value"] is None:
        return {"fnr": None, "fnr_ci": None, "reason": recall["reason"]}
    low, high = recall["ci"]
    return {"fnr": 1 - recall["value"], "fnr_ci": [1 - high, 1 - low]}
