"""A tiny valid world, built by hand, for the I/O and validation tests (see conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from risk.contract import TABLES
from risk.io import write_table
from risk.mrz import compose_mrva, compose_mrvb, compose_td1, compose_td2, compose_td3

H = "0123456789abcdef"  # a 16-hex-digit hash


def _application(i: int, sponsor: str | None, **over) -> dict:
    row = {
        "application_id": f"A{i}", "applicant_id": f"P{i}",
        "submitted_at": datetime(2024, 3, i, 9, 30), "visa_type": "visit",
        "purpose": "tourism", "intended_stay_days": 30, "declared_funds_usd": 5000.0,
        "sponsor_id": sponsor, "agent_id": None, "place_of_application": "evisa",
        "residence_country": "MYS", "residence_city": "Kuala Lumpur", "occupation": "teacher",
        "employment_tenure_months": 24, "phone_hash": H, "email_hash": H, "address_hash": None,
        "bank_account_hash": None, "nationality": "MYS", "sex": "F",
        "birth_date": date(1985, 5, 17), "marital_status": "single",
    }  # fmt: skip
    return row | over


APPLICATIONS = [
    _application(1, "S1"),
    _application(2, None, visa_type="work", purpose="employment", sex="M"),
    _application(3, "S2", sex="X", nationality="AUS"),
    _application(4, "S1", visa_type="study", purpose="study"),
    _application(5, None, marital_status="married"),
]

_COMPOSE = {"TD3": compose_td3, "TD1": compose_td1, "TD2": compose_td2, "MRVA": compose_mrva,
            "MRVB": compose_mrvb}  # fmt: skip


def _document(i: int, fmt: str, doc_type: str) -> dict:
    birth, issue, expiry = date(1985, 5, 17), date(2020, 1, 10), date(2030, 1, 9)
    lines = _COMPOSE[fmt](None, "MYS", "Abdullah", "Siti Aminah", f"K{i}000000", "MYS", birth,
                          "F", expiry)  # fmt: skip
    return {
        "document_id": f"D{i}", "application_id": f"A{i}", "document_type": doc_type,
        "mrz_format": fmt, "mrz_line1": lines[0], "mrz_line2": lines[1],
        "mrz_line3": lines[2] if len(lines) == 3 else None, "printed_surname": "ABDULLAH",
        "printed_given_names": "SITI AMINAH", "printed_document_number": f"K{i}000000",
        "printed_nationality": "MYS", "printed_birth_date": birth, "printed_sex": "F",
        "issue_date": issue, "expiry_date": expiry, "issuing_state": "MYS",
        "document_language": "ms", "chip_auth_result": "passed", "face_match_score": 0.93,
        "image_quality_score": 0.88, "tamper_score": 0.02,
    }  # fmt: skip


DOCUMENTS = [
    _document(1, "TD3", "passport"),
    _document(2, "TD1", "national_id"),
    _document(3, "TD2", "residence_permit"),
    _document(4, "MRVA", "visa"),
    _document(5, "MRVB", "visa"),
]
TRAVEL_HISTORY = [
    {"trip_id": "T1", "applicant_id": "P1", "entry_date": date(2022, 1, 5),
     "authorised_until": date(2022, 2, 3), "exit_date": date(2022, 1, 20), "visa_type": "visit",
     "port_of_entry": "CGK"},
    {"trip_id": "T2", "applicant_id": "P1", "entry_date": date(2023, 6, 1),
     "authorised_until": date(2023, 6, 30), "exit_date": date(2023, 7, 15), "visa_type": "visit",
     "port_of_entry": "DPS"},
    {"trip_id": "T3", "applicant_id": "P3", "entry_date": date(2024, 1, 1),
     "authorised_until": date(2024, 12, 31), "exit_date": None, "visa_type": "work",
     "port_of_entry": "KNO"},
]  # fmt: skip
PRIOR_DECISIONS = [
    {"decision_id": "R1", "applicant_id": "P1", "applied_at": date(2021, 12, 1),
     "decided_at": date(2021, 12, 10), "visa_type": "visit", "outcome": "granted", "reason": None},
    {"decision_id": "R2", "applicant_id": "P2", "applied_at": date(2022, 3, 1),
     "decided_at": date(2022, 3, 1), "visa_type": "work", "outcome": "refused",
     "reason": "insufficient_funds"},
]  # fmt: skip
SPONSORS = [
    {"sponsor_id": "S1", "sponsor_type": "university", "registered_at": date(2010, 1, 1),
     "invitations_issued": 120, "past_sponsored_overstays": 2, "compliance_record": "good",
     "as_of": date(2024, 1, 1)},
    {"sponsor_id": "S2", "sponsor_type": "employer", "registered_at": date(2018, 7, 1),
     "invitations_issued": 0, "past_sponsored_overstays": 0, "compliance_record": "warning",
     "as_of": date(2024, 1, 1)},
]  # fmt: skip
OUTCOMES = [
    {"application_id": "A1", "investigated": True, "investigation_trigger": "random",
     "violation_confirmed": True, "violation_types": "overstay;document_fraud",
     "known_at": datetime(2024, 9, 1, 12, 0)},
    {"application_id": "A2", "investigated": True, "investigation_trigger": "checklist",
     "violation_confirmed": False, "violation_types": None,
     "known_at": datetime(2024, 8, 1, 8, 15, 30, 250)},
    {"application_id": "A3", "investigated": True, "investigation_trigger": "referral",
     "violation_confirmed": None, "violation_types": None, "known_at": None},
    {"application_id": "A4", "investigated": False, "investigation_trigger": None,
     "violation_confirmed": None, "violation_types": None, "known_at": None},
]  # fmt: skip
ROWS = {
    "applications": APPLICATIONS, "documents": DOCUMENTS, "travel_history": TRAVEL_HISTORY,
    "prior_decisions": PRIOR_DECISIONS, "sponsors": SPONSORS, "outcomes": OUTCOMES,
}  # fmt: skip


def build_world() -> dict[str, pl.DataFrame]:
    """The six tables of the tiny world, typed exactly as the contract declares."""
    return {name: pl.DataFrame(rows, schema=TABLES[name].schema) for name, rows in ROWS.items()}


def write_world(world: dict[str, pl.DataFrame], directory: Path, suffix: str) -> Path:
    """Write every table of ``world`` as ``NAME{suffix}`` under ``directory``."""
    for name, df in world.items():
        write_table(df, directory / f"{name}{suffix}")
    return directory


def set_csv_cell(path: Path, row: int, column: str, text: str | None) -> None:
    """Replace the text of one CSV cell (``row`` is the 1-based data row)."""
    raw = pl.read_csv(path, infer_schema=False)
    at = pl.int_range(pl.len()) == row - 1
    raw = raw.with_columns(pl.when(at).then(pl.lit(text)).otherwise(pl.col(column)).alias(column))
    raw.write_csv(path)
