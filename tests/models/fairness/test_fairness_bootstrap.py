"""Bootstrap intervals: seeded, and the same law as resampling rows within groups."""

from __future__ import annotations

import numpy as np
import pytest

from models.fairness import FairnessPolicy, fairness_report
from models.fairness._bootstrap import bootstrap_ratio_intervals
from models.fairness._metrics import rates_from_counts


def _cis(frame, seed):
    report = fairness_report(
        frame,
        label="label",
        flag="flagged",
        groups=["sex", "nationality"],
        intersections=True,
        policy=FairnessPolicy(bootstrap=100, seed=seed),
    )
    return {
        (a, g, m): r.ci
        for a, attr in report.attributes.items()
        for g, grp in attr.groups.items()
        for m, r in grp.ratios.items()
    }


def test_same_seed_same_intervals_other_seed_other_intervals(scored):
    first, again, other = _cis(scored, 11), _cis(scored, 11), _cis(scored, 12)
    assert first == again
    assert len(first) > 10
    differ = sum(first[k] != other[k] for k in first)
    assert differ == len(first)


def test_interval_brackets_the_point_ratio_and_narrows_with_size():
    rng = np.random.default_rng(0)
    widths = []
    for scale in (1, 25):
        counts = np.array([[40, 10, 140, 10], [30, 20, 130, 20]]) * scale
        cis = bootstrap_ratio_intervals(counts, 0, ("fpr",), n_boot=400, rng=rng)["fpr"]
        point = rates_from_counts(counts[1])["fpr"] / rates_from_counts(counts[0])["fpr"]
        assert cis[1].low < point < cis[1].high
        assert (cis[0].low, cis[0].high) == (1.0, 1.0)
        widths.append(cis[1].high - cis[1].low)
    assert widths[1] < widths[0] / 3


def test_multinomial_draws_match_row_resampling_within_groups():
    """Same percentiles (up to Monte Carlo error) as resampling the rows of each group."""
    counts = np.array([[40, 10, 140, 10], [30, 20, 130, 20]])
    b = 4000
    ours = bootstrap_ratio_intervals(
        counts, 0, ("fpr", "flag_rate"), n_boot=b, rng=np.random.default_rng(1)
    )
    rng = np.random.default_rng(2)
    rows = [np.repeat(np.arange(4), c) for c in counts]  # cell index of each row
    resampled = []
    for cells in rows:
        idx = rng.integers(0, len(cells), size=(b, len(cells)))
        picked = cells[idx]
        resampled.append(np.stack([(picked == k).sum(axis=1) for k in range(4)], axis=1))
    draws = np.stack(resampled, axis=1)  # (b, groups, 4)
    for metric in ("fpr", "flag_rate"):
        r = rates_from_counts(draws)[metric]
        lo, hi = np.quantile(r[:, 1] / r[:, 0], [0.025, 0.975])
        assert ours[metric][1].low == pytest.approx(lo, rel=0.04)
        assert ours[metric][1].high == pytest.approx(hi, rel=0.04)


def test_mostly_undefined_resamples_give_no_interval():
    # Each group has one negative: FPR is undefined whenever a resample misses either.
    counts = np.array([[30, 1, 0, 29], [30, 0, 1, 29]])
    ci = bootstrap_ratio_intervals(counts, 0, ("fpr",), n_boot=200, rng=np.random.default_rng(0))
    interval = ci["fpr"][1]
    assert interval.low is None and interval.high is None
    assert interval.reason == f"ratio defined in only {interval.resamples} of 200 resamples"
    assert interval.resamples < 100


def test_zero_reference_rate_in_resamples_leaves_the_upper_bound_open():
    counts = np.array([[1, 0, 200, 0], [20, 20, 160, 0]])  # reference FDR is 0 in every resample
    ci = bootstrap_ratio_intervals(counts, 0, ("fdr",), n_boot=100, rng=np.random.default_rng(0))
    interval = ci["fdr"][1]
    assert interval.low is None and interval.high is None
    assert interval.reason == "upper bound unbounded: reference rate 0 in resamples"
