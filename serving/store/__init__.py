"""The store: SQLAlchemy tables, the :class:`Store` and its Alembic migrations."""

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
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "Complaint",
    "Decision",
    "Feedback",
    "MonitorAlert",
    "MonitorRun",
    "Score",
    "ServiceSetting",
    "SignInFailure",
    "Store",
    "StoreBusy",
    "User",
    "WebSession",
    "raw_table",
    "upgrade",
]
