"""History signals: exact values on a hand-built record, and no leakage from the future."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
from feature_world import app, decision, random_world, tables, trip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features import build_family
from risk.contract import DECISION_OUTCOMES

_COLUMNS = [
    "prior_trip_count", "prior_overstay_count", "prior_overstay_days",
    "days_since_last_overstay", "on_time_exit_share", "prior_decision_count",
    "prior_refusal_count", "days_since_last_refusal",
]  # fmt: skip

TRIPS = [
    trip("T1", "P1", date(2023, 1, 1), date(2023, 1, 30), date(2023, 2, 4)),  # 5 days over
    trip("T2", "P1", date(2023, 3, 1), date(2023, 3, 30), date(2023, 3, 20)),  # on time
    trip("T3", "P1", date(2024, 5, 1), date(2024, 5, 20), None),  # still in, over since 20 May
    trip("T4", "P1", date(2024, 5, 25), date(2024, 6, 20), None),  # still within its stay
    trip("T5", "P1", date(2024, 7, 1), date(2024, 7, 30), date(2024, 9, 1)),  # the future
    trip("T6", "P1", date(2024, 4, 1), date(2024, 4, 10), date(2024, 6, 5)),  # exits later
    trip("T7", "P2", date(2023, 1, 1), date(2023, 1, 2), date(2023, 12, 31)),  # someone else
]
DECISIONS = [
    decision("X1", "P1", date(2023, 5, 1), "refused"),
    decision("X2", "P1", date(2024, 6, 1), "refused"),  # decided on the day: not yet known
    decision("X3", "P1", date(2022, 1, 1), "granted"),
    decision("X4", "P2", date(2023, 1, 1), "refused"),
]


def _history(apps):
    world = tables(apps, trips=TRIPS, decisions=DECISIONS)
    return build_family("travel_history", world).collect()


def test_exact_values_at_three_moments():
    apps = [
        app("A1", submitted_at=datetime(2024, 6, 1, 10)),
        app("A2", submitted_at=datetime(2023, 3, 25, 9)),
        app("A3", submitted_at=datetime(2023, 2, 4, 16)),  # the day T1 exits: not yet exited
        app("A4", applicant_id="P9", submitted_at=datetime(2024, 6, 1, 10)),  # no history
    ]
    got = _history(apps)
    assert got.columns == _COLUMNS
    assert got.rows() == [
        # T1, T2 closed; T3 (12 days) and T6 (52 days) ongoing overstays; X1 refused.
        (4, 3, 5 + 12 + 52, 0, 0.25, 2, 1, 397),
        # T1 (5 days over, exited 49 days before) and T2 on time; only X3 decided.
        (2, 1, 5, 49, 0.5, 1, 0, None),
        # T1 not exited before the day, so an ongoing overstay of 5 days.
        (1, 1, 5, 0, 0.0, 1, 0, None),
        (0, 0, 0, None, None, 0, 0, None),
    ]
    assert dict(got.schema)["prior_overstay_days"] == pl.Int32


_DAY0 = date(2024, 1, 1)


@st.composite
def _trips(draw, applicant, first, last):
    entry = draw(st.integers(first, last))
    stay = draw(st.integers(0, 40))
    exit_ = draw(st.one_of(st.none(), st.integers(entry, entry + 80)))
    return (applicant, entry, entry + stay, exit_)


def _trip_rows(raw, prefix):
    d = lambda n: _DAY0 + timedelta(days=n)  # noqa: E731
    return [trip(f"{prefix}{i}", a, d(e), d(u), None if x is None else d(x))
            for i, (a, e, u, x) in enumerate(raw)]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    past=st.lists(_trips("P1", -300, 99), max_size=8),
    future=st.lists(_trips("P1", 100, 300), min_size=1, max_size=5),
    refusals=st.lists(st.tuples(st.integers(-300, 300), st.booleans()), max_size=6),
)
def test_later_events_never_change_a_feature(past, future, refusals):
    submitted = datetime.combine(_DAY0 + timedelta(days=100), datetime.min.time())
    apps = [app("A1", submitted_at=submitted.replace(hour=11))]
    decisions = [
        decision(f"X{i}", "P1", _DAY0 + timedelta(days=n), "refused" if r else "granted")
        for i, (n, r) in enumerate(refusals)
    ]
    known = [x for x in decisions if x["decided_at"] < submitted.date()]
    base = build_family(
        "travel_history", tables(apps, trips=_trip_rows(past, "T"), decisions=known)
    ).collect()
    with_future = build_family(
        "travel_history",
        tables(apps, trips=_trip_rows(past, "T") + _trip_rows(future, "F"), decisions=decisions),
    ).collect()
    assert base.equals(with_future)
    # Moving every exit that happened on or after the day to "not yet exited" changes nothing.
    unexited = [(a, e, u, None if x is not None and x >= 100 else x) for a, e, u, x in past]
    blind = build_family(
        "travel_history", tables(apps, trips=_trip_rows(unexited, "T"), decisions=known)
    ).collect()
    assert base.equals(blind)


def _reference(world) -> list[tuple]:
    """The documented rules, applied row by row in plain Python."""
    trips = world.travel_history.collect().rows(named=True)
    decisions = world.prior_decisions.collect().rows(named=True)
    out = []
    for a in world.applications.collect().rows(named=True):
        t = a["submitted_at"].date()
        mine = [r for r in trips if r["applicant_id"] == a["applicant_id"]]
        closed = [r for r in mine if r["exit_date"] is not None and r["exit_date"] < t]
        open_ = [r for r in mine if r["authorised_until"] < t and r not in closed]
        late = [r for r in closed if r["exit_date"] > r["authorised_until"]]
        days = sum((r["exit_date"] - r["authorised_until"]).days for r in late)
        days += sum((t - r["authorised_until"]).days for r in open_)
        since = (t - max(r["exit_date"] for r in late)).days if late else None
        since = 0 if open_ else since
        known = len(closed) + len(open_)
        share = (len(closed) - len(late)) / known if known else None
        seen = [d for d in decisions if d["applicant_id"] == a["applicant_id"]]
        seen = [d for d in seen if d["decided_at"] < t]
        refused = [d["decided_at"] for d in seen if d["outcome"] == "refused"]
        last = (t - max(refused)).days if refused else None
        overstays = len(late) + len(open_)
        out.append((known, overstays, days, since, share, len(seen), len(refused), last))
    return out


def test_random_world_matches_a_row_by_row_reference():
    world = random_world(200, seed=3)
    got = build_family("travel_history", world).collect()
    assert got.rows() == _reference(world)


_DAYS = st.dates(date(2019, 1, 1), date(2025, 12, 31))


@settings(max_examples=40, deadline=None)
@given(
    trips=st.lists(
        st.tuples(st.sampled_from(["P1", "P2"]), _DAYS, st.one_of(st.none(), _DAYS)), max_size=8
    ),
    decided=st.lists(
        st.tuples(st.sampled_from(["P1", "P2"]), _DAYS, st.sampled_from(DECISION_OUTCOMES)),
        max_size=6,
    ),
    submitted=st.datetimes(datetime(2019, 1, 1), datetime(2026, 1, 1)),
)
def test_request_time_row_equals_the_batch_family(trips, decided, submitted):
    # The request-time facts read the raw rows; same values as the cumulative look-ups,
    # events on the submission day itself and ongoing overstays included.
    from features import WINDOW_COUNTS, Lookups, feature_row

    trip_rows = [trip(f"T{i}", who, au - timedelta(days=3), au, exit_)
                 for i, (who, au, exit_) in enumerate(trips)]  # fmt: skip
    decision_rows = [decision(f"X{i}", who, at, outcome)
                     for i, (who, at, outcome) in enumerate(decided)]  # fmt: skip
    application = app("A1", applicant_id="P1", submitted_at=submitted)
    world = tables([application], trips=trip_rows, decisions=decision_rows)
    expected = build_family("travel_history", world).collect().row(0, named=True)
    counts = dict.fromkeys(WINDOW_COUNTS)
    lookups = Lookups(trips=trip_rows, decisions=decision_rows, sponsor=None, counts=counts)
    row = feature_row(application, [], lookups)
    assert {name: row[name] for name in expected} == expected
