"""The monitor on Dask (``local:2``) against the single-machine monitor of the same parts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from models.fairness import read_scores
from models.monitoring import build_profile, build_profile_dask, monitor, monitor_dask
from risk.cli import app
from risk.errors import DataFileError, MonitorError
from risk.io import write_partitioned
from risk.settings import MonitorSettings


def _close(a: Any, b: Any, path: str = "") -> None:
    """Equal structures: integers, booleans and text exactly, floats to 1e-12."""
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12, (path, a, b)
    else:
        assert type(a) is type(b) and a == b, (path, a, b)


@pytest.fixture(scope="module")
def current(world_trained, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world's test split in three interleaved parts (every chunk spans all three) and
    an empty part: times cut to the day (ties across parts), a third of the labels
    unknown, review weights, a feature with missing values, a category the reference
    never saw."""
    features, frame = world_trained.test_features, world_trained.test_frame
    i = np.arange(features.height)

    def blank(s: pl.Series, rows: np.ndarray, value: Any = None) -> pl.Series:
        return s.clone().scatter(rows, value)  # scatter works in place: the fixture's stays

    table = features.with_columns(
        frame["submitted_at"].dt.truncate("1d"),
        blank(frame["label"].cast(pl.Float64), i[i % 3 == 0]),
        pl.Series("weight", np.where(i % 5 == 0, 4.0, 1.0)),
        frame["nationality"],
        frame["sex"],
        blank(features["funds_per_day_usd"], i[i % 7 == 0]),
        blank(features["visa_type"].cast(pl.String), i[i % 11 == 0], "diplomatic"),
    )
    folder = tmp_path_factory.mktemp("monitor-dask") / "current"
    write_partitioned(table, folder, key=pl.Series(i % 3), name="slice")
    (folder / "slice=9").mkdir()
    table.head(0).write_parquet(folder / "slice=9" / "part-0.parquet")
    return folder


# June 2025 holds 140 rows of the split: with a minimum of 150 it is a chunk too small to test
KWARGS = {"label": "label", "weight": "weight", "groups": ["nationality", "sex"],
          "settings": MonitorSettings(min_rows=150)}  # fmt: skip


@pytest.mark.parametrize(
    "chunking", [{"time": "submitted_at", "by": "month"}, {}], ids=["by-month", "one-chunk"]
)
def test_monitor_on_dask_equals_one_machine(
    dask_client, world_trained, saved_world_bundle: Path, current: Path, chunking: dict
) -> None:
    one = monitor(world_trained.bundle, read_scores(current), **KWARGS, **chunking)
    spread = monitor_dask(dask_client, saved_world_bundle, current, **KWARGS, **chunking)
    whole = one.to_dict()
    _close(spread.to_dict(), whole)
    assert [(a["rule"], a["start"], a["value"]) for a in spread.alerts] == [
        (a["rule"], a["start"], a["value"]) for a in one.alerts
    ]
    statuses = [c["status"] for c in whole["chunks"]]
    assert statuses == (["too few"] + ["tested"] * 6 if chunking else ["tested"])
    tested = [c for c in whole["chunks"] if c["status"] == "tested"]
    assert tested[0]["attribution_rows"] == min(tested[0]["n"], 500)
    visa = tested[0]["features"]["visa_type"]
    assert visa["n_current"] == tested[0]["n"]  # the unseen category is counted
    assert tested[0]["estimate"]["realised"]["labelled"] < tested[0]["n"]


def test_a_part_lacking_a_column_is_named(dask_client, saved_world_bundle: Path, current: Path,
                                          tmp_path: Path) -> None:  # fmt: skip
    folder = tmp_path / "current"
    for name in ("slice=0", "slice=1"):
        (folder / name).mkdir(parents=True)
    pl.read_parquet(current / "slice=0" / "part-0.parquet").write_parquet(
        folder / "slice=0" / "part-0.parquet"
    )
    lacking = pl.read_parquet(current / "slice=1" / "part-0.parquet").drop("tamper_score", "sex")
    lacking.write_parquet(folder / "slice=1" / "part-0.parquet")
    with pytest.raises(DataFileError) as err:
        monitor_dask(dask_client, saved_world_bundle, folder, **KWARGS)
    assert err.value.message == (
        f"{folder / 'slice=1' / 'part-0.parquet'} lacks the columns tamper_score and sex,"
        f" which other parts of {folder} hold"
    )


