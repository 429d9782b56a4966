"""Thresholds from review capacity, and the risk bands derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from risk.errors import BundleLoadError, ConfigError

__all__ = ["BANDS", "Bands", "band_evidence", "capacity_threshold"]

#: Risk bands, lowest first.
BANDS = ("low", "medium", "high")


def capacity_threshold(margin: np.ndarray, capacity: float) -> float:
    """The margin at which the top ``capacity`` share of rows is flagged (``margin >= t``).

    Parameters
    ----------
    margin
        Raw margins on the validation split (ordering is all that matters).
    capacity
        Share of applications officers can review, in (0, 1).
    """
    margin = np.asarray(margin, dtype=np.float64)
    if not 0 < capacity < 1:
        raise ConfigError(f"review capacity must be in (0, 1), got {capacity}")
    if margin.size == 0:
        raise ConfigError("cannot set a capacity threshold on an empty validation split")
    k = max(1, round(capacity * margin.size))
    return float(np.partition(margin, margin.size - k)[margin.size - k])


@dataclass(frozen=True)
class Bands:
    """Capacity threshold and bands, on the raw margin and as calibrated probabilities.

    A case is flagged for review when its margin is at least ``flag_margin`` (band
    ``medium`` or ``high``); it is ``high`` when at least ``high_margin``.  Decisions use
    the margin because it orders cases strictly, whereas isotonic probabilities tie.
    """

    capacity: float
    flag_margin: float
    high_margin: float
    flag_probability: float
    high_probability: float

    def band(self, margin: np.ndarray) -> np.ndarray:
        """Band name per margin."""
        m = np.asarray(margin, dtype=np.float64)
        idx = (m >= self.flag_margin).astype(np.int8) + (m >= self.high_margin).astype(np.int8)
        return np.asarray(BANDS, dtype=object)[idx]

    def band_one(self, margin: float) -> str:
        """Band name of one margin (no numpy overhead)."""
        if margin >= self.high_margin:
            return "high"
        return "medium" if margin >= self.flag_margin else "low"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "capacity": self.capacity,
            "flag_margin": self.flag_margin,
            "high_margin": self.high_margin,
            "flag_probability": self.flag_probability,
            "high_probability": self.high_probability,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bands:
        """Rebuild from :meth:`to_dict`; :class:`BundleLoadError` if malformed."""
        try:
            return cls(**{k: float(data[k]) for k in cls.__dataclass_fields__})
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleLoadError(f"bundle.json field 'bands' is malformed: {exc}") from exc


def band_evidence(bands: Bands, margin: np.ndarray, labels: np.ndarray) -> dict[str, dict]:
    """Per band, how many rows fell in it and how many of them are confirmed violations.

    Computed on the validation split, it says what a band means in observed terms
    (``confirmed / cases``), which officers can read better than a probability.

    Parameters
    ----------
    bands
        The bands that place each margin.
    margin, labels
        Raw margins and 0/1 labels of the same rows.
    """
    placed = bands.band(np.asarray(margin, dtype=np.float64))
    y = np.asarray(labels).astype(bool)
    return {
        b: {"cases": int(np.sum(placed == b)), "confirmed": int(np.sum(y & (placed == b)))}
        for b in BANDS
    }
