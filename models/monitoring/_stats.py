"""Drift statistics of one feature: PSI, Jensen-Shannon, normalised Wasserstein, KS, chi-square.

Every statistic that scipy offers comes from scipy (``ks_2samp``, ``chi2_contingency``,
``wasserstein_distance``, ``jensenshannon``); only PSI, which scipy lacks, is written here.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.spatial import distance

__all__ = [
    "bin_counts",
    "chi2_p_value",
    "js_distance",
    "ks_p_value",
    "psi",
    "quantile_edges",
    "wasserstein_norm",
]

#: Evidently's floor on the reference spread when normalising the Wasserstein distance.
MIN_SPREAD = 0.001


def psi(reference: np.ndarray, current: np.ndarray, *, epsilon: float) -> float:
    """Population stability index of two count vectors over the same bins.

    ``sum((c - r) * ln(c / r))`` over bin shares; a share of 0 on either side is replaced by
    ``epsilon`` (else one empty bin makes the index infinite).
    """
    r = _shares(reference)
    c = _shares(current)
    r = np.where(r == 0, epsilon, r)
    c = np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))


def js_distance(reference: np.ndarray, current: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, so within [0, 1]) of two count vectors."""
    value = distance.jensenshannon(_shares(reference), _shares(current), base=2)
    # identical shares can give a tiny negative under the square root (NaN)
    return 0.0 if math.isnan(value) else float(value)


def wasserstein_norm(reference: np.ndarray, current: np.ndarray) -> float:
    """Wasserstein distance divided by the reference's standard deviation (as Evidently).

    Each side is given to scipy as its distinct values weighted by their counts: the same
    distance, at a cost that grows with the distinct values (counts and days have few).
    """
    spread = max(float(np.std(reference)), MIN_SPREAD)
    u, u_weights = np.unique(reference, return_counts=True)
    v, v_weights = np.unique(current, return_counts=True)
    return float(stats.wasserstein_distance(u, v, u_weights, v_weights) / spread)


#: Above this many pairs (``n_reference * n_current``) the KS p-value is asymptotic.
KS_EXACT_PAIRS = 1_000_000


def ks_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov p-value.

    scipy's exact method up to :data:`KS_EXACT_PAIRS` pairs of values, its asymptotic
    one above (there the two agree closely, and the exact one costs seconds per test).
    """
    method = "auto" if reference.size * current.size <= KS_EXACT_PAIRS else "asymp"
    return float(stats.ks_2samp(reference, current, method=method).pvalue)


def chi2_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """Chi-square test of homogeneity of two count vectors over the same categories.

    Categories empty on both sides are dropped; with one category left there is nothing to
    test and the p-value is 1.
    """
    table = np.vstack([reference, current]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Inner edges of ``bins`` reference quantile bins (duplicates dropped).

    The outer bins are open, so every current value falls in a bin however far it moved.
    """
    values = values[~np.isnan(values)]
    if values.size == 0:
        return np.empty(0)
    qs = np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts over the bins ``(-inf, e0], (e0, e1], ..., (e_last, inf)`` then missing (NaN)."""
    missing = np.isnan(values)
    idx = np.searchsorted(edges, values[~missing], side="left")
    counts = np.bincount(idx, minlength=edges.size + 1)
    return np.append(counts, missing.sum()).astype(np.int64)


def _shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total > 0 else counts
