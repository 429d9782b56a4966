"""Disclosure control: no suppressed cell can be recovered from what is published.

The attacker's model: every published figure of one table (each line's applications and
shown rates, the "other" line, the totals, and the decided count behind the hit rate),
integer counts, and the order scored >= flagged >= decided >= confirmed >= 0 in every
group.  A suppressed cell is recoverable when those facts leave it one possible value;
scipy's mixed-integer solver finds its smallest and largest possible values.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from serving_helpers import as_json

from serving.services import Counts, protect, safe_rate

FIELDS = ("scored", "flagged", "decided", "confirmed")


def _system(cells: dict[str, Counts], table, *, lines: bool = True) -> tuple[list, dict, tuple]:
    """Variables (group, field) and the linear equalities the published table implies
    (``lines=False``: its totals alone)."""
    groups = sorted(cells)
    index = {(g, f): i for i, (g, f) in enumerate((g, f) for g in groups for f in FIELDS)}
    rows, rhs = [], []

    def eq(terms: dict[tuple[str, str], Fraction], value: Fraction) -> None:
        row = np.zeros(len(index))
        for key, coef in terms.items():
            row[index[key]] += float(coef)
        rows.append(row)
        rhs.append(float(value))

    def total(members, field):
        return {(g, field): Fraction(1) for g in members}

    def ratio(members, confirmed, decided):
        # decided * sum(confirmed) - confirmed * sum(decided) = 0: the shown rate, in integers
        terms = {(g, "confirmed"): Fraction(decided) for g in members}
        terms.update({(g, "decided"): -Fraction(confirmed) for g in members})
        return terms

    everyone = groups
    eq(total(everyone, "scored"), table.total.scored)
    eq(total(everyone, "decided"), sum(c.decided for c in cells.values()))  # KPIs publish it
    if table.total.flag_rate is not None:
        eq(total(everyone, "flagged"), sum(c.flagged for c in cells.values()))
    if table.total.hit_rate is not None:
        eq(total(everyone, "confirmed"), sum(c.confirmed for c in cells.values()))
    for row in table.rows if lines else []:
        members = list(table.pooled) if row.other else [row.group]
        eq(total(members, "scored"), row.scored)
        flagged = sum(cells[g].flagged for g in members)
        if row.flag_rate is not None:
            eq(total(members, "flagged"), flagged)
        if row.hit_rate is not None:
            confirmed = sum(cells[g].confirmed for g in members)
            decided = sum(cells[g].decided for g in members)
            eq(ratio(members, confirmed, decided), Fraction(0))
    return groups, index, (np.array(rows), np.array(rhs))


def _order(index, groups) -> LinearConstraint:
    """scored >= flagged >= decided >= confirmed in every group."""
    rows = []
    for g in groups:
        for hi, lo in itertools.pairwise(FIELDS):
            row = np.zeros(len(index))
            row[index[(g, hi)]], row[index[(g, lo)]] = 1, -1
            rows.append(row)
    return LinearConstraint(np.array(rows), 0, np.inf)


def suppressed_cells(cells: dict[str, Counts], table) -> list[tuple[str, str]]:
    """The (group, field) counts the table hides and which are not implied by its totals."""
    hidden = []
    if len(table.pooled) < len(cells):  # a table pooling everything pools its total
        for g in table.pooled:
            hidden += [(g, f) for f in ("scored", "flagged", "confirmed")]
    for row in table.rows:
        if row.other:
            continue
        if row.flag_rate is None:
            hidden.append((row.group, "flagged"))
        if row.hit_rate is None and cells[row.group].decided:
            hidden.append((row.group, "confirmed"))
    return hidden


def _range(cells, table, key, *, lines: bool) -> tuple[int, int]:
    """The smallest and largest value of cell ``key`` consistent with the publication."""
    groups, index, (a, b) = _system(cells, table, lines=lines)
    constraints = [LinearConstraint(a, b, b), _order(index, groups)]
    bounds = Bounds(0, sum(c.scored for c in cells.values()))
    c = np.zeros(len(index))
    c[index[key]] = 1
    ends = []
    for sign in (1, -1):
        res = milp(
            sign * c,
            constraints=constraints,
            integrality=np.ones(len(index)),
            bounds=bounds,
            options={"presolve": False},  # HiGHS presolve called some feasible ones infeasible
        )
        assert res.status == 0, res.message  # the true counts are always feasible
        ends.append(round(sign * res.fun))
    return ends[0], ends[1]


def recovered(cells: dict[str, Counts], table) -> list[tuple[str, str, int]]:
    """Suppressed cells the published lines pin to one value (with that value).

    A cell the table's totals alone already pin (no decisions at all: every group's
    confirmed count is 0) says nothing about the group, so it does not count.
    """
    out = []
    for key in suppressed_cells(cells, table):
        low, high = _range(cells, table, key, lines=True)
        if low == high and len(set(_range(cells, table, key, lines=False))) > 1:
            out.append((*key, low))
    return out


@st.composite
def tables(draw):
    k = draw(st.integers(2, 6))
    n_groups = draw(st.integers(1, 6))
    cells = {}
    for i in range(n_groups):
        n = draw(st.integers(1, 30))
        f = draw(st.integers(0, n))
        d = draw(st.integers(0, f))
        c = draw(st.integers(0, d))
        cells[f"g{i}"] = Counts(n, f, d, c)
    return cells, k


@pytest.mark.slow  # about a minute: hundreds of small integer programs
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_suppressed_cell_can_be_recovered(drawn):
    cells, k = drawn
    table = protect(cells, k)
    assert recovered(cells, table) == []
    for row in table.rows:  # and what is shown obeys the thresholds
        assert row.scored >= k or len(table.pooled) == len(cells)
        if row.flag_rate is not None:
            assert row.flag_rate * row.scored >= k - 1e-9
    assert not set(table.pooled) & {r.group for r in table.rows}


def test_the_issues_subtraction_no_longer_works():
    """Marital status: 867 screened, named groups summing to 864, one group of 3 (1 flagged)."""
    cells = {
        "married": Counts(400, 30, 20, 5),
        "single": Counts(300, 25, 15, 4),
        "divorced": Counts(164, 12, 8, 2),
        "widowed": Counts(3, 1, 1, 1),
    }
    table = protect(cells, 10)
    assert [r.group for r in table.rows] == ["married", "single", None]
    assert table.pooled == ("divorced", "widowed")
    assert table.rows[-1].scored == 167  # two groups together: neither can be taken apart
    assert recovered(cells, table) == []


def test_a_hit_rate_over_a_few_decisions_is_not_published():
    """'sex F 100.0%, M 0.0%' after 3 decisions: the counts behind the rate are too small."""
    cells = {"F": Counts(500, 20, 2, 2), "M": Counts(480, 25, 1, 0)}
    table = protect(cells, 10)
    assert [(r.group, r.hit_rate) for r in table.rows] == [("F", None), ("M", None)]
    assert [(r.group, r.flag_rate) for r in table.rows] == [("F", 20 / 500), ("M", 25 / 480)]
    assert table.total.hit_rate is None


def test_one_hidden_rate_takes_a_second_with_it():
    cells = {"a": Counts(100, 50, 40, 30), "b": Counts(90, 40, 30, 20), "c": Counts(80, 4, 2, 1)}
    table = protect(cells, 5)
    flags = {r.group: r.flag_rate for r in table.rows}
    assert flags == {"a": 0.5, "b": None, "c": None}  # c (4 flags) and b, the next smallest
    assert recovered(cells, table) == []


@pytest.mark.parametrize(
    ("num", "den", "k", "expected"),
    [(5, 10, 5, 0.5), (4, 10, 5, None), (5, 4, 5, None), (0, 0, 0, None), (0, 10, 0, 0.0)],
)
def test_safe_rate(num, den, k, expected):
    assert safe_rate(num, den, k) == expected


def test_kpis_hide_rates_means_and_percentiles_of_few_cases(
    scoring_client, tokens, world, settings
):
    """The KPIs follow the same rule: three scores give counts, not rates."""
    from serving_helpers import auth

    switched = scoring_client.put(
        "/v1/settings/kill-switch",
        headers=auth(tokens["supervisor"]),
        json={"enabled": True, "reason": "every application to review: three open cases"},
    )
    assert switched.status_code == 200, switched.text
    for payload in world["payloads"][:3]:
        r = scoring_client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(payload)
        )
        assert r.status_code == 200, r.text
    assert settings.fairness.min_group_size == 30
    k = scoring_client.get("/v1/kpis", headers=auth(tokens["auditor"])).json()
    assert (k["scored"], k["backlog"], k["review_rate"]) == (3, 3, None)
    assert k["backlog_age_days"] == {"p50": None, "p90": None, "max": None}
    settings.fairness.min_group_size = 3  # three of three: now large enough
    k = scoring_client.get("/v1/kpis", headers=auth(tokens["auditor"])).json()
    assert (k["scored"], k["backlog"], k["review_rate"]) == (3, 3, 1.0)
    assert k["backlog_age_days"]["max"] is not None
