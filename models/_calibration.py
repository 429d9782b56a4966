"""Calibration of raw margins into probabilities, stored as plain numbers."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from risk.errors import BundleLoadError, ConfigError

__all__ = ["Calibrator"]


class Calibrator:
    """Map LightGBM's raw margin to a probability an officer can read.

    Parameters
    ----------
    method
        ``'isotonic'`` (isotonic regression, stored as breakpoints and applied with
        :func:`numpy.interp`) or ``'platt'`` (a logistic curve ``1 / (1 + exp(-(a m + b)))``).

    Attributes
    ----------
    x_, y_
        Isotonic breakpoints: margins and their calibrated probabilities.
    a_, b_
        Platt slope and intercept.
    """

    def __init__(self, method: Literal["isotonic", "platt"] = "isotonic") -> None:
        self.method = method

    def fit(
        self, margin: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> Calibrator:
        """Fit on validation margins and 0/1 labels (rows weighted); returns ``self``."""
        margin = np.asarray(margin, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        w = np.ones_like(margin) if sample_weight is None else np.asarray(sample_weight, float)
        if w.shape == margin.shape:  # rows of weight 0 carry no label: leave them out
            margin, y, w = margin[w > 0], y[w > 0], w[w > 0]
        if margin.shape != y.shape or margin.size == 0:
            raise ConfigError(
                f"calibration needs equal, non-empty margins and labels, got {margin.shape}"
                f" and {y.shape}"
            )
        if self.method == "isotonic":
            self.x_, self.y_ = _fit_centred_isotonic(margin, y, w)
        elif self.method == "platt":
            self.a_, self.b_ = _fit_platt(margin, y, w)
        else:
            raise ConfigError(f"unknown calibration method {self.method!r}; use isotonic or platt")
        return self

    def predict(self, margin: np.ndarray | float) -> np.ndarray:
        """Calibrated probabilities for raw margins."""
        m = np.asarray(margin, dtype=np.float64)
        if self.method == "isotonic":
            return np.interp(m, self.x_, self.y_)
        return 1.0 / (1.0 + np.exp(-(self.a_ * m + self.b_)))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form (numbers only)."""
        if self.method == "isotonic":
            return {"method": "isotonic", "x": self.x_.tolist(), "y": self.y_.tolist()}
        return {"method": "platt", "a": float(self.a_), "b": float(self.b_)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        """Rebuild from :meth:`to_dict` output; :class:`BundleLoadError` if malformed."""
        try:
            cal = cls(data["method"])
            if cal.method == "isotonic":
                cal.x_ = np.asarray(data["x"], dtype=np.float64)
                cal.y_ = np.asarray(data["y"], dtype=np.float64)
                if cal.x_.shape != cal.y_.shape or cal.x_.size == 0:
                    raise ValueError("isotonic x and y must be equal, non-empty lists")
            elif cal.method == "platt":
                cal.a_, cal.b_ = float(data["a"]), float(data["b"])
            else:
                raise ValueError(f"unknown method {cal.method!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleLoadError(f"bundle.json field 'calibrator' is malformed: {exc}") from exc
        return cal


def _fit_centred_isotonic(
    margin: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Isotonic regression with one breakpoint per block, at the block's mean margin.

    Plain isotonic regression is a step function: every case on a step gets the same
    probability, so many cases tie.  Interpolating between block centres (centred isotonic
    regression, Oron and Flournoy 2017) keeps the fit monotone, ties only beyond the
    outermost centres, and orders the cases in between as the model does.
    """
    from sklearn.isotonic import IsotonicRegression

    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit_transform(
        margin, y, sample_weight=w
    )
    # Blocks are runs of equal fitted values; their values strictly increase.
    values, inverse = np.unique(fitted, return_inverse=True)
    centres = np.bincount(inverse, weights=margin * w) / np.bincount(inverse, weights=w)
    return centres.astype(np.float64), values.astype(np.float64)


def _fit_platt(
    margin: np.ndarray, y: np.ndarray, w: np.ndarray, iters: int = 100
) -> tuple[float, float]:
    """Maximum-likelihood logistic fit of ``y`` on ``margin`` (Newton steps, Platt's targets)."""
    n_pos, n_neg = np.sum(w * y), np.sum(w) - np.sum(w * y)
    # Platt's smoothed targets keep the fit finite on separable data.
    t = np.where(y > 0.5, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 1.0, 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(a * margin + b)))
        c = w * (p * (1 - p) + 1e-12)  # curvature, weighted by the rows' weights
        g = np.array([np.sum(w * (p - t) * margin), np.sum(w * (p - t))])
        h = np.array(
            [[np.sum(c * margin * margin), np.sum(c * margin)], [np.sum(c * margin), np.sum(c)]]
        )
        step = np.linalg.solve(h + 1e-9 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(a), float(b)
