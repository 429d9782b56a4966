"""Live fairness of one chunk: flag rate and estimated hit rate by group, as ratios.

No labels are needed: the hit rate is the CBPE estimate (mean calibrated probability of
the group's flagged rows).  Groups smaller than the audit's minimum are suppressed; the
reference group is the largest one shown.  Flag-rate ratio intervals come from the
fairness report's bootstrap; hit-rate ratio intervals from the normal approximation of
the log ratio of two means.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from models.fairness._bootstrap import bootstrap_ratio_intervals, rng_for

__all__ = ["group_sums", "live_fairness", "live_fairness_from_sums"]

_Z = 1.959963984540054


def live_fairness(
    groups: pl.DataFrame,
    prob: np.ndarray,
    flag: np.ndarray,
    *,
    min_group_size: int,
    band: tuple[float, float],
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    """Per protected attribute (each column of ``groups``): groups, ratios, intervals, verdicts."""
    sums = {name: group_sums(groups.get_column(name), prob, flag) for name in groups.columns}
    return live_fairness_from_sums(
        sums, min_group_size=min_group_size, band=band, n_boot=n_boot, seed=seed
    )


def group_sums(col: pl.Series, prob: np.ndarray, flag: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per group value (sorted, missing as ``(missing)``): rows, flagged rows, and the sums of
    p and p^2 over the flagged rows; sums of parts of the rows add up to the whole's."""
    values = col.cast(pl.String).fill_null("(missing)").to_numpy()
    names, codes = np.unique(values, return_inverse=True)
    sums = np.stack(
        [
            np.bincount(codes, minlength=names.size).astype(np.float64),
            np.bincount(codes, weights=flag, minlength=names.size),
            np.bincount(codes, weights=prob * flag, minlength=names.size),
            np.bincount(codes, weights=prob * prob * flag, minlength=names.size),
        ],
        axis=1,
    )
    return names.tolist(), sums


def live_fairness_from_sums(
    sums: dict[str, tuple[list[str], np.ndarray]],
    *,
    min_group_size: int,
    band: tuple[float, float],
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    """:func:`live_fairness` from :func:`group_sums` per attribute (values sorted)."""
    return {
        name: _attribute(name, names, s, min_group_size, band, n_boot, seed)
        for name, (names, s) in sums.items()
    }


def _attribute(
    attribute: str,
    names: list[str],
    sums: np.ndarray,
    min_size: int,
    band: tuple[float, float],
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    n = sums[:, 0].astype(np.int64)
    n_flag, p_flag, p2_flag = sums[:, 1], sums[:, 2], sums[:, 3]
    shown = n >= min_size
    if not shown.any():
        hidden = {g: {"n": int(k), "suppressed": True} for g, k in zip(names, n, strict=True)}
        return {"reference": None, "why": "every group is below the minimum size", "groups": hidden}
    ref = int(np.argmax(np.where(shown, n, -1)))
    counts = np.stack(
        [np.zeros_like(n), n_flag.astype(np.int64), n - n_flag.astype(np.int64), np.zeros_like(n)],
        axis=1,
    )
    intervals = bootstrap_ratio_intervals(
        counts, ref, ("flag_rate",), n_boot=n_boot, rng=rng_for(seed, attribute)
    )["flag_rate"]
    out: dict[str, Any] = {}
    for g, name in enumerate(names):
        if not shown[g]:
            out[name] = {"n": int(n[g]), "suppressed": True}
            continue
        flag_ratio = _ratio(n_flag[g] / n[g], n_flag[ref] / n[ref])
        iv = intervals[g]
        hit = _hit(p_flag[g], p2_flag[g], n_flag[g])
        hit_ref = _hit(p_flag[ref], p2_flag[ref], n_flag[ref])
        item = {
            "n": int(n[g]),
            "suppressed": False,
            "flag_rate": float(n_flag[g] / n[g]),
            "flag_rate_ratio": flag_ratio,
            "flag_rate_interval": [iv.low, iv.high],
            "hit_rate_est": hit[0],
            **_hit_ratio(hit, hit_ref, g == ref),
        }
        item["outside"] = _outside(flag_ratio, item["flag_rate_interval"], band) or _outside(
            item["hit_rate_ratio"], item["hit_rate_interval"], band
        )
        out[name] = item
    return {"reference": str(names[ref]), "groups": out}


def _ratio(a: float, b: float) -> float | None:
    return float(a / b) if b > 0 else None


def _hit(sum_p: float, sum_p2: float, n_flag: float) -> tuple[float | None, float]:
    """Mean probability of the flagged rows and the variance of that mean."""
    if n_flag == 0:
        return None, math.nan
    mean = sum_p / n_flag
    var = max(sum_p2 / n_flag - mean * mean, 0.0)
    return float(mean), var / n_flag


def _hit_ratio(hit: tuple, ref: tuple, is_ref: bool) -> dict[str, Any]:
    (m, v), (mr, vr) = hit, ref
    if m is None or mr is None or m <= 0 or mr <= 0:
        return {"hit_rate_ratio": None, "hit_rate_interval": [None, None]}
    ratio = m / mr
    if is_ref:
        return {"hit_rate_ratio": 1.0, "hit_rate_interval": [1.0, 1.0]}
    sd = math.sqrt(v / (m * m) + vr / (mr * mr))
    return {
        "hit_rate_ratio": float(ratio),
        "hit_rate_interval": [float(ratio * math.exp(-_Z * sd)), float(ratio * math.exp(_Z * sd))],
    }


def _outside(ratio: float | None, interval: list, band: tuple[float, float]) -> bool:
    """Outside the band, and the whole interval too (so chance alone cannot explain it)."""
    low, high = interval
    if ratio is None or low is None:
        return False
    if ratio < band[0]:
        return high is not None and high < band[0]
    if ratio > band[1]:
        return low > band[1]
    return False
