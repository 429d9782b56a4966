"""Paired champion-challenger estimates against every possible blind draw of a tiny world."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from scipy.stats import binomtest

from models._paired import at_capacity, paired_estimates
from risk.errors import DataContractError

N, K, RATE = 10, 3, 0.4
A = {0, 1, 2}  # the champion (the logged model) flags these
B = {0, 3, 4}  # the challenger, at the same capacity
TRUTH = {1, 3, 7, 8}  # confirmed violations an officer would find


def _frame(drawn: set[int], confirmed: set[int] = TRUTH) -> pl.DataFrame:
    ids = range(N)
    logged = [i in A for i in ids]
    reviewed = [i in A or i in drawn for i in ids]
    return pl.DataFrame(
        {
            "a_flag": logged,
            "b_flag": [i in B for i in ids],
            "logged_flag": logged,
            "selected": reviewed,
            "review_propensity": [1.0 if i in A else RATE for i in ids],
            "reviewed": reviewed,
            "confirmed": [
                (i in confirmed) if r else None for i, r in zip(ids, reviewed, strict=True)
            ],
        }
    )


def _draws():
    rest = [i for i in range(N) if i not in A]
    for picks in itertools.product([False, True], repeat=len(rest)):
        drawn = {i for i, p in zip(rest, picks, strict=True) if p}
        yield drawn, RATE ** len(drawn) * (1 - RATE) ** (len(rest) - len(drawn))


def _expect(figure, empty: float):
    """Mean of an estimate over every blind draw.

    The draw with no blind review is reported as not estimable; there the plain
    Horvitz-Thompson value (no confirmed violation among the unflagged) is ``empty``.
    """
    total, prob = 0.0, 0.0
    for drawn, p in _draws():
        prob += p
        value = figure(paired_estimates(_frame(drawn)))["value"]
        if not drawn:
            assert value is None
            value = empty
        total += p * value
    assert prob == pytest.approx(1.0, abs=1e-12)
    return total


def challenger_precision(e):
    return e.b["precision"]


def precision_difference(e):
    return e.difference["precision"]


def test_the_champions_precision_is_its_reviews_in_every_draw():
    for drawn, _ in _draws():
        assert paired_estimates(_frame(drawn)).a["precision"]["value"] == 1 / 3


def test_the_challengers_precision_is_unbiased_over_every_draw():
    empty = len(A & B & TRUTH) / K
    assert _expect(challenger_precision, empty) == pytest.approx(len(B & TRUTH) / K, abs=1e-12)


def test_the_paired_difference_is_unbiased_over_every_draw():
    truth = (len(B & TRUTH) - len(A & TRUTH)) / K
    empty = -len((A - B) & TRUTH) / K
    assert _expect(precision_difference, empty) == pytest.approx(truth, abs=1e-12)


def test_one_draw_exactly():
    # drawn: 3 (confirmed, challenger only), 5 (clean), 7 (confirmed, neither flags)
    e = paired_estimates(_frame({3, 5, 7}))
    cells = {(c["a"], c["b"]): c for c in e.cells}
    only_b = cells[(False, True)]  # 3 and 4; only 3 drawn: HT total 1/0.4
    assert (only_b["size"], only_b["total"], only_b["expected"]) == (2, 2.5, 0.8)
    assert e.b["precision"]["value"] == pytest.approx((0 + 2.5) / 3)  # unit 0 is clean
    assert e.difference["precision"]["value"] == pytest.approx((2.5 - 1) / 3)
    # recall: challenger finds 2.5 of (1 + 2.5 + 2.5 [neither: 5,6,7,8,9 -> 7 drawn]) = 6
    assert e.b["recall"]["value"] == pytest.approx(2.5 / 6)
    assert e.a["recall"]["value"] == pytest.approx(1 / 6)
    assert e.b["confirmed_per_100_reviews"]["value"] == pytest.approx(100 * 2.5 / 3)


def test_a_cells_interval_is_wilsons_at_its_expected_reviews():
    """One cell, a whole number of expected reviews: the interval is scipy's Wilson."""
    frame = (
        _frame(set(), confirmed=TRUTH)
        .with_columns(review_propensity=pl.lit(1.0), reviewed=pl.lit(True), selected=pl.lit(True))
        .with_columns(confirmed=pl.Series([i in TRUTH for i in range(N)]))
        .with_columns(b_flag=pl.col("a_flag"))  # both flag 0, 1, 2: one flagged cell
    )
    e = paired_estimates(frame)
    ci = binomtest(1, 3).proportion_ci(method="wilson")
    assert e.a["precision"]["ci"] == pytest.approx([ci.low, ci.high], abs=1e-12)


