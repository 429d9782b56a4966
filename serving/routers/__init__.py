"""One router per resource."""

from . import admin, applications, audit, cases, complaints

__all__ = ["admin", "applications", "audit", "cases", "complaints"]

ROUTERS = (admin.router, applications.router, cases.router, complaints.router, audit.router)