def test_a_part_whose_time_has_another_type_is_named(
    dask_client, saved_world_bundle: Path, current: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "current"
    for name in ("slice=0", "slice=1"):
        (folder / name).mkdir(parents=True)
        frame = pl.read_parquet(current / name / "part-0.parquet")
        if name == "slice=1":
            frame = frame.with_columns(pl.col("submitted_at").dt.strftime("%Y-%m-%d"))
        frame.write_parquet(folder / name / "part-0.parquet")
    with pytest.raises(DataFileError) as err:
        monitor_dask(dask_client, saved_world_bundle, folder, time="submitted_at", by="month")
    assert err.value.message == (
        f"{folder / 'slice=1' / 'part-0.parquet'}: time column 'submitted_at' holds String,"
        f" but {folder / 'slice=0' / 'part-0.parquet'} holds Datetime(time_unit='us',"
        " time_zone=None)"
    )


def test_reference_profile_on_dask_equals_one_machine(
    dask_client, world_trained, saved_world_bundle: Path, current: Path
) -> None:
    settings = MonitorSettings()
    one = build_profile(world_trained.bundle, read_scores(current), settings)
    spread = build_profile_dask(dask_client, saved_world_bundle, current, settings)
    _close(spread.to_dict(), one.to_dict())
    treated = [f.treated_as for f in one.features.values()]
    assert (treated.count("numeric"), treated.count("categorical")) == (22, 25)
    assert "diplomatic" in one.features["visa_type"].categories


def test_a_reference_without_a_model_feature_is_refused(
    dask_client, saved_world_bundle: Path, current: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "reference"
    folder.mkdir()
    pl.read_parquet(current / "slice=0" / "part-0.parquet").drop("tamper_score").write_parquet(
        folder / "part-0.parquet"
    )
    with pytest.raises(MonitorError) as err:
        build_profile_dask(dask_client, saved_world_bundle, folder, MonitorSettings())
    assert err.value.message == "the reference data lacks the model's feature tamper_score"


def test_cli_monitor_on_a_scheduler_address(
    dask_client, saved_world_bundle: Path, current: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path / "data"))
    common = ["monitor", "--model", str(saved_world_bundle), "--current", str(current),
              "--reference", str(current / "slice=1"),
              "--time", "submitted_at", "--by", "month", "--label", "label",
              "--groups", "nationality,sex", "--no-track"]  # fmt: skip
    runner = CliRunner()
    one = runner.invoke(app, [*common, "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    args = [*common, "--out", str(tmp_path / "dask"), "--engine", "dask"]
    dask = runner.invoke(app, [*args, "--scheduler", dask_client.scheduler.address])
    assert dask.exit_code == 0, dask.output
    _close(
        json.loads((tmp_path / "dask" / "monitor.json").read_text()),
        json.loads((tmp_path / "one" / "monitor.json").read_text()),
    )
    assert dask.output.replace(str(tmp_path / "dask"), "OUT") == one.output.replace(
        str(tmp_path / "one"), "OUT"
    )


def test_cli_monitor_of_the_store_has_no_dask_engine(tmp_path: Path) -> None:
    args = ["monitor", "--from", "2025-01-01", "--to", "2025-01-31", "--engine", "dask"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        "error: --engine dask monitors a --current folder of parts; --from/--to read the"
        " service's store, on one machine\n"
    )


def test_csv_is_refused_before_any_task(saved_world_bundle: Path, tmp_path: Path) -> None:
    table = tmp_path / "current.csv"
    table.write_text("tamper_score\n0.5\n")
    with pytest.raises(DataFileError) as err:
        monitor_dask(None, saved_world_bundle, table)  # no cluster: refused before any task
    assert err.value.message == (
        f"{table}: the Dask engine reads Parquet (a folder of parts or one .parquet file);"
        " this is not one (read CSV with the polars engine)"
    )
