"""The store's tables: the contract's raw tables plus scores, cases and the audit log.

The raw tables (applications, documents, travel history, prior decisions, sponsors,
outcomes) are declared from :mod:`risk.contract`, so the store holds exactly the
contract's columns; the applicant history that request-time features need is read
back from them.  Everything else is the service's own state.  One schema serves
SQLite and PostgreSQL; Alembic migrations in ``serving/migrations`` create it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from risk.contract import TABLES, Table

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "Complaint",
    "Decision",
    "FeatureEncoding",
    "Feedback",
    "MonitorAlert",
    "MonitorRun",
    "Score",
    "ServiceSetting",
    "SignInFailure",
    "User",
    "WebSession",
    "raw_table",
]

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Indexes of raw tables: the history look-up filters on each key, counts within a time window.
_INDEXED: dict[str, tuple[tuple[str, ...], ...]] = {
    "applications": (
        ("applicant_id",),
        ("submitted_at",),
        ("sponsor_id", "submitted_at"),
        ("agent_id", "submitted_at"),
        ("phone_hash", "submitted_at"),
        ("email_hash", "submitted_at"),
        ("address_hash", "submitted_at"),
        ("bank_account_hash", "submitted_at"),
    ),
    "documents": (("application_id",),),
    "travel_history": (("applicant_id",),),
    "prior_decisions": (("applicant_id",),),
}


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (stable migrations)."""

    metadata = sa.MetaData(naming_convention=_NAMING)


def _sa_type(dtype: Any) -> sa.types.TypeEngine:
    if dtype == pl.String:
        return sa.String(200)
    if dtype == pl.Date:
        return sa.Date()
    if isinstance(dtype, pl.Datetime):
        return sa.DateTime()
    if dtype == pl.Boolean:
        return sa.Boolean()
    if dtype in (pl.Int32, pl.Int64):
        return sa.Integer()
    if dtype == pl.Float64:
        return sa.Float()
    raise TypeError(f"no SQL type for contract dtype {dtype}")


def _declare_raw(table: Table) -> sa.Table:
    columns = [
        sa.Column(
            c.name, _sa_type(c.dtype), primary_key=(c.name,) == table.key, nullable=c.nullable
        )
        for c in table.columns
    ]
    indexes = [sa.Index(None, *columns) for columns in _INDEXED.get(table.name, ())]
    return sa.Table(table.name, Base.metadata, *columns, *indexes)


_RAW: dict[str, sa.Table] = {name: _declare_raw(t) for name, t in TABLES.items()}


def raw_table(name: str) -> sa.Table:
    """The SQL table holding the contract table ``name``."""
    return _RAW[name]


class User(Base):
    """A person using the service, with one role."""

    __tablename__ = "users"
    user_id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    # officers and supervisors belong to a team (or none): supervisors watch team queues
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.team_id"), index=True)


class Team(Base):
    """A team of officers and supervisors (supervisors think in teams)."""

    __tablename__ = "teams"
    team_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[dt.datetime]


class ApiToken(Base):
    """An API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    token_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.user_id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the store only its SHA-256.

    Ending a row (sign-out, password change, deactivation, timeout) ends the session at
    once, wherever the cookie is.
    """

    __tablename__ = "web_sessions"
    session_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.user_id"), index=True)
    csrf: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))


class SignInFailure(Base):
    """One failed sign-in: what the throttles count (per account and per client address).

    ``account`` is ``user:<id>`` for a known user, else a keyed hash of the typed name, so
    unknown names are throttled alike and the typed text is never stored.
    """

    __tablename__ = "sign_in_failures"
    failure_id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(sa.String(80), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)


class Score(Base):
    """The inference log: one row per score, enough to recompute and check it."""

    __tablename__ = "scores"
    score_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        sa.ForeignKey("applications.application_id"), index=True
    )
    model_version: Mapped[str] = mapped_column(sa.String(120))
    input_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    features: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    score: Mapped[float]
    margin: Mapped[float]
    band: Mapped[str] = mapped_column(sa.String(20))
    threshold: Mapped[float]
    model_flag: Mapped[bool]
    outcome: Mapped[str] = mapped_column(sa.String(10))
    route: Mapped[str] = mapped_column(sa.String(20))
    reasons: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    lang: Mapped[str] = mapped_column(sa.String(5))
    scored_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: P(reviewed) under the policy in force (NULL: logged before it was recorded).
    review_propensity: Mapped[float | None]
    #: The blind-sample rate in force, so a replay can recompute the propensity.
    blind_sample_rate: Mapped[float | None]
    #: The caller's ``Idempotency-Key`` (a batch item's: ``KEY#index``); a re-send finds it.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(72))
    #: The row as the model read it (see :mod:`models._logged_rows`; NULL: logged before
    #: it was kept); read by backtests only, so never loaded with the row.
    encoded_features: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    #: The id of the encoding of ``encoded_features`` (:class:`FeatureEncoding`).
    feature_encoding: Mapped[str | None] = mapped_column(sa.String(16))

    # One key names one request of one caller (NULLs never collide).
    __table_args__ = (sa.UniqueConstraint("scored_by", "idempotency_key"),)


