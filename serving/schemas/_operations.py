"""Request and answer models of the API's operations.

KPIs, runtime settings, the model, the caller's own account and the audit log.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ._api import Timestamp, _Strict

__all__ = [
    "AuditChainPublic",
    "AuditEntryPublic",
    "AuditPage",
    "KillSwitchRequest",
    "KpisPublic",
    "MePublic",
    "ModelPublic",
    "PasswordChangePublic",
    "PasswordChangeRequest",
    "Percentiles",
    "ReviewSettingsRequest",
    "RuntimeSettingsPublic",
    "UnlockPublic",
]


class Percentiles(BaseModel):
    """Percentiles in days."""

    p50: float | None
    p90: float | None
    max: float | None


class KpisPublic(BaseModel):
    """Aggregates only: processing time, backlog, rates, complaints, satisfaction."""

    as_of: Timestamp
    scored: int
    flag_rate: float | None
    review_rate: float | None
    decided_cases: int
    processing_days: Percentiles
    backlog: int
    backlog_age_days: Percentiles
    hit_rate_model_flag: float | None
    decided_model_flag: int
    hit_rate_blind_sample: float | None
    decided_blind_sample: int
    override_rate: float | None
    complaints_opened: int
    complaints_answered: int
    complaints_answered_within_sla: int
    complaints_within_sla_rate: float | None
    complaints_overdue: int
    satisfaction_responses: int
    satisfaction_mean: float | None


class KillSwitchRequest(_Strict):
    """Turn manual review of everything on or off, saying why."""

    enabled: bool
    reason: str = Field(min_length=1, max_length=500)


class ReviewSettingsRequest(_Strict):
    """Threshold override (``null``: the model's) and blind-sample rate."""

    threshold: float | None = Field(None, gt=0, lt=1)
    blind_sample_rate: float | None = Field(None, ge=0, lt=1)
    reset_threshold: bool = False


class RuntimeSettingsPublic(BaseModel):
    """The settings scoring uses now; while the kill switch is on, who, when and why."""

    kill_switch: bool
    blind_sample_rate: float
    threshold: float | None
    kill_switch_by: str | None = None
    kill_switch_at: Timestamp | None = None
    kill_switch_reason: str | None = None


class ModelPublic(BaseModel):
    """The loaded model, if any."""

    loaded: bool
    version: str | None
    #: The one name the model goes by everywhere: "v2 (2579f6f8)".
    name: str | None = None
    #: The registered version (``None`` when the model is not from the registry).
    registry_version: str | None = None
    #: Where the model came from: "registry" or "bundle" (never a server path).
    source: str | None
    threshold: float | None
    error: str | None


class UnlockPublic(BaseModel):
    """A lifted sign-in lock."""

    username: str
    failures_cleared: int


class MePublic(BaseModel):
    """The caller."""

    username: str
    role: str
    permissions: list[str]


class PasswordChangeRequest(_Strict):
    """The caller's current password and the new one (checked by the password policy)."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChangePublic(BaseModel):
    """The password changed; every page session of the caller ended."""

    sessions_ended: int


class AuditEntryPublic(BaseModel):
    """One audit entry."""

    seq: int
    at: Timestamp
    actor: str
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, Any]
    hash: str
    key_id: str | None = Field(description="the key of the entry's HMAC; null for legacy entries")


class AuditPage(BaseModel):
    """A page of the audit log."""

    data: list[AuditEntryPublic]
    count: int


class AuditChainPublic(BaseModel):
    """The audit chain's verification (``head`` and ``entries`` make a publishable head)."""

    ok: bool
    entries: int
    first_broken: int | None
    problem: str
    legacy: int = Field(description="entries before the key (SHA-256 chained, at the start)")
    head: str = Field(description="hash of the last entry checked")
    checkpoints: int = Field(description="published heads from the checkpoint file checked")
