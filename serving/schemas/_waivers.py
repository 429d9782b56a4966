"""Request and answer models of the waiver routes (four eyes on a model release)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ._limits import Text


class WaiverRequest(BaseModel):
    """Why the failed gate checks of a version should be waived."""

    model_config = ConfigDict(extra="forbid")

    reason: Text


class WaiverPublic(BaseModel):
    """One waiver: who requested it, and (once approved) who approved it."""

    reason: str
    requested_by: str
    requested_at: str
    approved_by: str | None = None
    approver_role: str | None = None
    approved_via: str | None = None
    approved_at: str | None = None


class PromotionPublic(BaseModel):
    """One recorded promotion attempt."""

    version: str
    result: str
    by: str
    at: str
    failed: list[str]
    previous_champion: str | None
    waiver: WaiverPublic | None
    checks: list[dict[str, Any]]


class PendingWaiverPublic(WaiverPublic):
    """An open waiver request, waiting for a second person."""

    version: str
