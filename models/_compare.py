"""Champion against challenger on the same logged applications: ``compare.json``'s content.

Both models replay the period's logged inputs (:mod:`models._backtest`).  Each flags
its ``k`` highest margins, ``k`` being the number of applications the service sent to
review on the model's flag in the period, so the overlap and every estimate compare
the two at the same capacity.
Estimates come from the reviews the service made (:mod:`models._paired`); live
fairness from both models' flags by group with the fairness audit's suppression
(:func:`models.monitoring._fairness.live_fairness`); and what each model relies on
from exact TreeSHAP on a seeded sample of the period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from models._backtest import check_logged, replay_matrix
from models._bundle import Bundle
from models._group_rates import group_false_positive_rates
from models._paired import at_capacity, group_miss_rates, paired_estimates
from models._schema import FeatureSchema
from models.monitoring._fairness import live_fairness

__all__ = ["COMPARE_COLUMNS", "compare_models"]

#: Columns of the logged period :func:`compare_models` reads (besides the groups).
COMPARE_COLUMNS = (
    "score_id",
    "model_version",
    "features",
    "logged_flag",
    "selected",
    "review_propensity",
    "reviewed",
    "confirmed",
)

_FIGURES = ("precision", "recall", "confirmed_per_100_reviews")


def _flat(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``{"precision": x, "precision_ci": [lo, hi], ...}`` (and ``*_reason`` when missing)."""
    out: dict[str, Any] = {}
    for name in _FIGURES:
        f = figures[name]
        out[name], out[f"{name}_ci"] = f["value"], f["ci"]
        if f["value"] is None:
            out[f"{name}_reason"] = f["reason"]
    return out


def _mean_abs_shap(bundle: Bundle, matrix: np.ndarray) -> dict[str, float]:
    contrib = bundle.contributions(matrix)[:, :-1]
    return dict(zip(bundle.feature_names, np.abs(contrib).mean(axis=0).tolist(), strict=True))


def _describe(bundle: Bundle, name: str) -> str:
    text = bundle.texts.get(name)
    return text.description if text is not None and text.description else name


def shap_changes(
    champion: Bundle, challenger: Bundle, a: np.ndarray, b: np.ndarray, top: int = 8
) -> list[dict[str, Any]]:
    """The features whose mean |SHAP| changed most, each with a plain sentence."""
    mine, theirs = _mean_abs_shap(champion, a), _mean_abs_shap(challenger, b)
    rows = []
    for name in dict.fromkeys([*champion.feature_names, *challenger.feature_names]):
        old, new = mine.get(name, 0.0), theirs.get(name, 0.0)
        what = _describe(challenger if name in theirs else champion, name)
        if name not in mine:
            said = f"{what}: new in the challenger (mean |contribution| {new:.3f} log-odds)"
        elif name not in theirs:
            said = f"{what}: the challenger no longer uses it (champion {old:.3f} log-odds)"
        else:
            way = "more" if new > old else "less"
            said = (
                f"{what}: matters {way} to the challenger (mean |contribution| {new:.3f}"
                f" vs {old:.3f} log-odds)"
            )
        rows.append(
            {"feature": name, "champion": old, "challenger": new, "change": new - old, "text": said}
        )
    rows.sort(key=lambda r: -abs(r["change"]))
    return rows[:top]


def _sample(n: int, rows: int, seed: int) -> np.ndarray:
    if n <= rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, rows, replace=False))


def compare_models(
    champion: Bundle,
    challenger: Bundle,
    logged: pl.DataFrame,
    *,
    names: tuple[str, str],
    groups: Sequence[str] = (),
    fairness: Any = None,
    shap_rows: int = 2000,
    seed: int = 7,
    encodings: Mapping[str, FeatureSchema] | None = None,
) -> dict[str, Any]:
    """Compare two models on one period's logged applications.

    Parameters
    ----------
    champion, challenger
        The two models; the logged rows must hold both models' features.
    logged
        One row per logged score with :data:`COMPARE_COLUMNS` and the ``groups``.
    names
        The two models' names as the report shows them.
    groups
        Protected-attribute columns of ``logged`` for the live fairness.
    fairness
        :class:`risk.settings.FairnessSettings` (minimum group size, ratio band,
        bootstrap draws, seed).
    shap_rows, seed
        How many rows (a seeded sample) the mean |SHAP| comparison uses.
    encodings
        The schemas of the logged rows' encodings, by id (see
        :func:`models._backtest.replay_matrix`).

    Returns
    -------
    dict
        ``compare.json`` without the period and verdicts (see :mod:`models._verdict`).

    Raises
    ------
    FeatureError
        The logged rows lack a feature of either model (named).
    """
    labels = (f"the champion {names[0]}", f"the challenger {names[1]}")
    check_logged(champion, logged, label=labels[0], encodings=encodings)
    check_logged(challenger, logged, label=labels[1], encodings=encodings)
    a_matrix = replay_matrix(champion, logged, encodings=encodings, label=labels[0])
    b_matrix = replay_matrix(challenger, logged, encodings=encodings, label=labels[1])
    a, b = champion.score(a_matrix), challenger.score(b_matrix)
    # The capacity is what the service actually sent to review on the model's flag in
    # the period; each model flags its own top k (the live champion's flags, unless a
    # threshold override was in force).
    k = int(logged["logged_flag"].sum())
    a_flag, b_flag = at_capacity(a.margin, k), at_capacity(b.margin, k)
    frame = logged.select(COMPARE_COLUMNS[3:]).with_columns(
        a_flag=pl.Series(a_flag), b_flag=pl.Series(b_flag)
    )
    paired = paired_estimates(frame)
    both = int((a_flag & b_flag).sum())
    out: dict[str, Any] = {
        "champion": names[0],
        "challenger": names[1],
        "n": logged.height,
        "capacity": k,
        "overlap": {"both": both, "champion_only": k - both, "challenger_only": k - both},
        "reviews": {
            "decided": int(logged["reviewed"].sum()),
            "blind_sample_decided": int((logged["reviewed"] & ~logged["logged_flag"]).sum()),
        },
        "estimates": {
            "champion": _flat(paired.a),
            "challenger": _flat(paired.b),
            "difference": _flat(paired.difference),
        },
        "cells": paired.cells,
    }
    if groups and fairness is not None:
        frame_groups = logged.select(groups)

        def live(prob: np.ndarray, flag: np.ndarray) -> dict[str, Any]:
            return live_fairness(
                frame_groups,
                prob,
                flag.astype(float),
                min_group_size=fairness.min_group_size,
                band=(fairness.ratio_low, fairness.ratio_high),
                n_boot=fairness.bootstrap,
                seed=fairness.seed,
            )

        with_groups = frame.with_columns(logged.select(groups))
        out["fairness"] = {
            "champion": live(a.probability, a_flag),
            "challenger": live(b.probability, b_flag),
            # estimated from the reviews, where a review can inform them
            "miss_rates": group_miss_rates(
                with_groups, groups, min_group_size=fairness.min_group_size
            ),
            "false_positive_rates": group_false_positive_rates(
                with_groups, groups, min_group_size=fairness.min_group_size
            ),
        }
    else:
        out["fairness"] = {}
    rows = _sample(logged.height, shap_rows, seed)
    out["shap_changes"] = shap_changes(champion, challenger, a_matrix[rows], b_matrix[rows])
    return out
