"""The review policy: which applications go to an officer, and what a blind case shows.

One object holds every rule that decides whether a case is queued and what is shown of
it, so the API, the case screens, the replay of a logged score and the simulation
cannot drift apart:

- **one scale inside**: flags and bands compare the raw margin (it orders cases
  strictly, whereas isotonic probabilities tie).  A calibrated probability is only
  ever *shown*; an override typed as a probability (people think in probabilities)
  is turned once into the smallest margin whose calibrated probability reaches it,
  found by bisection over the floating-point numbers, so "probability >= p" and
  "margin >= that margin" flag exactly the same cases;
- **capacity and bands**: the model's capacity threshold and high band
  (:class:`~models.Bands`); under an override a flagged case is never banded
  ``low`` and an unflagged one is always ``low``;
- **routing**: the kill switch sends everything to review; otherwise a flag does;
  otherwise the blind random sample draws the case with ``blind_sample_rate``;
- **propensity**: the probability that the case is reviewed under this policy (1 for
  the kill switch or a flag, the blind-sample rate otherwise), for inverse-propensity
  estimates and training;
- **what a blind case shows**: nothing of the model (score, band, reasons, model
  version), to any role that can open it, before *or after* its decision.  A decided
  case can still be amended (late evidence such as a confirmed overstay arrives as an
  amendment) by its officer or a supervisor, and the blind sample's findings are the
  only unbiased labels the service collects: showing the score after the decision
  would anchor exactly the people who may still change that label.  The score is
  logged like any other and reaches analysts through ``risk export``; the case says
  it was selected at random.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal, Protocol

import numpy as np

from models._threshold import Bands
from risk.errors import RequestValidationError

__all__ = ["ROUTES", "ReviewPolicy", "Route", "margin_at_probability"]

Route = Literal["kill_switch", "model_flag", "blind_sample", "none"]
#: How a case reached review (or ``"none"``), in the order the policy tests them.
ROUTES: tuple[Route, ...] = ("kill_switch", "model_flag", "blind_sample", "none")

#: What a blind-sample case shows of the model, by phase (decided?): nothing, ever.
_BLIND_SHOWS_MODEL = {False: False, True: False}

_SIGN = np.int64(-0x8000000000000000)
_LOW_BITS = np.int64(0x7FFFFFFFFFFFFFFF)


class _Calibrated(Protocol):
    def predict(self, margin: float) -> np.ndarray | float: ...


def _key(x: float) -> int:
    """An integer that orders like the double ``x`` (adjacent doubles differ by 1)."""
    bits = int(np.float64(x).view(np.int64))
    return bits if bits >= 0 else -(bits & int(_LOW_BITS))


def _double(key: int) -> float:
    if key >= 0:
        return float(np.int64(key).view(np.float64))
    return float(np.int64(-key | int(_SIGN)).view(np.float64))


def margin_at_probability(calibrator: _Calibrated, probability: float) -> float:
    """The smallest margin whose calibrated probability is at least ``probability``.

    Exact for any non-decreasing calibrator: bisection over every finite double, so
    ``calibrator.predict(m) >= probability`` holds exactly when ``m >= result``.
    ``-inf`` when every margin reaches it, ``inf`` when none does.
    """

    def reaches(m: float) -> bool:
        # The search starts at the largest doubles, where a logistic curve overflows to 0 or 1.
        with np.errstate(over="ignore"):
            return float(calibrator.predict(m)) >= probability

    low, high = _key(-np.finfo(np.float64).max), _key(np.finfo(np.float64).max)
    if reaches(_double(low)):
        return -math.inf
    if not reaches(_double(high)):
        return math.inf
    while high - low > 1:  # invariant: low does not reach, high does
        mid = (low + high) // 2
        low, high = (low, mid) if reaches(_double(mid)) else (mid, high)
    return _double(high)


@lru_cache(maxsize=64)
def _cached_margin(calibrator: _Calibrated, probability: float) -> float:
    # The service builds a policy per request; the bisection runs once per model and value.
    return margin_at_probability(calibrator, probability)


def _check_threshold(value: float | None) -> float | None:
    """A threshold override must be a probability strictly between 0 and 1 (or ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise RequestValidationError(
            f"setting 'threshold' cannot be {value!r}: it is a calibrated probability"
            " strictly between 0 and 1 (or null for the model's own threshold)",
            detail=[{"loc": ["body", "threshold"], "msg": f"invalid value {value!r}"}],
        )
    return float(value)


def _check_blind_sample_rate(value: float) -> float:
    """The blind-sample rate is a share in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise RequestValidationError(
            f"setting 'blind_sample_rate' cannot be {value!r}: it is a share in [0, 1)",
            detail=[{"loc": ["body", "blind_sample_rate"], "msg": f"invalid value {value!r}"}],
        )
    return float(value)


@dataclass(frozen=True)
class ReviewPolicy:
    """Whether a case is queued, on which scale, and what a blind case shows.

    Parameters
    ----------
    bands
        The model's capacity threshold and bands on the raw margin.
    calibrator
        The model's calibrator: probabilities for display, and the margin of an override.
    threshold_override
        A calibrated-probability threshold replacing the model's (``None``: the model's).
    blind_sample_rate
        Share of unflagged applications sent to review at random, without their score.
    kill_switch
        Send every application to manual review.
    """

    bands: Bands
    calibrator: _Calibrated
    threshold_override: float | None = None
    blind_sample_rate: float = 0.0
    kill_switch: bool = False

    #: Check a threshold override: a probability strictly between 0 and 1, or ``None``.
    check_threshold = staticmethod(_check_threshold)
    #: Check a blind-sample rate: a share in [0, 1).
    check_blind_sample_rate = staticmethod(_check_blind_sample_rate)

    def __post_init__(self) -> None:
        _check_threshold(self.threshold_override)
        _check_blind_sample_rate(self.blind_sample_rate)

    @classmethod
    def for_bundle(
        cls,
        bundle: _HasBands,
        *,
        threshold_override: float | None = None,
        blind_sample_rate: float = 0.0,
        kill_switch: bool = False,
    ) -> ReviewPolicy:
        """The policy of ``bundle`` under the runtime settings given."""
        return cls(
            bundle.bands, bundle.calibrator, threshold_override, blind_sample_rate, kill_switch
        )

    # -- the scale ------------------------------------------------------------------
    @cached_property
    def flag_margin(self) -> float:
        """The margin at or above which a case is flagged (the one threshold inside)."""
        if self.threshold_override is None:
            return self.bands.flag_margin
        return _cached_margin(self.calibrator, self.threshold_override)

    @property
    def threshold(self) -> float:
        """The threshold as a calibrated probability: for display and the score log only."""
        if self.threshold_override is None:
            return self.bands.flag_probability
        return self.threshold_override

    def flagged(self, margin: float) -> bool:
        """Whether ``margin`` is flagged for review."""
        return margin >= self.flag_margin

    def band(self, margin: float) -> str:
        """``high``, ``medium`` (flagged) or ``low`` (not flagged) for one margin."""
        if margin < self.flag_margin:
            return "low"
        return "high" if margin >= self.bands.high_margin else "medium"

    def bands_of(self, margin: np.ndarray) -> np.ndarray:
        """:meth:`band` for an array of margins."""
        m = np.asarray(margin, dtype=np.float64)
        flagged = m >= self.flag_margin
        idx = flagged.astype(np.int8) + (flagged & (m >= self.bands.high_margin)).astype(np.int8)
        return np.asarray(("low", "medium", "high"), dtype=object)[idx]

    # -- routing --------------------------------------------------------------------
    def route(self, margin: float, draw: Callable[[], float]) -> Route:
        """How the case goes to review, or ``"none"``.

        ``draw`` gives a uniform number in [0, 1) and is called only when the blind
        sample is asked (not under the kill switch, not for a flag, rate above 0), so a
        seeded stream is consumed the same way whatever else changes.
        """
        if self.kill_switch:
            return "kill_switch"
        if self.flagged(margin):
            return "model_flag"
        if self.blind_sample_rate > 0 and draw() < self.blind_sample_rate:
            return "blind_sample"
        return "none"

    def propensity(self, margin: float) -> float:
        """The probability that a case with ``margin`` is reviewed under this policy.

        A flag is always reviewed (1), and so is everything under the kill switch: the
        switch makes review certain, not unlikely.  Otherwise only the blind sample can
        draw the case, with probability ``blind_sample_rate``, whether or not it did.
        """
        if self.kill_switch or self.flagged(margin):
            return 1.0
        return self.blind_sample_rate

    @staticmethod
    def outcome(route: Route) -> Literal["review", "no_flag"]:
        """A routed case goes to ``review``; there is no refuse path."""
        return "no_flag" if route == "none" else "review"

    # -- what is shown --------------------------------------------------------------
    @staticmethod
    def shows_model_output(*, blind: bool, decided: bool) -> bool:
        """Whether a case's score, band, reasons and model are shown to whoever opens it.

        A blind-sample case shows none of them, before or after its decision, to every
        role that may open a case (see the module notes for why).  ``decided`` is asked
        so that every caller states the phase it is in; the answer does not depend on it.
        """
        return True if not blind else _BLIND_SHOWS_MODEL[decided]


class _HasBands(Protocol):
    bands: Bands
    calibrator: _Calibrated