def test_no_blind_sample_review_is_not_estimable_with_the_reason_never_zero():
    e = paired_estimates(_frame(set()))
    assert e.a["precision"]["value"] == 1 / 3  # the champion's own flags were all reviewed
    for figure in (e.b["precision"], e.difference["precision"], e.a["recall"], e.b["recall"]):
        assert figure["value"] is None and figure["ci"] is None
    assert e.difference["precision"]["reason"] == (
        "not estimable: 2 application(s) that only one of the two models flags have no"
        " decided review that could stand for them (no blind-sample review among them in"
        " this period, or none decided yet)"
    )


def test_reviews_still_pending_count_through_the_decided_share():
    """Half the champion's flags decided: each decided one stands for two."""
    frame = (
        _frame({3})
        .with_columns(
            reviewed=pl.Series([True, False, True, True, False, False, False, False, False, False]),
        )
        .with_columns(confirmed=pl.when(pl.col("reviewed")).then(pl.col("confirmed")))
    )
    e = paired_estimates(frame)
    # champion stratum: 2 of 3 decided (units 0 and 2, both clean) -> 0 confirmed
    assert e.a["precision"]["value"] == 0.0
    cells = {(c["a"], c["b"]): c for c in e.cells}
    assert cells[(True, True)]["expected"] == pytest.approx(2 / 3)


def test_capacity_flags_the_top_k_margins_with_ties_to_the_earlier_row():
    margin = np.array([0.5, 2.0, 2.0, -1.0, 3.0])
    assert at_capacity(margin, 3).tolist() == [False, True, True, False, True]
    assert at_capacity(margin, 2).tolist() == [False, True, False, False, True]
    assert at_capacity(margin, 0).tolist() == [False] * 5


def test_models_that_flag_different_numbers_are_refused():
    frame = _frame({3}).with_columns(b_flag=pl.lit(True))
    with pytest.raises(DataContractError) as err:
        paired_estimates(frame)
    assert err.value.message == "the two models must flag the same number (the same capacity)"


def test_a_period_without_flags_is_not_estimable_never_zero():
    frame = _frame({3, 5}).with_columns(a_flag=pl.lit(False), b_flag=pl.lit(False))
    e = paired_estimates(frame)
    assert e.k == 0
    assert e.a["precision"] == {
        "value": None,
        "ci": None,
        "reason": "not estimable: a share of nothing (no application flagged in the period,"
        " or no confirmed violation estimated among the applications it is a share of)",
    }


def test_miss_rates_by_group_from_the_same_cells_and_small_groups_suppressed():
    from models._paired import group_miss_rates

    frame = _frame({3, 5, 7}).with_columns(group=pl.Series(["x"] * 6 + ["y"] * 4))
    rates = group_miss_rates(frame, ["group"], min_group_size=5)
    assert rates["group"]["y"] == {"n": 4, "suppressed": True}
    x = rates["group"]["x"]
    # in x: the champion finds unit 1 (1.0); unit 3, drawn at 0.4, stands for 2.5 missed
    assert x["champion"]["fnr"] == pytest.approx(2.5 / 3.5, abs=1e-12)
    assert x["challenger"]["fnr"] == pytest.approx(1 / 3.5, abs=1e-12)
    low, high = x["champion"]["fnr_ci"]
    assert low <= x["champion"]["fnr"] <= high


