"""Shadow scoring's switch and status."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ._api import _Strict

__all__ = ["ShadowPublic", "ShadowSwitchRequest"]


class ShadowSwitchRequest(_Strict):
    """Turn shadow scoring by the challenger on or off, saying why."""

    enabled: bool
    reason: str = Field(min_length=1, max_length=500)


class ShadowPublic(BaseModel):
    """Whether the challenger scores in shadow, which one, and what it did since start-up."""

    enabled: bool
    challenger: str | None
    challenger_version: str | None
    queued: int
    scored: int
    failed: int
    dropped: int
    skipped: int
    last_error: str | None
