"""A feature table the synthetic world did not produce: sklearn's make_classification."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
from sklearn.datasets import make_classification

SPEC = """
[dataset]
id = "case_id"
time = "opened_at"
label = "violation"
protected = ["gender"]
categorical = ["region"]
boolean = ["prior_flag"]
features = ["amount", "x2", "x3", "x4", "x5", "region", "prior_flag"]

[feature.amount]
description = "Declared amount"
unit = "USD"
reason_en = "Declared amount of {value} {unit}"
reason_id = "Jumlah yang dinyatakan {value} {unit}"

[feature.region]
description = "Region of the office"

[feature.prior_flag]
description = "Flagged before"
"""


def make_table(n: int = 6000, seed: int = 3) -> pl.DataFrame:
    """Cases with numeric, categorical and boolean features, a timestamp and a label."""
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        weights=[0.9],
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    region = np.where(
        X[:, 0] + rng.normal(0, 1, n) > 0.5,
        "north",
        np.where(rng.random(n) < 0.5, "south", "east"),
    )
    start = pl.datetime(2024, 1, 1)
    opened = pl.datetime_range(start, start + pl.duration(hours=n - 1), "1h", eager=True)
    return pl.DataFrame(
        {
            "case_id": [f"c{i:05d}" for i in range(n)],
            "opened_at": opened.dt.to_string("%Y-%m-%dT%H:%M:%S"),
            "amount": X[:, 1],
            **{f"x{j}": X[:, j] for j in range(2, 6)},
            "region": region,
            "prior_flag": (X[:, 0] + rng.normal(0, 1, n)) > 1.0,
            "gender": rng.choice(["F", "M"], n),
            "violation": y,
        }
    )


def write_table(directory: Path, n: int = 6000, seed: int = 3) -> tuple[Path, Path]:
    """Write ``cases.csv`` and ``spec.toml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    table, spec = directory / "cases.csv", directory / "spec.toml"
    make_table(n, seed).write_csv(table)
    spec.write_text(SPEC)
    return table, spec