class FeatureEncoding(Base):
    """A model's feature encoding (names, kinds, category codes) that logged rows use."""

    __tablename__ = "feature_encodings"
    encoding_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    features: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)


class Case(Base):
    """A case in the review queue, opened by a score whose outcome is ``review``."""

    __tablename__ = "cases"
    case_id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(
        sa.ForeignKey("applications.application_id"), index=True
    )
    score_id: Mapped[str] = mapped_column(sa.ForeignKey("scores.score_id"), unique=True)
    route: Mapped[str] = mapped_column(sa.String(20))
    blind: Mapped[bool]
    priority: Mapped[float]
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    assigned_to: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))
    claimed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]


class Decision(Base):
    """An officer's finding; amendments are new rows linked to the one they amend."""

    __tablename__ = "decisions"
    decision_id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.case_id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(30))
    violation_types: Mapped[list[str]] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.Text)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.user_id"))
    amends_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("decisions.decision_id"), unique=True
    )
    created_at: Mapped[dt.datetime]


class Complaint(Base):
    """A complaint about an application or case, with a handler and a deadline."""

    __tablename__ = "complaints"
    complaint_id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("applications.application_id"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.case_id"))
    category: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(15), default="open")
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))
    response: Mapped[str | None] = mapped_column(sa.Text)
    opened_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]
    # A supervisor's recorded reason for letting the officer who decided the case
    # handle its complaint anyway (and who gave it); empty otherwise.
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    override_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))
    #: Who filed it: ``staff`` (recorded by an officer) or ``applicant`` (on /status).
    source: Mapped[str] = mapped_column(sa.String(10), default="staff", server_default="staff")
    #: How an applicant asked to be contacted (``none``, ``email``, ``phone``, ``post``).
    contact_preference: Mapped[str | None] = mapped_column(sa.String(10))


class Feedback(Base):
    """A satisfaction rating (1-5) given after a decision: one per case."""

    __tablename__ = "feedback"
    feedback_id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.case_id"), unique=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime]


class ServiceSetting(Base):
    """A runtime setting changed through the API (kill switch, threshold, sample rate)."""

    __tablename__ = "service_settings"
    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))


class ShadowScore(Base):
    """A challenger's score of a live application, made in shadow: never shown to officers,
    never changing the champion's flag, queue or blind sample."""

    __tablename__ = "shadow_scores"
    shadow_id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[str] = mapped_column(sa.ForeignKey("scores.score_id"), index=True)
    application_id: Mapped[str] = mapped_column(sa.String(64))
    model_version: Mapped[str] = mapped_column(sa.String(120), index=True)
    score: Mapped[float]
    margin: Mapped[float]
    band: Mapped[str] = mapped_column(sa.String(20))
    would_flag: Mapped[bool]
    reasons: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


class MonitorRun(Base):
    """One monitoring run of the served model over a period (the report as JSON)."""

    __tablename__ = "monitor_runs"
    run_id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    model_version: Mapped[str] = mapped_column(sa.String(120))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    trigger: Mapped[str] = mapped_column(sa.String(20))
    report: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class MonitorAlert(Base):
    """A breached alert rule: once per model version, rule and chunk."""

    __tablename__ = "monitor_alerts"
    __table_args__ = (sa.UniqueConstraint("model_version", "rule", "chunk_start"),)
    alert_id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("monitor_runs.run_id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    model_version: Mapped[str] = mapped_column(sa.String(120))
    rule: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    feature: Mapped[str | None] = mapped_column(sa.String(120))
    value: Mapped[Any] = mapped_column(sa.JSON)
    threshold: Mapped[float | None]
    chunk_start: Mapped[str] = mapped_column(sa.String(40))
    chunk_end: Mapped[str | None] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text)
    suspend: Mapped[bool]
    #: Whether this alert switched the service to manual review (it was not on already).
    suspended: Mapped[bool]


class AuditEntry(Base):
    """One entry of the append-only audit log, chained by an HMAC (SHA-256 for legacy ones)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(30))
    entity_id: Mapped[str] = mapped_column(sa.String(80))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    #: Which key made ``hash`` (an HMAC); empty for legacy entries made before the key.
    key_id: Mapped[str | None] = mapped_column(sa.String(16))


class AuditHead(Base):
    """The chain's head (one row): last sequence number and hash.

    Appending locks this row, which serialises writers on PostgreSQL; it also lets
    verification notice a deleted tail.
    """

    __tablename__ = "audit_head"
    head_id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
