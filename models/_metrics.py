"""Test metrics: discrimination, calibration, and performance at review capacity."""

from __future__ import annotations

import numpy as np

__all__ = ["expected_calibration_error", "metrics_at_capacity", "score_metrics", "top_k_mask"]


def top_k_mask(score: np.ndarray, capacity: float, *, seed: int = 0) -> np.ndarray:
    """Mask of the top ``capacity`` share of rows by score; ties broken by a seeded shuffle.

    Ties matter for coarse scores such as a checklist's count of rules hit: without a fair
    tie-break, row order would decide who is reviewed.
    """
    score = np.asarray(score, dtype=np.float64)
    n = score.size
    k = max(1, round(capacity * n)) if n else 0
    tiebreak = np.random.default_rng(seed).permutation(n)
    order = np.lexsort((tiebreak, -score))
    mask = np.zeros(n, dtype=bool)
    mask[order[:k]] = True
    return mask


def expected_calibration_error(y: np.ndarray, prob: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over ``bins`` equal-width probability bins."""
    y = np.asarray(y, dtype=np.float64)
    prob = np.asarray(prob, dtype=np.float64)
    idx = np.minimum((prob * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.sum() * abs(prob[sel].mean() - y[sel].mean())
    return float(total / max(y.size, 1))


def metrics_at_capacity(y: np.ndarray, flagged: np.ndarray) -> dict[str, float | None]:
    """Precision, recall and lift among flagged rows."""
    y = np.asarray(y, dtype=bool)
    flagged = np.asarray(flagged, dtype=bool)
    tp = int(np.sum(y & flagged))
    n_flag, n_pos = int(flagged.sum()), int(y.sum())
    base = n_pos / y.size if y.size else 0.0
    precision = tp / n_flag if n_flag else None
    return {
        "flag_rate": n_flag / y.size if y.size else None,
        "precision_at_capacity": precision,
        "recall_at_capacity": tp / n_pos if n_pos else None,
        "lift_at_capacity": precision / base if precision is not None and base else None,
    }


def score_metrics(
    y: np.ndarray, prob: np.ndarray, flagged: np.ndarray, *, probabilistic: bool = True
) -> dict[str, float | None]:
    """All test metrics of one scoring against one set of 0/1 labels.

    ROC AUC and PR AUC are ``None`` when the labels hold only one class; Brier score and
    calibration error are ``None`` when the score is not a probability
    (``probabilistic=False``, e.g. a checklist's count of rules hit).
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype=np.int8)
    both = 0 < y.sum() < y.size
    out: dict[str, float | None] = {
        "n": int(y.size),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if y.size else None,
        "roc_auc": float(roc_auc_score(y, prob)) if both else None,
        "pr_auc": float(average_precision_score(y, prob)) if both else None,
        "brier": float(brier_score_loss(y, prob)) if y.size and probabilistic else None,
        "ece": expected_calibration_error(y, prob) if probabilistic else None,
    }
    out.update(metrics_at_capacity(y, flagged))
    return out