# -- false positive rate by group (models._group_rates) -----------------------------------


def _one_model(drawn: set[int], flags: set[int]) -> pl.DataFrame:
    flag = pl.Series([i in flags for i in range(N)])
    return _frame(drawn).with_columns(a_flag=flag, b_flag=flag)


@pytest.mark.parametrize(("flags", "empty_fp"), [(A, 2.0), (B, 3.0)])
def test_the_false_positive_and_negative_totals_are_unbiased_over_every_draw(flags, empty_fp):
    """Both totals the rate divides: their mean over every blind draw is the truth."""
    from models._group_rates import fpr_by_cells

    fp = neg = prob = 0.0
    for drawn, p in _draws():
        got = fpr_by_cells(_one_model(drawn, flags))
        if not drawn:  # not estimable; the plain HT totals count no unflagged violation
            assert got["fpr"] is None
            got = {"false_positives": empty_fp, "negatives": N - len(A & TRUTH)}
        fp += p * got["false_positives"]
        neg += p * got["negatives"]
        prob += p
    assert prob == pytest.approx(1.0, abs=1e-12)
    assert fp == pytest.approx(len(flags - TRUTH), abs=1e-12)
    assert neg == pytest.approx(N - len(TRUTH), abs=1e-12)


def test_the_false_positive_rate_of_one_draw_by_hand():
    from models._estimates import _wilson
    from models._group_rates import fpr_by_cells

    # drawn: 3 (confirmed), 5 (clean), 7 (confirmed), each standing for 2.5 applications
    got = fpr_by_cells(_one_model({3, 5, 7}, A))
    # flagged 0, 1, 2 (1 confirmed): 2 negatives; unflagged 3..9: 7 - 2 * 2.5 = 2
    assert (got["false_positives"], got["negatives"]) == (2.0, 4.0)
    assert got["fpr"] == 0.5
    # the interval: every corner of the two cells' Wilson intervals (sizes 3 and 7)
    f_lo, f_hi = _wilson(1 / 3, 3.0)
    u_lo, u_hi = _wilson(5.0 / 7, 7 * RATE)

    def rate(yf, yu):
        return (3 - yf) / ((3 - yf) + (7 - yu))

    assert got["fpr_ci"] == pytest.approx(
        [rate(3 * f_hi, 7 * u_lo), rate(3 * f_lo, 7 * u_hi)], abs=1e-12
    )
    challenger = fpr_by_cells(_one_model({3, 5, 7}, B))
    # flagged: 0 (clean), 3 and 4 (3 drawn, confirmed: 2.5) -> 1 + 2 - 2.5 = 0.5 negatives
    assert (challenger["false_positives"], challenger["negatives"]) == (0.5, 4.0)
    assert challenger["fpr"] == 0.125


def test_false_positive_rates_by_group_with_ratios_and_suppression():
    from models._group_rates import group_false_positive_rates

    groups = pl.Series(["x"] * 6 + ["y"] * 4)
    frame = _frame({3, 5, 7}).with_columns(group=groups)
    rates = group_false_positive_rates(frame, ["group"], min_group_size=4)["group"]
    assert rates["reference"] == "x"  # the largest group shown
    x, y = rates["groups"]["x"], rates["groups"]["y"]
    # x, champion: flags 0, 1, 2 (1 confirmed) -> 2 negatives; 3, 4, 5 unflagged with
    # 3 (confirmed) and 5 drawn -> 3 - 2.5 = 0.5
    assert x["champion"]["fpr"] == pytest.approx(2 / 2.5, abs=1e-12)
    assert (x["champion"]["fpr_ratio"], x["champion"]["fpr_ratio_ci"]) == (1.0, [1.0, 1.0])
    # y (6..9): nobody flags, so no false positive; 7 drawn (confirmed)
    assert y["champion"]["fpr"] == 0.0 and y["champion"]["negatives"] == 4 - 2.5
    assert y["champion"]["fpr_ratio"] == 0.0
    assert y["champion"]["fpr_ratio_ci"] == pytest.approx(
        [y["champion"]["fpr_ci"][0] / x["champion"]["fpr_ci"][1],
         y["champion"]["fpr_ci"][1] / x["champion"]["fpr_ci"][0]], abs=1e-12
    )  # fmt: skip
    suppressed = group_false_positive_rates(frame, ["group"], min_group_size=5)["group"]
    assert suppressed["groups"]["y"] == {"n": 4, "suppressed": True}


