"""The data contract: the six raw tables an immigration service holds.

Each table is declared once here (columns, polars types, keys, allowed values,
nullability, ranges, patterns).  The synthetic world writes exactly these
tables, ``risk validate`` checks files against them, and the feature pipelines
read them.  Columns marked ``protected`` hold protected attributes, kept for fairness
reports; they must never become features; which columns are protected is configurable
(``Settings.protected.columns``) and defaults to nationality, sex, birth
date and marital status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

__all__ = [
    "ALL_TABLES",
    "APPLICATIONS",
    "CHIP_RESULTS",
    "COMPLIANCE_RECORDS",
    "DECISION_OUTCOMES",
    "DOCUMENTS",
    "DOCUMENT_TYPES",
    "INVESTIGATION_TRIGGERS",
    "MARITAL_STATUSES",
    "MRZ_FORMATS",
    "OUTCOMES",
    "PRIOR_DECISIONS",
    "PURPOSES",
    "SEXES",
    "SPONSORS",
    "SPONSOR_TYPES",
    "TABLES",
    "TRAVEL_HISTORY",
    "TRUTH",
    "VIOLATION_TYPES",
    "VISA_TYPES",
    "Column",
    "ForeignKey",
    "Table",
    "protected_columns",
]

VISA_TYPES = ("visit", "business", "work", "study", "family", "retirement", "second_home")
PURPOSES = (
    "tourism",
    "family_visit",
    "business_meeting",
    "conference",
    "employment",
    "study",
    "research",
    "retirement",
    "investment",
    "medical",
)
SEXES = ("F", "M", "X")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed")
DOCUMENT_TYPES = ("passport", "national_id", "residence_permit", "visa")
MRZ_FORMATS = ("TD1", "TD2", "TD3", "MRVA", "MRVB")
#: MRZ line length and line count of each ICAO 9303 format.
MRZ_SHAPES = {"TD1": (30, 3), "TD2": (36, 2), "TD3": (44, 2), "MRVA": (44, 2), "MRVB": (36, 2)}
CHIP_RESULTS = ("passed", "failed", "not_present")
DECISION_OUTCOMES = ("granted", "refused", "withdrawn")
SPONSOR_TYPES = (
    "employer",
    "university",
    "family_member",
    "tour_operator",
    "retirement_agency",
    "individual",
)
COMPLIANCE_RECORDS = ("good", "warning", "sanctioned")
INVESTIGATION_TRIGGERS = ("checklist", "intelligence", "random", "referral")
VIOLATION_TYPES = ("overstay", "document_fraud", "misrepresentation")

_HASH = r"^[0-9a-f]{16,64}$"
_ISO3 = r"^[A-Z]{3}$"
_MRZ = r"^[A-Z0-9<]+$"
_DATE_MIN = "1900-01-01"
_DATE_MAX = "2100-12-31"


@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    Parameters
    ----------
    name, dtype
        Column name and polars type.
    description
        What the column holds, in plain words (shown to analysts and oversight).
    nullable
        Whether missing values are allowed.
    unique
        Whether values must be unique within the table.
    allowed
        The closed set of allowed values, if any.
    min, max
        Inclusive range for numbers and dates (dates as ISO strings).
    pattern
        A regular expression every non-null string must match in full.
    protected
        A protected attribute, kept for fairness reports only: never a feature, never
        in an API answer.
    """

    name: str
    dtype: Any
    description: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    min: Any = None
    max: Any = None
    pattern: str | None = None
    protected: bool = False


