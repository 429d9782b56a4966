"""The legacy checklist: the fixed rules agencies used before risk models.

A case scores one point per rule it hits; the model must beat this at review capacity.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["CHECKLIST", "checklist_score"]

_MRZ_CHECKS = (
    "mrz_number_check_ok",
    "mrz_birth_check_ok",
    "mrz_expiry_check_ok",
    "mrz_optional_check_ok",
    "mrz_composite_check_ok",
)

#: The rules, as (description, polars expression over catalogue features).
CHECKLIST: tuple[tuple[str, pl.Expr], ...] = (
    ("an earlier overstay", pl.col("prior_overstay_count").fill_null(0) > 0),
    (
        "a failed MRZ check digit",
        pl.any_horizontal([pl.col(c).not_().fill_null(False) for c in _MRZ_CHECKS]),
    ),
    ("a tamper score above 0.7", pl.col("tamper_score").fill_null(0.0) > 0.7),
)


def checklist_score(features: pl.DataFrame) -> np.ndarray:
    """Number of checklist rules each case hits (0 to ``len(CHECKLIST)``)."""
    hits = [expr.cast(pl.Int8).alias(f"rule{i}") for i, (_, expr) in enumerate(CHECKLIST)]
    return features.select(pl.sum_horizontal(hits)).to_series().to_numpy().astype(np.float64)
