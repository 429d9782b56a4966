"""An independent reference: exact Shapley values by brute force over feature subsets.

The value function is the path-dependent (tree-path) one TreeSHAP uses: a feature in the
coalition follows the case's branch; a feature outside it averages both branches, weighted
by how many training rows went each way.  Nothing here calls LightGBM's or shap's SHAP code;
it reads only the tree structure from ``Booster.dump_model()``.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np


def _count(node: dict[str, Any]) -> float:
    return float(node.get("internal_count", node.get("leaf_count", 0)))


def _goes_left(node: dict[str, Any], value: float) -> bool:
    if node["decision_type"] == "==":
        if math.isnan(value) or value < 0:
            return False
        return int(value) in {int(c) for c in str(node["threshold"]).split("||")}
    missing = node["missing_type"]
    nan_missing = missing == "NaN" and math.isnan(value)
    zero_missing = missing == "Zero" and (math.isnan(value) or value == 0.0)
    if nan_missing or zero_missing:
        return bool(node["default_left"])
    if math.isnan(value):
        value = 0.0
    return value <= float(node["threshold"])


def _value(node: dict[str, Any], x: np.ndarray, coalition: frozenset[int]) -> float:
    if "leaf_value" in node:
        return float(node["leaf_value"])
    left, right = node["left_child"], node["right_child"]
    if node["split_feature"] in coalition:
        return _value(left if _goes_left(node, x[node["split_feature"]]) else right, x, coalition)
    cl, cr = _count(left), _count(right)
    return (cl * _value(left, x, coalition) + cr * _value(right, x, coalition)) / (cl + cr)


def brute_force_shapley(booster: Any, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Shapley values of one row over all ``2^M`` coalitions, and the base value ``v(∅)``."""
    trees = [t["tree_structure"] for t in booster.dump_model()["tree_info"]]
    m = x.shape[0]

    def v(coalition: frozenset[int]) -> float:
        return sum(_value(t, x, coalition) for t in trees)

    cache = {frozenset(s): v(frozenset(s)) for k in range(m + 1) for s in combinations(range(m), k)}
    phi = np.zeros(m)
    for i in range(m):
        others = [j for j in range(m) if j != i]
        for k in range(m):
            w = math.factorial(k) * math.factorial(m - k - 1) / math.factorial(m)
            for s in combinations(others, k):
                s = frozenset(s)
                phi[i] += w * (cache[s | {i}] - cache[s])
    return phi, cache[frozenset()]
