"""The store: SQLAlchemy tables, the :class:`Store` and its Alembic migrations."""

from ._public_tables import ApplicantCode, ApplicantSession, ComplaintStep, StatusFailure, Survey
from ._store import Store, StoreBusy, upgrade
from ._tables import (
    ApiToken,
    AuditEntry,
    AuditHead,
    Base,
    Case,
    Complaint,
    Decision,
    Feedback,
    MonitorAlert,
    MonitorRun,
    Score,
    ServiceSetting,
    SignInFailure,
    User,
    WebSession,
    raw_table,
)

__all__ = [
    "ApiToken",
    "ApplicantCode",
    "ApplicantSession",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "Complaint",
    "ComplaintStep",
    "Decision",
    "Feedback",
    "MonitorAlert",
    "MonitorRun",
    "Score",
    "ServiceSetting",
    "SignInFailure",
    "StatusFailure",
    "Store",
    "StoreBusy",
    "Survey",
    "User",
    "WebSession",
    "raw_table",
    "upgrade",
]