@dataclass(frozen=True)
class ForeignKey:
    """``column`` must exist in ``table.ref_column`` (nulls allowed if the column is nullable)."""

    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    """A raw table of the contract."""

    name: str
    key: tuple[str, ...]
    description: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """Column names in declared order."""
        return [c.name for c in self.columns]

    @property
    def schema(self) -> pl.Schema:
        """The polars schema of the table."""
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def column(self, name: str) -> Column:
        """The declared column ``name`` (``KeyError`` if it is not declared)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


DT = pl.Datetime("us")

APPLICATIONS = Table(
    name="applications",
    key=("application_id",),
    description="One row per visa or residence application received.",
    columns=(
        Column("application_id", pl.String, "Application id", unique=True),
        Column("applicant_id", pl.String, "Applicant (person) id; repeat applicants share it"),
        Column(
            "submitted_at", DT, "When the application was received", min=_DATE_MIN, max=_DATE_MAX
        ),
        Column("visa_type", pl.String, "Visa or permit applied for", allowed=VISA_TYPES),
        Column("purpose", pl.String, "Declared purpose of the stay", allowed=PURPOSES),
        Column("intended_stay_days", pl.Int32, "Declared length of stay in days", min=1, max=3650),
        Column(
            "declared_funds_usd",
            pl.Float64,
            "Declared available funds, in US dollars",
            min=0.0,
            max=1e9,
        ),
        Column("sponsor_id", pl.String, "Sponsor or employer id", nullable=True),
        Column("agent_id", pl.String, "Agent or representative id", nullable=True),
        Column(
            "place_of_application",
            pl.String,
            "Post where the application was lodged (embassy, visa-on-arrival point, e-visa)",
        ),
        Column(
            "residence_country",
            pl.String,
            "Country of residence (ISO 3166-1 alpha-3)",
            pattern=_ISO3,
        ),
        Column("residence_city", pl.String, "City of residence"),
        Column("occupation", pl.String, "Declared occupation", nullable=True),
        Column(
            "employment_tenure_months",
            pl.Int32,
            "Months with current employer",
            nullable=True,
            min=0,
            max=720,
        ),
        Column("phone_hash", pl.String, "Hashed phone number", nullable=True, pattern=_HASH),
        Column("email_hash", pl.String, "Hashed e-mail address", nullable=True, pattern=_HASH),
        Column("address_hash", pl.String, "Hashed postal address", nullable=True, pattern=_HASH),
        Column("bank_account_hash", pl.String, "Hashed bank account", nullable=True, pattern=_HASH),
        Column(
            "nationality",
            pl.String,
            "Nationality (ISO 3166-1 alpha-3)",
            pattern=_ISO3,
            protected=True,
        ),
        Column("sex", pl.String, "Sex as recorded", allowed=SEXES, protected=True),
        Column(
            "birth_date", pl.Date, "Date of birth", min=_DATE_MIN, max=_DATE_MAX, protected=True
        ),
        Column(
            "marital_status", pl.String, "Marital status", allowed=MARITAL_STATUSES, protected=True
        ),
    ),
    foreign_keys=(ForeignKey("sponsor_id", "sponsors", "sponsor_id"),),
)

DOCUMENTS = Table(
    name="documents",
    key=("document_id",),
    description="Travel and identity documents scanned with each application.",
    columns=(
        Column("document_id", pl.String, "Document scan id", unique=True),
        Column("application_id", pl.String, "Application the document came with"),
        Column("document_type", pl.String, "Kind of document", allowed=DOCUMENT_TYPES),
        Column("mrz_format", pl.String, "ICAO 9303 MRZ format", allowed=MRZ_FORMATS),
        Column("mrz_line1", pl.String, "MRZ line 1 as read", pattern=_MRZ),
        Column("mrz_line2", pl.String, "MRZ line 2 as read", pattern=_MRZ),
        Column(
            "mrz_line3", pl.String, "MRZ line 3 as read (TD1 only)", nullable=True, pattern=_MRZ
        ),
        Column("printed_surname", pl.String, "Surname on the printed page"),
        Column("printed_given_names", pl.String, "Given names on the printed page"),
        Column("printed_document_number", pl.String, "Document number on the printed page"),
        Column("printed_nationality", pl.String, "Nationality on the printed page", pattern=_ISO3),
        Column(
            "printed_birth_date",
            pl.Date,
            "Date of birth on the printed page",
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
        Column("printed_sex", pl.String, "Sex on the printed page", allowed=SEXES),
        Column(
            "issue_date", pl.Date, "Date of issue on the printed page", min=_DATE_MIN, max=_DATE_MAX
        ),
        Column(
            "expiry_date",
            pl.Date,
            "Date of expiry on the printed page",
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
        Column(
            "issuing_state", pl.String, "Issuing state or organisation (alpha-3)", pattern=_ISO3
        ),
        Column(
            "document_language",
            pl.String,
            "Main language of the printed page (ISO 639-1)",
            pattern=r"^[a-z]{2}$",
        ),
        Column(
            "chip_auth_result",
            pl.String,
            "Chip (eMRTD) authentication result",
            allowed=CHIP_RESULTS,
        ),
        Column(
            "face_match_score",
            pl.Float64,
            "Face match, live photo vs chip/page (0-1)",
            nullable=True,
            min=0.0,
            max=1.0,
        ),
        Column(
            "image_quality_score",
            pl.Float64,
            "Scan image quality (0-1)",
            nullable=True,
            min=0.0,
            max=1.0,
        ),
        Column(
            "tamper_score",
            pl.Float64,
            "Scanner's tamper likelihood (0-1)",
            nullable=True,
            min=0.0,
            max=1.0,
        ),
    ),
    foreign_keys=(ForeignKey("application_id", "applications", "application_id"),),
)

TRAVEL_HISTORY = Table(
    name="travel_history",
    key=("trip_id",),
    description="Past entries to and exits from Indonesia, per applicant.",
    columns=(
        Column("trip_id", pl.String, "Trip id", unique=True),
        Column("applicant_id", pl.String, "Applicant id"),
        Column("entry_date", pl.Date, "Date of entry", min=_DATE_MIN, max=_DATE_MAX),
        Column(
            "authorised_until", pl.Date, "Last day of authorised stay", min=_DATE_MIN, max=_DATE_MAX
        ),
        Column(
            "exit_date",
            pl.Date,
            "Date of exit (missing while still in the country)",
            nullable=True,
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
        Column("visa_type", pl.String, "Visa held on that trip", allowed=VISA_TYPES),
        Column("port_of_entry", pl.String, "Port of entry"),
    ),
)

PRIOR_DECISIONS = Table(
    name="prior_decisions",
    key=("decision_id",),
    description="Past applications and their outcomes, per applicant.",
    columns=(
        Column("decision_id", pl.String, "Decision id", unique=True),
        Column("applicant_id", pl.String, "Applicant id"),
        Column(
            "applied_at",
            pl.Date,
            "Date the earlier application was lodged",
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
        Column("decided_at", pl.Date, "Date it was decided", min=_DATE_MIN, max=_DATE_MAX),
        Column("visa_type", pl.String, "Visa applied for", allowed=VISA_TYPES),
        Column("outcome", pl.String, "Outcome", allowed=DECISION_OUTCOMES),
        Column("reason", pl.String, "Reason code given with a refusal", nullable=True),
    ),
)

SPONSORS = Table(
    name="sponsors",
    key=("sponsor_id",),
    description="Registered sponsors and employers, as held in the sponsor register.",
    columns=(
        Column("sponsor_id", pl.String, "Sponsor id", unique=True),
        Column("sponsor_type", pl.String, "Kind of sponsor", allowed=SPONSOR_TYPES),
        Column(
            "registered_at",
            pl.Date,
            "Date the sponsor was registered",
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
        Column(
            "invitations_issued",
            pl.Int32,
            "Invitations issued up to the snapshot date (as_of)",
            min=0,
        ),
        Column(
            "past_sponsored_overstays",
            pl.Int32,
            "Overstays by sponsored visitors up to the snapshot date (as_of)",
            min=0,
        ),
        Column("compliance_record", pl.String, "Compliance standing", allowed=COMPLIANCE_RECORDS),
        Column(
            "as_of", pl.Date, "Date the register snapshot was taken", min=_DATE_MIN, max=_DATE_MAX
        ),
    ),
)

OUTCOMES = Table(
    name="outcomes",
    key=("application_id",),
    description=(
        "Per application: whether it was investigated and what was confirmed. Labels arrive"
        " late and only for investigated cases."
    ),
    columns=(
        Column("application_id", pl.String, "Application id", unique=True),
        Column("investigated", pl.Boolean, "Whether the case was investigated"),
        Column(
            "investigation_trigger",
            pl.String,
            "Why it was investigated",
            nullable=True,
            allowed=INVESTIGATION_TRIGGERS,
        ),
        Column(
            "violation_confirmed",
            pl.Boolean,
            "Whether a violation was confirmed (missing: not investigated or pending)",
            nullable=True,
        ),
        Column(
            "violation_types",
            pl.String,
            "Confirmed violation types, ';'-separated (overstay, document_fraud,"
            " misrepresentation)",
            nullable=True,
            pattern=r"^(overstay|document_fraud|misrepresentation)"
            r"(;(overstay|document_fraud|misrepresentation))*$",
        ),
        Column(
            "known_at",
            DT,
            "When the outcome became known",
            nullable=True,
            min=_DATE_MIN,
            max=_DATE_MAX,
        ),
    ),
    foreign_keys=(ForeignKey("application_id", "applications", "application_id"),),
)

#: The synthetic world's ground truth; for evaluation only, never for features or training.
TRUTH = Table(
    name="truth",
    key=("application_id",),
    description="True latent violations of the synthetic world (evaluation only).",
    columns=(
        Column("application_id", pl.String, "Application id", unique=True),
        Column("overstay", pl.Boolean, "Will overstay"),
        Column("document_fraud", pl.Boolean, "Presented a fraudulent document"),
        Column("misrepresentation", pl.Boolean, "Misrepresented facts (e.g. fraud ring)"),
        Column("any_violation", pl.Boolean, "Any of the above"),
    ),
)

#: The six raw tables of the contract, in load order.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (APPLICATIONS, DOCUMENTS, TRAVEL_HISTORY, PRIOR_DECISIONS, SPONSORS, OUTCOMES)
}
#: The contract tables plus the synthetic world's ``truth``.
ALL_TABLES: dict[str, Table] = {**TABLES, "truth": TRUTH}


def protected_columns(configured: list[str] | None = None) -> frozenset[str]:
    """Names of the protected columns: those marked in the contract plus any configured."""
    marked = {c.name for t in TABLES.values() for c in t.columns if c.protected}
    return frozenset(marked | set(configured or ()))
