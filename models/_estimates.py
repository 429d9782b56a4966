"""Population figures from what the service recorded: Horvitz-Thompson over reviewed cases.

Only reviewed cases have a finding, and which cases are reviewed depends on the
model itself: every flag, plus a blind random sample of the rest.  Each score
records its *review propensity* (the probability that its application is
reviewed under the policy in force: 1 for a flag, the blind-sample rate
otherwise), so a reviewed case with propensity ``p`` stands for ``1 / p``
applications.  The Horvitz-Thompson total of confirmed violations is unbiased
for the true total whatever the model flags.

Estimates are per stratum: flagged (the model's flag at capacity) and unflagged
applications.  For stratum ``s`` with ``N_s`` applications:

- ``Y_s = sum(finding_i / (propensity_i * c_s))`` over its reviewed cases, where
  ``c_s`` is the share of the stratum's cases sent to review that have a decision
  yet (1 once the backlog is cleared: pure Horvitz-Thompson; below 1 the decided
  cases stand in for the pending ones);
- the rate ``Y_s / N_s`` gets a 95% Wilson score interval with the design's
  expected number of reviews ``n_s = c_s * sum(propensity_i)`` as its sample size
  (so a flagged stratum reviewed in full is treated as a sample of the model's
  behaviour, not as exact).

Then prevalence ``(Y_f + Y_u) / N``, precision at capacity ``Y_f / N_f``, miss rate
among unflagged ``Y_u / N_u`` and recall at capacity ``Y_f / (Y_f + Y_u)``.  The
intervals of prevalence and recall combine the two strata's interval ends (the
extreme corners), which is conservative.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from risk.errors import DataContractError

__all__ = ["REVIEW_COLUMNS", "Estimate", "LoopEstimates", "estimate_reviews"]

#: The columns :func:`estimate_reviews` reads (``reviews.parquet`` holds them all).
REVIEW_COLUMNS = (
    "scored_at",
    "flagged",
    "blind_sample",
    "review_propensity",
    "reviewed",
    "finding",
)

_Z = 1.959963984540054  # the standard normal's 97.5% quantile
_CONFIRMED = "violation_confirmed"


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval (all ``None`` when nothing informs it)."""

    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class LoopEstimates:
    """The estimates of one period (a month, or everything)."""

    period: str
    applications: int
    flagged: int
    reviewed: int
    blind_reviewed: int
    prevalence: Estimate
    precision_at_capacity: Estimate
    recall_at_capacity: Estimate
    miss_rate_unflagged: Estimate

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)


def _wilson(p: float, n: float) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``p`` seen over ``n`` (possibly fractional)."""
    p = min(max(p, 0.0), 1.0)
    z2 = _Z * _Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class _Stratum:
    size: int
    total: float  # Horvitz-Thompson total of confirmed violations
    expected_reviews: float

    def rate(self) -> Estimate:
        if self.size == 0 or self.expected_reviews <= 0:
            return Estimate(None, None, None)
        value = self.total / self.size
        low, high = _wilson(value, self.expected_reviews)
        return Estimate(value, min(low, value), max(high, value))


def _check(frame: pl.DataFrame) -> None:
    missing = [c for c in REVIEW_COLUMNS if c not in frame.columns]
    if missing:
        raise DataContractError(f"the reviews table has no column {missing[0]!r}")
    zero = frame.filter(pl.col("reviewed") & (pl.col("review_propensity").fill_null(0) <= 0))
    if zero.height:
        where = zero["score_id"][0] if "score_id" in zero.columns else "?"
        raise DataContractError(
            f"score {where} was reviewed but its review propensity is"
            f" {zero['review_propensity'][0]}: a reviewed case must have had a chance to be"
            " reviewed (propensity above 0)"
        )


def _strata(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """One row per (period, stratum): size, selected, reviewed, HT sum and propensity sum."""
    selected = pl.col("flagged") | pl.col("blind_sample") | (pl.col("review_propensity") >= 1)
    confirmed = (pl.col("finding") == _CONFIRMED).fill_null(False)
    return frame.group_by([*by, "flagged"]).agg(
        size=pl.len(),
        selected=selected.sum(),
        reviewed=pl.col("reviewed").sum(),
        blind_reviewed=(pl.col("reviewed") & pl.col("blind_sample")).sum(),
        ht=pl.when(pl.col("reviewed") & confirmed)
        .then(1.0 / pl.col("review_propensity"))
        .otherwise(0.0)
        .sum(),
        propensity=pl.col("review_propensity").fill_null(0.0).sum(),
    )


def _stratum(row: dict[str, Any] | None) -> _Stratum:
    if row is None:
        return _Stratum(0, 0.0, 0.0)
    # nothing sent to review (no blind draw this month): nothing pending either
    done = row["reviewed"] / row["selected"] if row["selected"] else 1.0
    total = row["ht"] / done if done else 0.0
    return _Stratum(int(row["size"]), total, done * row["propensity"])


def _combine(period: str, rows: dict[bool, dict[str, Any]]) -> LoopEstimates:
    f, u = _stratum(rows.get(True)), _stratum(rows.get(False))
    pf, pu = f.rate(), u.rate()
    n = f.size + u.size
    prevalence = Estimate(None, None, None)
    recall = Estimate(None, None, None)
    if n and pu.value is not None and (f.size == 0 or pf.value is not None):
        fv = (pf.value, pf.low, pf.high) if f.size else (0.0, 0.0, 0.0)
        prevalence = Estimate(
            *(
                (f.size * a + u.size * b) / n
                for a, b in zip(fv, (pu.value, pu.low, pu.high), strict=True)
            )
        )

        def share(a: float, b: float) -> float | None:
            found, missed = f.size * a, u.size * b
            return None if found + missed == 0 else found / (found + missed)

        recall = Estimate(share(fv[0], pu.value), share(fv[1], pu.high), share(fv[2], pu.low))
    return LoopEstimates(
        period=period,
        applications=n,
        flagged=f.size,
        reviewed=sum(int(r["reviewed"]) for r in rows.values()),
        blind_reviewed=sum(int(r["blind_reviewed"]) for r in rows.values()),
        prevalence=prevalence,
        precision_at_capacity=pf,
        recall_at_capacity=recall,
        miss_rate_unflagged=pu,
    )


def estimate_reviews(reviews: pl.DataFrame | pl.LazyFrame) -> dict[str, Any]:
    """Horvitz-Thompson estimates per calendar month of scoring and overall.

    Parameters
    ----------
    reviews
        One row per score, with :data:`REVIEW_COLUMNS` (``finding`` is the decision's
        outcome, ``"violation_confirmed"`` counting as a violation; ``None`` when not
        reviewed).  Filter it to one model version first.

    Returns
    -------
    dict
        ``{"months": [LoopEstimates, ...], "overall": LoopEstimates}``, months in order.

    Raises
    ------
    DataContractError
        A column is missing, or a reviewed row has a propensity of 0 or none (its
        score id named).
    """
    frame = reviews.collect() if isinstance(reviews, pl.LazyFrame) else reviews
    _check(frame)
    frame = frame.with_columns(period=pl.col("scored_at").dt.strftime("%Y-%m"))
    months: dict[str, dict[bool, dict[str, Any]]] = {}
    for row in _strata(frame, ["period"]).iter_rows(named=True):
        months.setdefault(row["period"], {})[row["flagged"]] = row
    overall = {r["flagged"]: r for r in _strata(frame, []).iter_rows(named=True)}
    return {
        "months": [_combine(m, months[m]) for m in sorted(months)],
        "overall": _combine("overall", overall),
    }
