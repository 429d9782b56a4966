"""Every family computes the right values on hand-computed cases, in batch and at request time.

The other feature tests prove batch and request time agree; these prove what they agree
on.  Each expected value below is worked out by hand from the rows in ``_world``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pytest
from feature_world import app, decision, doc, sponsor, tables, trip

from features import GROUPS, build_features, catalogue, feature_row, lookups_from_tables

AT = datetime(2024, 6, 1, 10, 0)  # every application's moment unless stated


def _world():
    apps = [
        app("A1", applicant_id="P1", visa_type="work", intended_stay_days=730,
            declared_funds_usd=7300.0, sponsor_id="S1", agent_id="G1", phone_hash="h1",
            email_hash="e1", employment_tenure_months=24),
        # Earlier, in A1's 90-day window: shares A1's phone, agent and sponsor.
        app("A2", applicant_id="P2", submitted_at=datetime(2024, 5, 20), sponsor_id="S1",
            agent_id="G1", phone_hash="h1"),
        # Outside the window (more than 90 days before A1): counts for nobody.
        app("A3", applicant_id="P3", submitted_at=datetime(2024, 2, 1), agent_id="G1",
            phone_hash="h1"),
        # No stay, no funds, nothing declared: the edge values.
        app("A4", applicant_id="P4", intended_stay_days=0, declared_funds_usd=0.0,
            employment_tenure_months=None),
    ]  # fmt: skip
    docs = [
        doc("A1"),  # a genuine TD3 passport: issued 2020-01-02, expires 2030-01-01
        doc("A2", issuing_state="FRA"),
        doc("A3", issuing_state="ITA"),
    ]
    trips = [
        trip("T1", "P1", date(2023, 1, 1), date(2023, 1, 31), date(2023, 2, 10)),  # 10 days over
        trip("T2", "P1", date(2024, 4, 1), date(2024, 5, 1), None),  # ongoing since 2024-05-01
        trip("T3", "P1", date(2023, 6, 1), date(2023, 6, 30), date(2023, 6, 20)),  # on time
        trip("T4", "P1", date(2024, 6, 1), date(2024, 6, 30), date(2024, 6, 5)),  # later: unseen
    ]
    decisions = [
        decision("X1", "P1", date(2023, 3, 1), "refused"),
        decision("X2", "P1", date(2023, 9, 1), "granted"),
        decision("X3", "P1", date(2024, 6, 1), "refused"),  # the same day: not yet known
    ]
    sponsors = [sponsor("S1")]  # employer, registered 2024-01-01, 2 overstays in 40, good
    return tables(apps, docs, trips, decisions, sponsors)


A1 = {
    # applicant: 730 / 365 (the work visa's usual stay)
    "visa_type": "work", "purpose": "tourism", "intended_stay_days": 730,
    "stay_vs_norm_ratio": 2.0, "employment_tenure_months": 24, "has_agent": True,
    "has_sponsor": True,
    # travel history: closed T1 and T3, open T2 -> 3 trips; overstays T1 and T2;
    # 10 days (T1) + 31 days (T2, 2024-05-01 to 2024-06-01); one open -> 0 days since;
    # on time: T3 of 3; decisions X1, X2 (X3 is on the day); last refusal 2023-03-01.
    "prior_trip_count": 3, "prior_overstay_count": 2, "prior_overstay_days": 41,
    "days_since_last_overstay": 0, "on_time_exit_share": 1 / 3, "prior_decision_count": 2,
    "prior_refusal_count": 1, "days_since_last_refusal": 458,
    # documents: every check passes (the empty personal number has no check digit: null),
    # nothing mismatches; issued 1612 days before;
    # 2030-01-01 is 2040 days after 2024-06-01, minus the 730-day stay.
    "document_type": "passport", "mrz_format": "TD3", "mrz_format_ok": True,
    "mrz_number_check_ok": True, "mrz_birth_check_ok": True, "mrz_expiry_check_ok": True,
    "mrz_optional_check_ok": None, "mrz_composite_check_ok": True,
    "mrz_name_mismatch": False, "mrz_number_mismatch": False,
    "mrz_birth_date_mismatch": False, "mrz_expiry_mismatch": False, "mrz_sex_mismatch": False,
    "passport_validity_after_stay_days": 1310, "passport_age_days": 1612,
    "chip_auth_result": "passed", "face_match_score": 0.9, "image_quality_score": 0.8,
    "tamper_score": 0.05,
    # sponsor: 152 days from 2024-01-01; 2 / 40; A2 names S1 within the window.
    "sponsor_type": "employer", "sponsor_age_days": 152, "sponsor_overstay_rate": 0.05,
    "sponsor_compliance": "good", "sponsor_recent_applications": 1,
    # financial: 7300 / 730
    "declared_funds_usd": 7300.0, "funds_per_day_usd": 10.0,
    # network: A2 shares phone and agent (A3 is too early); A2's passport is French.
    "phone_shared_count": 1, "email_shared_count": 0, "address_shared_count": None,
    "bank_account_shared_count": None, "agent_application_count": 1,
    "agent_issuing_states": 1,
}  # fmt: skip

_NO_DOCUMENT = dict.fromkeys(catalogue().groups["documents"])
A4 = {
    # applicant: 0 / 30 (visit); no agent, no sponsor, no tenure declared
    "visa_type": "visit", "purpose": "tourism", "intended_stay_days": 0,
    "stay_vs_norm_ratio": 0.0, "employment_tenure_months": None, "has_agent": False,
    "has_sponsor": False,
    # travel history: nothing on record
    "prior_trip_count": 0, "prior_overstay_count": 0, "prior_overstay_days": 0,
    "days_since_last_overstay": None, "on_time_exit_share": None, "prior_decision_count": 0,
    "prior_refusal_count": 0, "days_since_last_refusal": None,
    **_NO_DOCUMENT,
    "sponsor_type": None, "sponsor_age_days": None, "sponsor_overstay_rate": None,
    "sponsor_compliance": None, "sponsor_recent_applications": None,
    # financial: 0 / 0 divides as polars does
    "declared_funds_usd": 0.0, "funds_per_day_usd": math.nan,
    "phone_shared_count": None, "email_shared_count": None, "address_shared_count": None,
    "bank_account_shared_count": None, "agent_application_count": None,
    "agent_issuing_states": None,
}  # fmt: skip


def _equal(got: Any, expected: Any) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(expected, float):
        return isinstance(got, float) and got == pytest.approx(expected, rel=1e-15)
    return type(got) is type(expected) and got == expected


def _rows() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    world = _world()
    batch = {r["application_id"]: r for r in build_features(world).collect().iter_rows(named=True)}
    docs = world.documents.collect().rows(named=True)
    out = {}
    for application in world.applications.collect().iter_rows(named=True):
        lookups = lookups_from_tables(application, world)
        own = [d for d in docs if d["application_id"] == application["application_id"]]
        out[application["application_id"]] = (batch[application["application_id"]],
                                              feature_row(application, own, lookups))  # fmt: skip
    return out


ROWS = _rows()


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize(("application_id", "expected"), [("A1", A1), ("A4", A4)])
def test_family_values_by_hand(group, application_id, expected):
    names = catalogue().groups[group]
    for label, row in zip(("batch", "request time"), ROWS[application_id], strict=True):
        wrong = {n: (row[n], expected[n]) for n in names if not _equal(row[n], expected[n])}
        assert wrong == {}, f"{application_id} {group} ({label}): got, expected"


def test_the_expected_rows_cover_the_whole_catalogue():
    assert set(A1) == set(A4) == set(catalogue().names)


def test_a_name_differing_from_the_page_is_a_mismatch_only_there():
    world = tables([app("A1")], [doc("A1", printed_surname="Mueller")])
    row = build_features(world).collect().row(0, named=True)
    assert row["mrz_name_mismatch"] is True
    assert (row["mrz_number_mismatch"], row["mrz_sex_mismatch"]) == (False, False)
