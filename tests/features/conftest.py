"""Hand-built worlds for the feature tests: small frames that follow the contract exactly."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

from risk.contract import TABLES
from risk.mrz import compose_td3

_APP_DEFAULTS: dict[str, Any] = {
    "applicant_id": "P1",
    "submitted_at": datetime(2024, 6, 1, 10, 0),
    "visa_type": "visit",
    "purpose": "tourism",
    "intended_stay_days": 30,
    "declared_funds_usd": 3000.0,
    "sponsor_id": None,
    "agent_id": None,
    "place_of_application": "JKT-EMB",
    "residence_country": "AUS",
    "residence_city": "Perth",
    "occupation": "teacher",
    "employment_tenure_months": 24,
    "phone_hash": None,
    "email_hash": None,
    "address_hash": None,
    "bank_account_hash": None,
    "nationality": "AUS",
    "sex": "F",
    "birth_date": date(1985, 3, 2),
    "marital_status": "single",
}


def app(application_id: str, **over: Any) -> dict[str, Any]:
    """One applications row with sensible defaults."""
    return {"application_id": application_id, **_APP_DEFAULTS, **over}


def doc(application_id: str, document_id: str | None = None, **over: Any) -> dict[str, Any]:
    """One genuine passport scan (TD3, correct check digits) for ``application_id``."""
    fields = {
        "surname": "Müller",
        "given_names": "Anna Maria",
        "number": "C01X00T47",
        "state": "DEU",
        "birth": date(1985, 3, 2),
        "sex": "F",
        "expiry": date(2030, 1, 1),
    }
    line1, line2 = compose_td3(None, fields["state"], fields["surname"], fields["given_names"],
                               fields["number"], fields["state"], fields["birth"], fields["sex"],
                               fields["expiry"])  # fmt: skip
    row = {
        "document_id": document_id or f"D-{application_id}",
        "application_id": application_id,
        "document_type": "passport",
        "mrz_format": "TD3",
        "mrz_line1": line1,
        "mrz_line2": line2,
        "mrz_line3": None,
        "printed_surname": fields["surname"],
        "printed_given_names": fields["given_names"],
        "printed_document_number": fields["number"],
        "printed_nationality": fields["state"],
        "printed_birth_date": fields["birth"],
        "printed_sex": fields["sex"],
        "issue_date": date(2020, 1, 2),
        "expiry_date": fields["expiry"],
        "issuing_state": fields["state"],
        "document_language": "de",
        "chip_auth_result": "passed",
        "face_match_score": 0.9,
        "image_quality_score": 0.8,
        "tamper_score": 0.05,
    }
    return {**row, **over}


def trip(trip_id: str, applicant_id: str, entry: date, until: date, exit_: date | None,
         **over: Any) -> dict[str, Any]:  # fmt: skip
    """One travel_history row."""
    return {"trip_id": trip_id, "applicant_id": applicant_id, "entry_date": entry,
            "authorised_until": until, "exit_date": exit_, "visa_type": "visit",
            "port_of_entry": "CGK", **over}  # fmt: skip


def decision(decision_id: str, applicant_id: str, decided: date, outcome: str) -> dict[str, Any]:
    """One prior_decisions row."""
    return {"decision_id": decision_id, "applicant_id": applicant_id,
            "applied_at": decided, "decided_at": decided, "visa_type": "visit",
            "outcome": outcome, "reason": "R1" if outcome == "refused" else None}  # fmt: skip


def sponsor(sponsor_id: str, **over: Any) -> dict[str, Any]:
    """One sponsors row."""
    return {"sponsor_id": sponsor_id, "sponsor_type": "employer",
            "registered_at": date(2024, 1, 1), "invitations_issued": 40,
            "past_sponsored_overstays": 2, "compliance_record": "good",
            "as_of": date(2024, 12, 31), **over}  # fmt: skip


def frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A DataFrame of ``rows`` with exactly the contract schema of ``table``."""
    schema = TABLES[table].schema
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else schema.to_frame()


def tables(apps=(), docs=(), trips=(), decisions=(), sponsors=(), outcomes=()) -> Any:
    """The six raw tables as LazyFrames, in the shape of ``risk.io.RawTables``."""
    rows = {
        "applications": apps,
        "documents": docs,
        "travel_history": trips,
        "prior_decisions": decisions,
        "sponsors": sponsors,
        "outcomes": outcomes,
    }
    return SimpleNamespace(**{t: frame(t, list(r)).lazy() for t, r in rows.items()})


@pytest.fixture
def world():
    """The builders above, for tests: ``world.app(...)``, ``world.tables(...)``..."""
    return SimpleNamespace(app=app, doc=doc, trip=trip, decision=decision, sponsor=sponsor,
                           frame=frame, tables=tables)  # fmt: skip
