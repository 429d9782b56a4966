"""One router per resource."""

from . import admin, applications, audit, cases, complaints, monitoring

__all__ = ["admin", "applications", "audit", "cases", "complaints", "monitoring"]

ROUTERS = (
    admin.router,
    applications.router,
    cases.router,
    complaints.router,
    audit.router,
    monitoring.router,
)
