"""The review policy: one scale inside (the margin), checked against brute-force references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models import Bands, Calibrator, ReviewPolicy, margin_at_probability
from risk.errors import RequestValidationError

RNG = np.random.default_rng(11)


def _calibrators() -> list[Calibrator]:
    margin = RNG.normal(-3.0, 1.5, 4000)
    y = (RNG.random(4000) < 1 / (1 + np.exp(-(margin + 1.0)))).astype(float)
    return [Calibrator("isotonic").fit(margin, y), Calibrator("platt").fit(margin, y)]


CALIBRATORS = _calibrators()


def _bands(cal: Calibrator, flag: float = -1.5, high: float = -0.5) -> Bands:
    return Bands(
        capacity=0.05,
        flag_margin=flag,
        high_margin=high,
        flag_probability=float(cal.predict(flag)),
        high_probability=float(cal.predict(high)),
    )


def _probe_margins(cal: Calibrator, around: list[float]) -> np.ndarray:
    """A dense grid, every isotonic knot, and each point's neighbouring doubles."""
    points = [*np.linspace(-12, 6, 3001), *around]
    if cal.method == "isotonic":
        points += list(cal.x_)
    finite = [p for p in points if math.isfinite(p)]
    near = [np.nextafter(p, d) for p in finite for d in (-np.inf, np.inf)]
    return np.asarray(finite + near, dtype=np.float64)


def _probabilities(cal: Calibrator) -> list[float]:
    ps = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 0.999]
    if cal.method == "isotonic":  # each plateau's exact value, where ties are hardest
        ps += [float(v) for v in cal.y_[1:-1:7] if 0 < v < 1]
    return ps


@pytest.mark.parametrize("cal", CALIBRATORS, ids=lambda c: c.method)
def test_margin_at_probability_flags_exactly_what_the_probability_flags(cal):
    for p in _probabilities(cal):
        m_star = margin_at_probability(cal, p)
        margins = _probe_margins(cal, [m_star])
        by_probability = cal.predict(margins) >= p  # the brute-force reference
        assert np.array_equal(margins >= m_star, by_probability), p


def test_margin_at_probability_beyond_the_calibrators_range():
    cal = CALIBRATORS[0]  # isotonic: flat below its first knot and above its last
    assert margin_at_probability(cal, float(cal.y_[0])) == -math.inf
    assert margin_at_probability(cal, float(cal.y_[-1]) + 1e-9) == math.inf


@pytest.mark.parametrize("cal", CALIBRATORS, ids=lambda c: c.method)
@pytest.mark.parametrize("override", [None, 0.02, 0.2, 0.6])
def test_flags_and_bands_on_the_margin_match_a_brute_force_reference(cal, override):
    bands = _bands(cal)
    policy = ReviewPolicy(bands, cal, threshold_override=override)
    margins = _probe_margins(cal, [bands.flag_margin, bands.high_margin, policy.flag_margin])
    probability = cal.predict(margins)
    flagged = margins >= bands.flag_margin if override is None else probability >= override
    expected = np.where(~flagged, "low", np.where(margins >= bands.high_margin, "high", "medium"))
    assert [policy.flagged(m) for m in margins] == flagged.tolist()
    assert [policy.band(m) for m in margins] == expected.tolist()
    assert policy.bands_of(margins).tolist() == expected.tolist()
    assert policy.threshold == (bands.flag_probability if override is None else override)


def test_without_an_override_the_bands_are_the_models():
    cal = CALIBRATORS[0]
    bands = _bands(cal)
    margins = np.linspace(-4, 1, 501)
    assert ReviewPolicy(bands, cal).bands_of(margins).tolist() == bands.band(margins).tolist()


class _Draws:
    def __init__(self, value: float) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> float:
        self.calls += 1
        return self.value


@pytest.mark.parametrize(
    ("kill", "margin", "rate", "draw", "route", "propensity", "calls"),
    [
        (False, 0.0, 0.02, 0.01, "model_flag", 1.0, 0),
        (False, -3.0, 0.02, 0.01, "blind_sample", 0.02, 1),
        (False, -3.0, 0.02, 0.02, "none", 0.02, 1),
        (False, -3.0, 0.0, 0.0, "none", 0.0, 0),
        (True, -3.0, 0.02, 0.0, "kill_switch", 1.0, 0),  # manual review: review is certain
        (True, 0.0, 0.0, 0.0, "kill_switch", 1.0, 0),
    ],
)
def test_routing_and_propensity(kill, margin, rate, draw, route, propensity, calls):
    cal = CALIBRATORS[0]
    policy = ReviewPolicy(_bands(cal), cal, blind_sample_rate=rate, kill_switch=kill)
    draws = _Draws(draw)
    assert policy.route(margin, draws) == route
    assert draws.calls == calls  # a seeded stream is consumed only for the blind sample
    assert policy.propensity(margin) == propensity
    assert policy.outcome(route) == ("no_flag" if route == "none" else "review")


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.1, True, "0.5"])
def test_an_override_outside_zero_one_is_refused(value):
    with pytest.raises(RequestValidationError) as err:
        ReviewPolicy.check_threshold(value)
    assert err.value.message == (
        f"setting 'threshold' cannot be {value!r}: it is a calibrated probability strictly"
        " between 0 and 1 (or null for the model's own threshold)"
    )


@pytest.mark.parametrize("value", [1, 1.0, -0.01, False])
def test_a_blind_sample_rate_outside_zero_one_is_refused(value):
    with pytest.raises(RequestValidationError) as err:
        ReviewPolicy(_bands(CALIBRATORS[0]), CALIBRATORS[0], blind_sample_rate=value)
    assert err.value.message == (
        f"setting 'blind_sample_rate' cannot be {value!r}: it is a share in [0, 1)"
    )


@pytest.mark.parametrize("decided", [False, True])
def test_a_blind_case_never_shows_the_model_and_a_flagged_one_always_does(decided):
    assert ReviewPolicy.shows_model_output(blind=True, decided=decided) is False
    assert ReviewPolicy.shows_model_output(blind=False, decided=decided) is True
