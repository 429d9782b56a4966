"""Shared tables for the fairness tests: built once per session, small and seeded."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from models.fairness import FairnessPolicy


@pytest.fixture(scope="session")
def scored() -> pl.DataFrame:
    """4,000 scored rows; every group and pair has positives, negatives and flags."""
    rng = np.random.default_rng(20261128)
    n = 4000
    sex = rng.choice(["F", "M", "X"], n, p=[0.48, 0.47, 0.05])
    nat = rng.choice(["IDN", "MYS", "PHL", "IND"], n, p=[0.4, 0.3, 0.2, 0.1])
    # Some dependence on the groups so that ratios differ from 1.
    base = 0.25 + 0.1 * (sex == "F") + 0.05 * (nat == "PHL")
    label = (rng.random(n) < base).astype(np.int64)
    score = np.clip(0.35 * label + 0.65 * rng.random(n), 0.0, 1.0)
    return pl.DataFrame(
        {
            "label": label,
            "score": score,
            "flagged": (score >= 0.6).astype(np.int64),
            "sex": sex,
            "nationality": nat,
        }
    )


@pytest.fixture(scope="session")
def fast_policy() -> FairnessPolicy:
    """The default band with fewer resamples, for speed."""
    return FairnessPolicy(bootstrap=50, seed=3)
