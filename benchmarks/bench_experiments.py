"""Benchmarks of experiments/: logging a training run, the gate, the report, the champion.

Prints figures; asserts nothing.  Trains one model on a synthetic feature table of
``--rows`` rows (5 features, 4 protected attributes) into a fresh local store under a
temporary folder, then times (wall and CPU seconds, since the machine is shared):

- creating the SQLite tracking store (its schema migrations);
- ``log_training_run`` without and with the oversight report;
- ``mlflow.lightgbm.log_model`` alone, with pinned requirements (what we do) and with
  MLflow inferring them (its default, the peer);
- ``build_report`` (and the report's size), ``promote``, ``promotion_history``;
- ``champion_bundle_dir`` cold (download) and warm (cache).

Usage::

    python benchmarks/bench_experiments.py
    python benchmarks/bench_experiments.py --rows 20000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

SPEC = """
[dataset]
id = "case_id"
time = "submitted_at"
label = "violation"
protected = ["nationality", "sex", "birth_date", "marital_status"]
categorical = ["region"]
features = ["employer_score", "signal", "noise", "region", "tenure"]
"""


def _table(n: int, seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n)
    employer = (sex == "M") * 1.0 + rng.normal(size=n)
    signal = rng.normal(size=n)
    logit = -2.5 + 1.2 * employer + 1.2 * signal
    start = datetime(2024, 1, 1)
    return pl.DataFrame(
        {
            "case_id": [f"C{i:07d}" for i in range(n)],
            "submitted_at": [
                start + timedelta(minutes=int(m)) for m in np.sort(rng.integers(0, 1_000_000, n))
            ],
            "violation": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
            "employer_score": employer,
            "signal": signal,
            "noise": rng.normal(size=n),
            "region": rng.choice(["north", "south", "east"], n),
            "tenure": rng.integers(0, 240, n),
            "nationality": rng.choice(["IDN", "MYS", "PHL", "AUS"], n),
            "sex": sex,
            "birth_date": [date(2000 - int(a), 1, 1) for a in rng.integers(0, 60, n)],
            "marital_status": rng.choice(["single", "married"], n),
        }
    )


def _time(label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(
        f"{label:<48} {time.perf_counter() - wall:8.2f} s wall {time.process_time() - cpu:8.2f}"
        " s CPU"
    )
    return out


def _log_model_alone(result: Any, infer: bool) -> None:
    import mlflow
    import mlflow.lightgbm

    from experiments._model import example_frame

    example = example_frame(result)
    extra = {} if infer else {"pip_requirements": ["lightgbm", "pandas", "numpy"]}
    with mlflow.start_run():
        mlflow.lightgbm.log_model(
            result.bundle.booster, name="model", input_example=example, **extra
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import matplotlib

    matplotlib.use("Agg")
    from experiments import (
        build_report,
        champion_bundle_dir,
        client_for,
        log_training_run,
        promote,
        promotion_history,
    )
    from models import train_table
    from risk.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-experiments-") as tmp:
        root = Path(tmp)
        _table(args.rows).write_parquet(root / "table.parquet")
        (root / "spec.toml").write_text(SPEC, encoding="utf-8")
        base = Settings(data_dir=root / "data")
        fairness = base.fairness.model_copy(
            update={"ratio_low": 0.01, "ratio_high": 100.0, "metrics": ["fnr"]}
        )
        settings = base.model_copy(update={"fairness": fairness})
        print(f"rows {args.rows}; store {settings.tracking_uri}")
        result = _time(
            "train_table (for reference)",
            lambda: train_table(root / "table.parquet", root / "spec.toml", settings=settings),
        )
        _time("create the tracking store", lambda: client_for(settings).search_experiments())
        run = dict(settings=settings, data_dir=root, trained_by="ana")
        _time(
            "log_training_run, report=False (first)",
            lambda: log_training_run(result, report=False, **run),
        )
        _time(
            "log_training_run, report=False", lambda: log_training_run(result, report=False, **run)
        )
        info = _time("log_training_run, report=True", lambda: log_training_run(result, **run))
        _time(
            "mlflow.lightgbm.log_model, pinned requirements",
            lambda: _log_model_alone(result, infer=False),
        )
        _time(
            "mlflow.lightgbm.log_model, inferred (default)",
            lambda: _log_model_alone(result, infer=True),
        )
        path = _time(
            "build_report", lambda: build_report(info.version, root / "r", settings=settings)
        )
        print(f"{'report size':<48} {path.stat().st_size / 1e6:8.2f} MB")
        _time("promote (gate passes)", lambda: promote(info.version, by="bob", settings=settings))
        _time("promotion_history", lambda: promotion_history(settings))
        _time("champion_bundle_dir (cold: download)", lambda: champion_bundle_dir(settings))
        _time("champion_bundle_dir (warm: cache)", lambda: champion_bundle_dir(settings))


if __name__ == "__main__":
    main()
