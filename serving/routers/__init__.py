"""One router per resource."""

from . import admin, applications, audit, cases, complaints, monitoring, promotions, shadow, surveys

__all__ = [
    "admin",
    "applications",
    "audit",
    "cases",
    "complaints",
    "monitoring",
    "promotions",
    "shadow",
    "surveys",
]

ROUTERS = (
    admin.router,
    applications.router,
    cases.router,
    complaints.router,
    audit.router,
    monitoring.router,
    promotions.router,
    surveys.router,
    shadow.router,
)
