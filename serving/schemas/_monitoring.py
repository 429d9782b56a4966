"""Schemas of the monitoring API: runs and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["MonitorAlertPage", "MonitorAlertPublic", "MonitorRunPublic"]


class MonitorAlertPublic(BaseModel):
    """A breached alert rule of one chunk."""

    model_config = ConfigDict(from_attributes=True)

    alert_id: int
    run_id: int
    at: dt.datetime
    model_version: str
    rule: str
    kind: str
    feature: str | None
    value: Any
    threshold: float | None
    chunk_start: str
    chunk_end: str | None
    message: str
    suspend: bool
    suspended: bool


class MonitorAlertPage(BaseModel):
    """A page of alerts, newest first."""

    data: list[MonitorAlertPublic]
    count: int


class MonitorRunPublic(BaseModel):
    """What an on-demand monitoring run did."""

    run_id: int | None
    alerts: list[MonitorAlertPublic]
    suspended: bool
    why_not: str | None = None
