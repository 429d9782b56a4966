"""Group confusion counts and the rates derived from them, vectorised with numpy.

Definitions (the same as fairlearn's): with TP, FP, TN, FN the confusion cells,
flag rate = (TP+FP)/n, FPR = FP/(FP+TN), FDR = FP/(TP+FP), FNR = FN/(FN+TP),
TPR = TP/(TP+FN), precision = TP/(TP+FP).  A rate whose denominator is zero is
undefined: NaN here, ``null`` with a reason in the published JSON.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = [
    "RATE_DENOMINATORS",
    "RATE_NAMES",
    "auc_by_group",
    "confusion_counts",
    "ece_by_group",
    "rates_from_counts",
]

#: Every per-group rate, in report order.
RATE_NAMES: tuple[str, ...] = ("flag_rate", "fpr", "fdr", "fnr", "tpr", "precision")

#: Why each rate can be undefined: what its denominator counts.
RATE_DENOMINATORS: dict[str, str] = {
    "flag_rate": "rows",
    "fpr": "actual negatives (FP+TN)",
    "fdr": "flagged rows (TP+FP)",
    "fnr": "actual positives (FN+TP)",
    "tpr": "actual positives (TP+FN)",
    "precision": "flagged rows (TP+FP)",
}


def confusion_counts(codes: np.ndarray, y: np.ndarray, f: np.ndarray, n_groups: int) -> np.ndarray:
    """Confusion cells per group.

    Parameters
    ----------
    codes
        Group index of each row, in ``range(n_groups)``.
    y, f
        Binary truth and flag (0/1) of each row.
    n_groups
        Number of groups.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_groups, 4)``: columns TP, FP, TN, FN.
    """
    y = y.astype(np.int64)
    cell = np.where(f == 1, 1 - y, 2 + y)  # TP=0, FP=1, TN=2, FN=3
    flat = np.bincount(codes.astype(np.int64) * 4 + cell, minlength=n_groups * 4)
    return flat.reshape(n_groups, 4)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def rates_from_counts(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Every rate from confusion cells of any leading shape ``(..., 4)``.

    Returns
    -------
    dict of str to numpy.ndarray
        One float array per name in :data:`RATE_NAMES`; NaN where the denominator is zero.
    """
    counts = np.asarray(counts, dtype=np.float64)
    tp, fp, tn, fn = (counts[..., i] for i in range(4))
    n = tp + fp + tn + fn
    return {
        "flag_rate": _ratio(tp + fp, n),
        "fpr": _ratio(fp, fp + tn),
        "fdr": _ratio(fp, tp + fp),
        "fnr": _ratio(fn, fn + tp),
        "tpr": _ratio(tp, tp + fn),
        "precision": _ratio(tp, tp + fp),
    }


def auc_by_group(codes: np.ndarray, y: np.ndarray, score: np.ndarray, n_groups: int) -> np.ndarray:
    """ROC AUC per group by the Mann-Whitney rank statistic (ties count one half).

    NaN for a group that lacks positives or negatives.
    """
    frame = pl.DataFrame({"g": codes, "y": y.astype(np.int64), "s": score})
    ranked = frame.with_columns(r=pl.col("s").rank("average").over("g"))
    agg = ranked.group_by("g").agg(
        pos=pl.col("y").sum(),
        n=pl.len(),
        rank_pos=(pl.col("r") * pl.col("y")).sum(),
    )
    pos = np.zeros(n_groups)
    tot = np.zeros(n_groups)
    rank_pos = np.zeros(n_groups)
    g = agg["g"].to_numpy()
    pos[g] = agg["pos"].to_numpy()
    tot[g] = agg["n"].to_numpy()
    rank_pos[g] = agg["rank_pos"].to_numpy()
    neg = tot - pos
    return _ratio(rank_pos - pos * (pos + 1) / 2, pos * neg)


def ece_by_group(
    codes: np.ndarray, y: np.ndarray, score: np.ndarray, n_groups: int, bins: int
) -> np.ndarray:
    """Expected calibration error per group on ``bins`` equal-width bins of [0, 1].

    ECE = sum over bins of (n_bin / n) * |mean score - positive rate| in the bin; a score
    of exactly 1 falls in the last bin.
    """
    b = np.minimum((score * bins).astype(np.int64), bins - 1)
    key = codes.astype(np.int64) * bins + b
    size = n_groups * bins
    s_sum = np.bincount(key, weights=score, minlength=size).reshape(n_groups, bins)
    y_sum = np.bincount(key, weights=y.astype(np.float64), minlength=size).reshape(n_groups, bins)
    n = np.bincount(codes.astype(np.int64), minlength=n_groups)
    return _ratio(np.abs(s_sum - y_sum).sum(axis=1), n)
