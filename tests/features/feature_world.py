"""Hand-built worlds for the feature tests: small frames that follow the contract exactly.

Test modules import the builders (``from feature_world import app, doc, tables``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from risk.contract import DECISION_OUTCOMES, TABLES, VISA_TYPES
from risk.io import RawTables
from risk.mrz import compose_mrva, compose_td1, compose_td3

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


def tables(apps=(), docs=(), trips=(), decisions=(), sponsors=(), outcomes=()) -> RawTables:
    """The six raw tables as a :class:`risk.io.RawTables` of LazyFrames."""
    rows = {"applications": apps, "documents": docs, "travel_history": trips,
            "prior_decisions": decisions, "sponsors": sponsors, "outcomes": outcomes}  # fmt: skip
    return RawTables(**{t: frame(t, list(r)).lazy() for t, r in rows.items()})


def _td1_zone() -> dict[str, Any]:
    l1, l2, l3 = compose_td1(None, "DEU", "Müller", "Anna Maria", "T22000129", "DEU",
                             date(1985, 3, 2), "F", date(2030, 1, 1))  # fmt: skip
    return {"mrz_format": "TD1", "mrz_line1": l1, "mrz_line2": l2, "mrz_line3": l3}


def _mrva_zone() -> dict[str, Any]:
    l1, l2 = compose_mrva(None, "DEU", "Müller", "Anna Maria", "V12345678", "DEU",
                          date(1985, 3, 2), "F", date(2030, 1, 1))  # fmt: skip
    return {"mrz_format": "MRVA", "mrz_line1": l1, "mrz_line2": l2, "mrz_line3": None}


def random_world(n: int = 300, seed: int = 1) -> RawTables:
    """A small random world with repeat applicants, shared contacts, agents and sponsors."""
    import random

    rng = random.Random(seed)
    start = datetime(2023, 1, 1)
    pick = lambda pool, none=0.2: None if rng.random() < none else rng.choice(pool)  # noqa: E731
    hashes = [f"{i:016x}" for i in range(1, 40)]
    apps, docs, trips, decisions = [], [], [], []
    for i in range(n):
        submitted = start + timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1439))
        a = app(f"A{i:04d}", applicant_id=f"P{rng.randint(0, n // 2)}", submitted_at=submitted,
                visa_type=rng.choice(VISA_TYPES), intended_stay_days=rng.randint(1, 400),
                declared_funds_usd=float(rng.randint(0, 50_000)),
                sponsor_id=pick(["S1", "S2", "S3"], 0.5), agent_id=pick(["G1", "G2", "G3"], 0.4),
                employment_tenure_months=pick(range(0, 200)), phone_hash=pick(hashes),
                email_hash=pick(hashes), address_hash=pick(hashes),
                bank_account_hash=pick(hashes, 0.5), nationality=rng.choice(["AUS", "DEU", "IDN"]),
                sex=rng.choice(["F", "M", "X"]))  # fmt: skip
        apps.append(a)
        if rng.random() < 0.9:
            over = {
                "issuing_state": rng.choice(["DEU", "FRA", "NLD", "AUS"]),
                "issue_date": date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000)),
            }
            if rng.random() < 0.2:
                over["printed_sex"] = "M"
            roll = rng.random()
            if roll < 0.15:
                over.update(_td1_zone(), document_type="national_id")
            elif roll < 0.25:
                line2 = doc("x")["mrz_line2"]
                over["mrz_line2"] = line2[:3] + "9" + line2[4:]  # an altered number
            docs.append(doc(a["application_id"], **over))
            if rng.random() < 0.1:
                docs.append(doc(a["application_id"], f"V-{i}", document_type="visa",
                                **_mrva_zone()))  # fmt: skip
    for j in range(n):
        entry = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1400))
        until = entry + timedelta(days=rng.randint(0, 60))
        exit_ = pick([entry + timedelta(days=k) for k in range(0, 90)], 0.15)
        trips.append(trip(f"T{j}", f"P{rng.randint(0, n // 2)}", entry, until, exit_))
        decided = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1400))
        outcome = rng.choice(DECISION_OUTCOMES)
        decisions.append(decision(f"X{j}", f"P{rng.randint(0, n // 2)}", decided, outcome))
    spons = [sponsor("S1"), sponsor("S2", invitations_issued=0, compliance_record="warning"),
             sponsor("S3", registered_at=date(2024, 3, 1), sponsor_type="university")]  # fmt: skip
    return tables(apps, docs, trips, decisions, spons)
