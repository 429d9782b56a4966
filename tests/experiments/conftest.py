"""One small feature table and two models trained on it, shared by the experiments tests.

The table is built so that the fairness audit fails on ``sex`` with the default
policy: ``employer_score`` is a proxy for sex and drives the label.  The weak
model sees only noise, so it is a real, worse challenger.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from risk.settings import Settings

ROWS = 3000

SPEC = """
[dataset]
id = "case_id"
time = "submitted_at"
label = "violation"
audit_only = ["nationality", "sex", "birth_date", "marital_status"]
categorical = ["region"]
boolean = ["prior_refusal"]
features = {features}

[feature.employer_score]
description = "Employer risk score"
"""


def _table(rows: int = ROWS, seed: int = 11) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows)
    employer = (sex == "M") * 1.5 + rng.normal(size=rows)
    signal = rng.normal(size=rows)
    prior = rng.random(rows) < 0.2
    region = rng.choice(["north", "south", "east"], rows)
    logit = -2.5 + 1.6 * employer + 1.2 * signal + 1.0 * prior
    violation = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    start = datetime(2024, 1, 1)
    submitted = [start + timedelta(hours=int(h)) for h in np.sort(rng.integers(0, 17000, rows))]
    ages = rng.integers(18, 80, rows)
    births = [date(2024 - int(a), 6, 1) for a in ages]
    return pl.DataFrame(
        {
            "case_id": [f"C{i:05d}" for i in range(rows)],
            "submitted_at": submitted,
            "violation": violation,
            "employer_score": employer,
            "signal": signal,
            "noise": rng.normal(size=rows),
            "prior_refusal": prior,
            "region": region,
            "nationality": rng.choice(["IDN", "MYS", "PHL", "AUS"], rows, p=[0.4, 0.3, 0.2, 0.1]),
            "sex": sex,
            "birth_date": births,
            "marital_status": rng.choice(["single", "married", "divorced", "widowed"], rows),
        }
    )


def _train(tmp: Path, name: str, features: list[str], settings: Settings):
    from models import train_table

    table = tmp / "table.parquet"
    if not table.exists():
        _table().write_parquet(table)
    spec = tmp / f"{name}.toml"
    spec.write_text(SPEC.format(features=repr(features).replace("'", '"')), encoding="utf-8")
    return train_table(table, spec, settings=settings)


@pytest.fixture(scope="session")
def train_settings(tmp_path_factory) -> Settings:
    """Small, fast model settings."""
    base = Settings(data_dir=tmp_path_factory.mktemp("train-data"))
    model = base.model.model_copy(
        update={"max_rounds": 60, "num_leaves": 7, "min_data_in_leaf": 20, "num_threads": 1}
    )
    fairness = base.fairness.model_copy(update={"bootstrap": 20})
    return base.model_copy(update={"model": model, "fairness": fairness})


@pytest.fixture(scope="session")
def trained(tmp_path_factory, train_settings):
    """The good model (its audit fails on sex under the default policy)."""
    tmp = tmp_path_factory.mktemp("table")
    return _train(
        tmp,
        "good",
        ["employer_score", "signal", "prior_refusal", "region", "noise"],
        train_settings,
    )


@pytest.fixture(scope="session")
def weak(tmp_path_factory, train_settings):
    """A worse model: it only sees noise."""
    tmp = tmp_path_factory.mktemp("table-weak")
    return _train(tmp, "weak", ["noise", "region"], train_settings)


@pytest.fixture
def settings(tmp_path, train_settings) -> Settings:
    """Settings with a fresh tracking store and data directory under ``tmp_path``."""
    return train_settings.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def lenient(settings) -> Settings:
    """The same store with a tolerance band wide enough for every audit to pass."""
    fairness = settings.fairness.model_copy(update={"ratio_low": 0.01, "ratio_high": 100.0})
    return settings.model_copy(update={"fairness": fairness})
