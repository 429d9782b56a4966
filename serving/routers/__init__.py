"""One router per resource."""

from . import admin, applications, audit, cases, complaints, monitoring, promotions

__all__ = ["admin", "applications", "audit", "cases", "complaints", "monitoring", "promotions"]

ROUTERS = (
    admin.router,
    applications.router,
    cases.router,
    complaints.router,
    audit.router,
    monitoring.router,
    promotions.router,
)
