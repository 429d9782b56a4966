"""Performance without labels (CBPE-style) beside the realised figures where labels exist.

With calibrated probabilities ``p``, the expected number of true violations among the
flagged rows is ``sum(p[flag])`` and among all rows ``sum(p)``: expected precision at
capacity is their mean over flagged rows, expected recall the share of the expected
violations that were flagged.  Treating the rows as independent Bernoulli draws gives
the intervals (delta method for recall).  This holds while calibration holds; when
realised figures disagree, calibration has drifted, which is itself an alert.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["estimate", "estimate_from_sums", "expected_sums"]

_Z = 1.959963984540054  # two-sided 95% normal quantile


def estimate(
    prob: np.ndarray,
    flag: np.ndarray,
    *,
    labels: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    min_labelled: int = 30,
    n_boot: int = 200,
    seed: int = 7,
) -> dict[str, Any]:
    """Estimated (and, with labels, realised) precision and recall at capacity.

    Parameters
    ----------
    prob, flag
        Calibrated probabilities and flags of the rows.
    labels
        0/1 outcome per row, NaN where unknown (not reviewed).
    weights
        Inverse review probability of each labelled row (Horvitz-Thompson): 1 for
        flagged cases that are all reviewed, ``1 / rate`` for the blind sample.
        Default 1 (every labelled row stands for itself).
    min_labelled
        Fewer labelled flagged rows than this: no realised figures.
    """
    prob = np.asarray(prob, dtype=np.float64)
    flag = np.asarray(flag, dtype=bool)
    labelled = None
    if labels is not None:
        y = np.asarray(labels, dtype=np.float64)
        w = np.ones(prob.size) if weights is None else np.asarray(weights, dtype=np.float64)
        known = ~np.isnan(y)
        labelled = (y[known], flag[known], w[known])
    return estimate_from_sums(
        expected_sums(prob, flag), labelled, min_labelled=min_labelled, n_boot=n_boot, seed=seed
    )


def expected_sums(prob: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """What the expected figures need, as sums that add across parts of the rows.

    ``[flagged, sum p (flagged), sum p (not flagged), sum p(1-p) (flagged), sum p(1-p) (not
    flagged)]``.
    """
    p_flag, p_rest = prob[flag], prob[~flag]
    return np.array(
        [
            flag.sum(),
            p_flag.sum(),
            p_rest.sum(),
            (p_flag * (1 - p_flag)).sum(),
            (p_rest * (1 - p_rest)).sum(),
        ],
        dtype=np.float64,
    )


def estimate_from_sums(
    sums: np.ndarray,
    labelled: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    *,
    min_labelled: int = 30,
    n_boot: int = 200,
    seed: int = 7,
) -> dict[str, Any]:
    """:func:`estimate` from :func:`expected_sums` and the labelled rows.

    Parameters
    ----------
    sums
        :func:`expected_sums` of the rows (or the sum of those of their parts).
    labelled
        Label, flag and weight of each labelled row, in the rows' order (the bootstrap
        draws rows by position); ``None`` when there are no labels at all.
    """
    n_flag, a, b, va, vb = (float(x) for x in sums)
    out: dict[str, Any] = {"flagged": int(n_flag), **_expected(a, b, va, vb, int(n_flag))}
    out["realised"] = None
    out["diverged"] = None
    if labelled is not None:
        out["realised"] = _realised(*labelled, min_labelled, n_boot, seed)
        out["diverged"] = _diverged(out)
    return out


def _expected(a: float, b: float, va: float, vb: float, n_flag: int) -> dict[str, Any]:
    """Expected precision and recall from the expected true positives ``a`` and false
    negatives ``b`` and their variances."""
    out: dict[str, Any] = {"precision": None, "precision_interval": None}
    if n_flag:
        p, sd = a / n_flag, math.sqrt(va) / n_flag
        out.update(precision=p, precision_interval=_clip(p, sd))
    out.update(recall=None, recall_interval=None)
    if a + b > 0:
        r = a / (a + b)
        sd = math.sqrt(b * b * va + a * a * vb) / (a + b) ** 2
        out.update(recall=r, recall_interval=_clip(r, sd))
    return out


def _clip(value: float, sd: float) -> list[float]:
    return [max(0.0, value - _Z * sd), min(1.0, value + _Z * sd)]


def _realised(
    y: np.ndarray, flag: np.ndarray, w: np.ndarray, min_labelled: int, n_boot: int, seed: int
) -> dict[str, Any] | None:
    if int(flag.sum()) < min_labelled:
        return {
            "labelled": int(y.size),
            "labelled_flagged": int(flag.sum()),
            "precision": None,
            "recall": None,
        }
    precision, recall = _weighted(y, flag, w)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, y.size, size=(n_boot, y.size))
    boot = np.array([_weighted(y[i], flag[i], w[i]) for i in draws], dtype=np.float64)
    return {
        "labelled": int(y.size),
        "labelled_flagged": int(flag.sum()),
        "precision": precision,
        "precision_interval": _percentiles(boot[:, 0]),
        "recall": recall,
        "recall_interval": _percentiles(boot[:, 1]),
    }


def _weighted(y: np.ndarray, flag: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    tp = float((w * y * flag).sum())
    flagged = float((w * flag).sum())
    positives = float((w * y).sum())
    return (tp / flagged if flagged else math.nan, tp / positives if positives else math.nan)


def _percentiles(values: np.ndarray) -> list[float] | None:
    kept = values[~np.isnan(values)]
    if kept.size == 0:
        return None
    low, high = np.quantile(kept, [0.025, 0.975])
    return [float(low), float(high)]


def _diverged(out: dict[str, Any]) -> bool | None:
    real = out["realised"]
    if not real or real.get("precision") is None:
        return None
    verdicts = []
    for metric in ("precision", "recall"):
        interval, value = real.get(f"{metric}_interval"), out[metric]
        if interval is not None and value is not None:
            verdicts.append(not interval[0] <= value <= interval[1])
    return any(verdicts) if verdicts else None
