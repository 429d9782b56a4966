"""Reports from partitioned scores: the same figures as from one file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from models.fairness import fairness_report, read_scores
from models.monitoring import monitor
from risk.io import write_partitioned


def _close(a: Any, b: Any, path: str = "") -> None:
    """Equal structures: integers and text exactly, floats to 1e-12."""
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12, path
    else:
        assert a == b, path


@pytest.fixture(scope="module")
def scored(world_trained, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The session model's scored test split as one file and as parts by month."""
    folder = tmp_path_factory.mktemp("scores")
    frame = world_trained.test_frame
    one = folder / "scores.parquet"
    frame.write_parquet(one)
    parts = folder / "parts"
    write_partitioned(frame, parts, key=pl.col("submitted_at").dt.strftime("%Y-%m"), name="month")
    assert len(list(parts.iterdir())) > 1
    return one, parts


def test_fairness_report_from_parts_equals_one_file(scored) -> None:
    one, parts = scored
    kwargs = {"label": "label", "groups": ["nationality", "sex"], "score": "score",
              "flag": "flag", "intersections": True}  # fmt: skip
    whole = fairness_report(read_scores(one), **kwargs).to_dict()
    split = fairness_report(read_scores(parts), **kwargs).to_dict()
    _close(split, whole)


def test_monitor_from_parts_equals_one_file(world_trained, tmp_path: Path) -> None:
    features = world_trained.test_features.with_columns(
        world_trained.test_frame["submitted_at"], world_trained.test_frame["label"]
    )
    one = tmp_path / "current.parquet"
    features.write_parquet(one)
    parts = tmp_path / "parts"
    write_partitioned(
        features, parts, key=pl.col("submitted_at").dt.strftime("%Y-%m"), name="month"
    )
    kwargs = {"time": "submitted_at", "by": "month", "label": "label"}
    whole = monitor(world_trained.bundle, read_scores(one), **kwargs).to_dict()
    split = monitor(world_trained.bundle, read_scores(parts), **kwargs).to_dict()
    _close(split, whole)
