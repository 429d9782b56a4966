"""One small feature table and two models trained on it, shared by the experiments tests.

The table is built so that the fairness report fails on ``sex`` with the default
policy: ``employer_score`` is a proxy for sex and drives the label.  The weak
model sees only noise, so it is a real, worse challenger.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from risk.settings import Settings

ROWS = 3000

#: Warnings third-party libraries emit on our paths (pytest runs with ``-W error``):
#: MLflow's SQLAlchemy store, input-example check and pyfunc type hints (at import),
#: shap's colormaps (drawn by ``models``' global plots) and plotly's config check (the
#: fairness HTML report).
THIRD_PARTY_WARNINGS = (
    "ignore:The ``noload`` loader strategy is deprecated:sqlalchemy.exc.SADeprecationWarning",
    "ignore:Operation with range is deprecated:pandas.errors.Pandas4Warning",
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning",
    "ignore:\\s*Unrecognized config options supplied:UserWarning",
    "ignore:.*Any type hint is inferred as AnyType:UserWarning",
)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            for spec in THIRD_PARTY_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


SPEC = """
[dataset]
id = "case_id"
time = "submitted_at"
label = "violation"
protected = ["nationality", "sex", "birth_date", "marital_status", "investigated", "label_known"]
categorical = {categorical}
boolean = {boolean}
features = {features}
"""
TEXT = """
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
    truth = rng.random(rows) < 1 / (1 + np.exp(-logit))
    # Past investigations looked at men more often; only investigated cases carry a label.
    investigated = rng.random(rows) < np.where(sex == "M", 0.8, 0.4)
    violation = (truth & investigated).astype(int)
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
            "investigated": investigated,
            "label_known": investigated,
        }
    )


def _train(tmp: Path, name: str, features: list[str], settings: Settings):
    from models import train_table

    table = tmp / "table.parquet"
    if not table.exists():
        _table().write_parquet(table)
    spec = tmp / f"{name}.toml"

    def toml(names: list[str]) -> str:
        return repr(names).replace("'", '"')

    text = SPEC.format(
        features=toml(features),
        categorical=toml([f for f in features if f == "region"]),
        boolean=toml([f for f in features if f == "prior_refusal"]),
    )
    if "employer_score" in features:
        text += TEXT
    spec.write_text(text, encoding="utf-8")
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
    """The good model (its fairness report fails on sex under the default policy)."""
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


@pytest.fixture(scope="session")
def store_template(tmp_path_factory, train_settings) -> Path:
    """An empty MLflow SQLite store, created once (its schema migrations take seconds)."""
    from experiments import client_for

    data = tmp_path_factory.mktemp("store-template")
    client_for(train_settings.model_copy(update={"data_dir": data})).search_experiments()
    return data / "mlflow.db"


def fresh_settings(root: Path, train_settings: Settings, template: Path) -> Settings:
    """Settings whose data directory (and so tracking store) is a fresh copy under ``root``."""
    data = root / "data"
    data.mkdir(parents=True)
    shutil.copy(template, data / "mlflow.db")
    return train_settings.model_copy(update={"data_dir": data})


@pytest.fixture
def settings(tmp_path, train_settings, store_template) -> Settings:
    """Settings with a fresh tracking store and data directory under ``tmp_path``."""
    return fresh_settings(tmp_path, train_settings, store_template)


def lenient_of(settings: Settings) -> Settings:
    """The same store with a policy every fairness report here passes: a wide band on FNR only.

    (With 5% capacity and few false positives per group, FPR and FDR ratios of 0 are
    common in a 600-row test split, so they are left ungated.)
    """
    fairness = settings.fairness.model_copy(
        update={"ratio_low": 0.01, "ratio_high": 100.0, "metrics": ["fnr"]}
    )
    return settings.model_copy(update={"fairness": fairness})


@pytest.fixture
def lenient(settings) -> Settings:
    """The test's store with a tolerance band wide enough for every fairness report to pass."""
    return lenient_of(settings)


@pytest.fixture(scope="session")
def logged(tmp_path_factory, trained, train_settings, store_template):
    """A store holding one logged run of the good model (strict policy: fairness fails).

    Session-scoped and read-only: tests that change the registry make their own store.
    """
    from experiments import log_training_run

    settings = fresh_settings(tmp_path_factory.mktemp("logged"), train_settings, store_template)
    info = log_training_run(
        trained, settings=settings, data_dir=settings.data_dir, trained_by="ana"
    )
    return settings, info


@pytest.fixture(scope="session")
def evidence(trained, weak, train_settings):
    """Fairness evidence computed once per (model, policy) and passed as ``fairness=``.

    The proxy test inside it is the slowest part of logging a run; runs whose fairness
    evidence is not what a test is about reuse these.
    """
    from experiments import training_fairness_report

    lenient = lenient_of(train_settings)
    return {
        ("good", "strict"): training_fairness_report(trained, train_settings),
        ("good", "lenient"): training_fairness_report(trained, lenient),
        ("weak", "lenient"): training_fairness_report(weak, lenient),
    }
