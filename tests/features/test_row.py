"""The request-time row: feature_row equals the batch row exactly; look-ups count as documented."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from feature_world import app, decision, doc, random_world, sponsor, tables, trip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features import (
    ID_COLUMNS,
    WINDOW_COUNTS,
    Lookups,
    build_features,
    catalogue,
    feature_row,
    lookups_from_tables,
)
from risk.contract import DECISION_OUTCOMES, VISA_TYPES
from risk.errors import FeatureError
from risk.mrz import compose_mrva, compose_td1
from risk.settings import get_settings


def _same(got: Any, expected: Any) -> bool:
    """Equal values of the same Python type; NaN equals NaN, floats compare bit for bit."""
    if type(got) is not type(expected):
        return False
    if isinstance(expected, float):
        return math.isnan(got) if math.isnan(expected) else got.hex() == expected.hex()
    return got == expected


def _assert_rows_equal(got: dict[str, Any], expected: dict[str, Any]) -> None:
    application_id = expected["application_id"]
    assert list(got) == list(expected), f"{application_id}: columns differ"
    for name, value in expected.items():
        assert _same(got[name], value), (
            f"feature {name!r} of application {application_id}:"
            f" feature_row gave {got[name]!r}, batch {value!r}"
        )


def _documents_by_application(world) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in world.documents.collect().iter_rows(named=True):
        out.setdefault(row["application_id"], []).append(row)
    return out


def _assert_world_rows_equal(world) -> int:
    """feature_row (from lookups_from_tables) == batch, for every application of ``world``."""
    batch = build_features(world).collect()
    docs = _documents_by_application(world)
    apps = world.applications.collect().iter_rows(named=True)
    for application, expected in zip(apps, batch.iter_rows(named=True), strict=True):
        lookups = lookups_from_tables(application, world)
        got = feature_row(application, docs.get(application["application_id"], []), lookups)
        _assert_rows_equal(got, expected)
    return batch.height


@pytest.mark.parametrize("seed", [1, 2])
def test_feature_row_equals_the_batch_row_for_every_application(seed):
    assert _assert_world_rows_equal(random_world(300, seed=seed)) == 300


def test_feature_row_columns_are_the_ids_then_the_catalogue():
    world = random_world(20, seed=4)
    application = world.applications.collect().row(0, named=True)
    got = feature_row(application, [], lookups_from_tables(application, world))
    assert list(got) == [*ID_COLUMNS, *catalogue().names]


# --- Hypothesis: edge cases on a tiny world -------------------------------------------------

_AT = datetime(2024, 6, 1, 10, 0)
_WINDOW = timedelta(days=get_settings().features.network_window_days)
# Moments around the window's edges: its first instant counts, the application's own does not.
_OFFSETS = [timedelta(0), -_WINDOW, -_WINDOW - timedelta(microseconds=1),
            -_WINDOW + timedelta(microseconds=1), timedelta(days=-1), timedelta(days=-400),
            timedelta(days=1)]  # fmt: skip
_L1, _L2 = doc("x")["mrz_line1"], doc("x")["mrz_line2"]
_TD1 = dict(zip(("mrz_line1", "mrz_line2", "mrz_line3"), compose_td1(
    None, "DEU", "Müller", "Anna Maria", "T22000129", "DEU", date(1985, 3, 2), "F",
    date(2030, 1, 1)), strict=True))  # fmt: skip
_MRVA = compose_mrva(None, "FRA", "Dupont", "Zoé", "V12345678", "FRA", date(1990, 7, 1), "M",
                     date(2026, 1, 1))  # fmt: skip
#: Document variants: genuine, no passport, bad zones, odd printed pages.
_VARIANTS: dict[str, dict[str, Any]] = {
    "passport": {},
    "visa": {"document_type": "visa", "mrz_format": "MRVA", "mrz_line1": _MRVA[0],
             "mrz_line2": _MRVA[1], "issuing_state": "FRA"},
    "national_id": {"document_type": "national_id", "mrz_format": "TD1", **_TD1},
    "short_line": {"mrz_line2": _L2[:40]},
    "lower_case": {"mrz_line1": _L1.lower()},
    "wrong_format": {"mrz_format": "TD2"},
    "td1_lines_as_td3": {"mrz_format": "TD3", **_TD1},
    "impossible_birth": {"mrz_line2": _L2[:13] + "851399" + _L2[19:]},
    "altered_number": {"mrz_line2": _L2[:3] + "9" + _L2[4:]},
    "no_given_names": {"printed_given_names": "", "mrz_line1": _L1[:12] + "<" * 32},
    "printed_differs": {"printed_sex": "M", "printed_document_number": "c01-x00 t48",
                        "printed_birth_date": date(1985, 3, 3), "printed_surname": "Mueller",
                        "printed_given_names": "Anna"},
    "no_scores": {"face_match_score": None, "image_quality_score": None, "tamper_score": None,
                  "chip_auth_result": "failed"},
    "expired": {"expiry_date": date(2024, 6, 10), "issue_date": date(2024, 6, 1)},
}  # fmt: skip

_applications = st.lists(
    st.fixed_dictionaries(
        {
            "offset": st.sampled_from(_OFFSETS),
            "applicant_id": st.sampled_from(["P1", "P2"]),
            "visa_type": st.sampled_from(VISA_TYPES),
            "intended_stay_days": st.sampled_from([0, 1, 30, 365, 4000]),
            "declared_funds_usd": st.one_of(
                st.sampled_from([0.0, 0.1, 3000.0]), st.floats(0, 1e7, allow_nan=False)
            ),
            "employment_tenure_months": st.one_of(st.none(), st.integers(0, 300)),
            "sponsor_id": st.sampled_from([None, "S1", "S2", "S9"]),
            "agent_id": st.sampled_from([None, "G1", "G2"]),
            "phone_hash": st.sampled_from([None, "a" * 16, "b" * 16]),
            "email_hash": st.sampled_from([None, "c" * 16]),
            "address_hash": st.sampled_from([None, "d" * 16, "e" * 16]),
            "bank_account_hash": st.sampled_from([None, "f" * 16]),
            "documents": st.lists(
                st.tuples(
                    st.sampled_from(sorted(_VARIANTS)), st.sampled_from(["DEU", "FRA", "NLD"])
                ),
                max_size=3,
            ),
        }
    ),
    min_size=1,
    max_size=5,
)
_day = st.dates(date(2023, 1, 1), date(2024, 8, 1))
_trips = st.lists(
    st.tuples(st.sampled_from(["P1", "P2"]), _day, st.integers(0, 60), st.none() | _day),
    max_size=6,
)
_decisions = st.lists(
    st.tuples(st.sampled_from(["P1", "P2"]), _day, st.sampled_from(DECISION_OUTCOMES)),
    max_size=4,
)


def _tiny_world(applications, trips, decisions):
    apps, docs = [], []
    for i, a in enumerate(applications):
        fields = {k: v for k, v in a.items() if k not in ("offset", "documents")}
        apps.append(app(f"A{i}", submitted_at=_AT + a["offset"] + timedelta(minutes=i), **fields))
        for j, (variant, state) in enumerate(a["documents"]):
            over = {"issuing_state": state, **_VARIANTS[variant]}
            docs.append(doc(f"A{i}", f"D{i}-{j}", **over))
    trip_rows = [trip(f"T{i}", who, au - timedelta(days=stay), au, exit_)
                 for i, (who, au, stay, exit_) in enumerate(trips)]  # fmt: skip
    decision_rows = [decision(f"X{i}", who, at, outcome)
                     for i, (who, at, outcome) in enumerate(decisions)]  # fmt: skip
    register = [
        sponsor("S1", invitations_issued=0),
        sponsor("S2", past_sponsored_overstays=3, compliance_record="warning"),
    ]
    return tables(apps, docs, trip_rows, decision_rows, register)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applications=_applications, trips=_trips, decisions=_decisions)
def test_feature_row_equals_the_batch_row_on_edge_cases(applications, trips, decisions):
    _assert_world_rows_equal(_tiny_world(applications, trips, decisions))


def test_zero_day_stays_divide_as_polars_does():
    world = tables([app("A1", intended_stay_days=0, declared_funds_usd=10.0),
                    app("A2", intended_stay_days=0, declared_funds_usd=0.0)])  # fmt: skip
    _assert_world_rows_equal(world)
    first = world.applications.collect().row(0, named=True)
    got = feature_row(first, [], lookups_from_tables(first, world))
    assert got["funds_per_day_usd"] == math.inf
    assert got["stay_vs_norm_ratio"] == 0.0


# --- Look-ups ------------------------------------------------------------------------------

_KEYS = {"phone_shared_count": "phone_hash", "email_shared_count": "email_hash",
         "address_shared_count": "address_hash", "bank_account_shared_count": "bank_account_hash",
         "agent_application_count": "agent_id", "sponsor_applications": "sponsor_id"}  # fmt: skip


def _brute_force_counts(application, apps, docs) -> dict[str, int | None]:
    """The documented rules, one application at a time, over every row."""
    at = application["submitted_at"]
    window = [a for a in apps if at - _WINDOW <= a["submitted_at"] < at]
    out: dict[str, int | None] = {}
    for name, key in _KEYS.items():
        value = application[key]
        out[name] = None if value is None else sum(a[key] == value for a in window)
    agent = application["agent_id"]
    states = set()
    for a in window:
        if agent is None or a["agent_id"] != agent:
            continue
        mine = [d for d in docs if d["application_id"] == a["application_id"]]
        passports = sorted((d for d in mine if d["document_type"] == "passport"),
                           key=lambda d: d["document_id"])  # fmt: skip
        chosen = passports or sorted(mine, key=lambda d: d["document_id"])
        if chosen and chosen[0]["issuing_state"] is not None:
            states.add(chosen[0]["issuing_state"])
    out["agent_issuing_states"] = None if agent is None else len(states)
    return out


def test_lookups_count_as_a_brute_force_count():
    world = random_world(300, seed=2)
    apps = world.applications.collect().rows(named=True)
    docs = world.documents.collect().rows(named=True)
    trips = world.travel_history.collect().rows(named=True)
    nonzero = dict.fromkeys(WINDOW_COUNTS, 0)
    for application in apps:
        lookups = lookups_from_tables(application, world)
        expected = _brute_force_counts(application, apps, docs)
        assert set(lookups.counts) == set(WINDOW_COUNTS)
        for name in WINDOW_COUNTS:
            got = lookups.counts[name]
            assert got == expected[name] and type(got) is type(expected[name]), (
                f"{name} of {application['application_id']}: {got!r} != {expected[name]!r}"
            )
            nonzero[name] += bool(got)
        who = application["applicant_id"]
        assert sorted(t["trip_id"] for t in lookups.trips) == sorted(
            t["trip_id"] for t in trips if t["applicant_id"] == who
        )
        assert all(d["applicant_id"] == who for d in lookups.decisions)
        sponsor_id = application["sponsor_id"]
        assert (lookups.sponsor or {}).get("sponsor_id") == sponsor_id
    assert all(nonzero.values()), nonzero  # the world exercises every count


def test_lookups_window_includes_its_first_instant_and_excludes_the_moment():
    at = datetime(2024, 6, 1, 10, 0)
    moments = [at - _WINDOW - timedelta(microseconds=1), at - _WINDOW, at - timedelta(seconds=1),
               at, at + timedelta(days=1)]  # fmt: skip
    others = [app(f"B{i}", submitted_at=m, phone_hash="a" * 16, agent_id="G1", sponsor_id="S1")
              for i, m in enumerate(moments)]  # fmt: skip
    target = app("A1", submitted_at=at, phone_hash="a" * 16, agent_id="G1", sponsor_id="S1")
    docs = [doc("B1", issuing_state="FRA"), doc("B2", "D0", document_type="visa",
                                                issuing_state="NLD"),
            doc("B2", "D9", issuing_state="DEU"), doc("B3", issuing_state="ITA")]  # fmt: skip
    world = tables([*others, target], docs, sponsors=[sponsor("S1")])
    lookups = lookups_from_tables(target, world)
    assert lookups.counts == {
        "phone_shared_count": 2, "email_shared_count": None, "address_shared_count": None,
        "bank_account_shared_count": None, "agent_application_count": 2,
        "agent_issuing_states": 2, "sponsor_applications": 2,
    }  # fmt: skip
    assert lookups.sponsor == sponsor("S1")
    assert (lookups.trips, lookups.decisions) == ([], [])


def test_documents_of_other_applications_are_ignored():
    world = tables([app("A1")], [doc("A1", issue_date=date(2020, 1, 2))])
    application = world.applications.collect().row(0, named=True)
    lookups = lookups_from_tables(application, world)
    own = world.documents.collect().rows(named=True)
    stray = doc("A2", "D0", issue_date=date(2024, 1, 1))
    assert feature_row(application, [stray, *own], lookups) == feature_row(
        application, own, lookups
    )
    assert feature_row(application, [stray], lookups)["document_type"] is None


def test_a_value_outside_its_categories_is_refused():
    application = app("A1", visa_type="tourist")
    empty = Lookups(trips=[], decisions=[], sponsor=None, counts=dict.fromkeys(WINDOW_COUNTS))
    with pytest.raises(FeatureError, match="feature 'visa_type': value 'tourist' is not one of"):
        feature_row(application, [], empty)
    with pytest.raises(pl.exceptions.InvalidOperationError):  # the batch cast refuses it too
        build_features(tables([application])).collect()


def test_build_features_for_keeps_the_catalogue_dtypes():
    from features import build_features_for

    world = random_world(30, seed=6)
    apps = world.applications.collect()
    got = build_features_for(apps.head(3), world.documents.collect(), world)
    assert got.schema == pl.Schema(
        {**{c: apps.schema[c] for c in ID_COLUMNS}, **{s.name: s.dtype for s in catalogue().specs}}
    )