def test_a_false_positive_rate_no_review_informs_says_why_never_zero():
    from models._group_rates import group_false_positive_rates

    frame = _frame(set()).with_columns(group=pl.Series(["x"] * 6 + ["y"] * 4))
    rates = group_false_positive_rates(frame, ["group"], min_group_size=4)["group"]
    y = rates["groups"]["y"]["champion"]
    assert y == {
        "fpr": None,
        "fpr_ci": None,
        "reason": "not estimable: 4 application(s) of the group have no decided review that"
        " could stand for them (no blind-sample review among them in this period, or none"
        " decided yet)",
        "fpr_ratio": None,
        "fpr_ratio_ci": None,
        "fpr_ratio_reason": "not estimable: this group's rate is not estimable",
    }
    # only 7 (in y) drawn: y's rate is estimable, the reference's is not
    frame = _frame({7}).with_columns(group=pl.Series(["x"] * 6 + ["y"] * 4))
    rates = group_false_positive_rates(frame, ["group"], min_group_size=4)["group"]
    y = rates["groups"]["y"]["champion"]
    assert (y["fpr"], y["fpr_ratio"], y["fpr_ratio_reason"]) == (
        0.0,
        None,
        "not estimable: the reference group's rate is not estimable",
    )


def _fpr_report(m_challenger: dict) -> dict:
    ref = {"fpr_ratio": 1.0, "fpr_ratio_ci": [1.0, 1.0]}
    missing = {"value": None, "reason": "not estimable: no review"}
    flat = {f"{f}{s}": v for f in ("precision", "recall") for s, v in
            (("", None), ("_ci", None), ("_reason", missing["reason"]))}  # fmt: skip
    return {
        "n": 10, "capacity": 2, "overlap": {"both": 1, "champion_only": 1, "challenger_only": 1},
        "estimates": {"champion": flat, "challenger": flat, "difference": flat},
        "fairness": {"false_positive_rates": {"sex": {"reference": "F", "groups": {
            "F": {"n": 40, "suppressed": False, "champion": ref, "challenger": ref},
            "M": {"n": 35, "suppressed": False,
                  "champion": {"fpr_ratio": 1.1, "fpr_ratio_ci": [0.9, 1.3]},
                  "challenger": m_challenger},
            "X": {"n": 3, "suppressed": True},
        }}}},
    }  # fmt: skip


def test_the_false_positive_rate_ratios_get_a_verdict_per_attribute():
    from models import compare_verdicts

    # the challenger's M: above the band, its upper end unbounded (reference's low end 0)
    outside = {"fpr_ratio": 2.0, "fpr_ratio_ci": [1.5, None]}
    checks, overall = compare_verdicts(_fpr_report(outside))
    assert checks[-1] == {
        "check": "fairness.sex.fpr",
        "verdict": "worse",
        "text": "Estimated false positive rate by sex: ratios to F 1.00 to 2.00 for the"
        " challenger, 1.00 to 1.10 for the champion; groups outside 0.8-1.25 (whole"
        " interval): challenger 1 of 2, champion 0 of 2: more groups outside with the"
        " challenger (worse).",
    }
    assert overall == "inconclusive"  # fairness informs; the overall verdict reads quality
    none = {"fpr_ratio": None, "fpr_ratio_ci": None, "fpr_ratio_reason": "not estimable: x"}
    checks, _ = compare_verdicts(_fpr_report(none))
    assert checks[-1]["verdict"] == "not estimable"
    assert checks[-1]["text"].endswith(
        "challenger 0 of 1, champion 0 of 2: no other group's rate is estimable (not estimable)."
    )
