"""Batch scoring on Dask (``local:2``): scores bit-identical, reasons identical to one machine."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features import build_features
from models import score_batch
from models._dask_batch import score_batch_dask
from risk.io import load_tables, scan_parquet_path, write_partitioned
from risk.settings import Settings
from risk.synth import synthesize


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parted")
    synthesize(1200, 9, out, years=1, partition_by="month")
    return out


def _settings(partition_rows: int = 500_000) -> Settings:
    base = Settings()
    return base.with_overrides(
        engine=base.engine.model_copy(update={"partition_rows": partition_rows, "buckets": 2})
    )


@pytest.mark.slow
def test_feature_table_parts_score_as_one_machine(
    world_trained, world_dir: Path, saved_world_bundle: Path, dask_client, tmp_path: Path
) -> None:
    rows = build_features(load_tables(world_dir)).collect()
    table = tmp_path / "features"
    write_partitioned(rows, table, key=pl.col("submitted_at").dt.year(), name="year")
    expected = tmp_path / "one.parquet"
    score_batch(world_trained.bundle, rows, expected, explain="all")
    out = tmp_path / "scores"
    done = score_batch_dask(dask_client, saved_world_bundle, table, out, explain="all",
                            settings=_settings(4000))  # fmt: skip
    one = pl.read_parquet(expected)
    many = scan_parquet_path(out).collect()
    assert done["rows"] == rows.height
    assert done["flagged"] == int(one["flag"].sum())
    assert done["parts"] == sum(-(-n // 4000) for n in rows.group_by(
        pl.col("submitted_at").dt.year()).len()["len"])  # fmt: skip
    # bit for bit: the scores' float64 bits, the reasons' text
    assert (
        many["score"].to_numpy().view("u8").tolist() == one["score"].to_numpy().view("u8").tolist()
    )
    assert_frame_equal(many, one, check_exact=True)


@pytest.mark.slow
def test_world_folder_scores_through_dask_features(
    small_world: Path, saved_world_bundle: Path, world_trained, dask_client, tmp_path: Path
) -> None:
    rows = build_features(load_tables(small_world)).collect()
    expected = tmp_path / "one.parquet"
    score_batch(world_trained.bundle, rows, expected)
    out = tmp_path / "scores"
    done = score_batch_dask(dask_client, saved_world_bundle, small_world, out, settings=_settings())
    assert done["parts"] == 12
    assert sorted(p.parent.name for p in out.rglob("*.parquet"))[0] == "month=2023-01"
    assert_frame_equal(
        scan_parquet_path(out).collect(), pl.read_parquet(expected), check_exact=True
    )


@pytest.mark.slow
def test_cli_score_batch_on_a_scheduler_address(
    small_world: Path, saved_world_bundle: Path, world_trained, dask_client, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from risk.cli import app

    out = tmp_path / "scores"
    args = ["score-batch", "--model", str(saved_world_bundle), "--data", str(small_world),
            "--out", str(out), "--scheduler", dask_client.scheduler.address]  # fmt: skip
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
    assert result.exit_code == 0, result.output
    many = scan_parquet_path(out).collect()
    flagged = int(many["flag"].sum())
    assert f"scored 1,200 cases in 12 partitions: {flagged:,} flagged for review" in result.output
    expected = tmp_path / "one.parquet"
    score_batch(world_trained.bundle, build_features(load_tables(small_world)).collect(), expected)
    assert_frame_equal(many, pl.read_parquet(expected), check_exact=True)


def test_cli_unreachable_scheduler_is_named(small_world: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from risk.cli import app

    args = ["features", "--data", str(small_world), "--out", str(tmp_path / "f"),
            "--scheduler", "tcp://127.0.0.1:9"]  # fmt: skip
    result = CliRunner(env={"COLUMNS": "300", "RISK_ENGINE__CONNECT_TIMEOUT": "1"}).invoke(
        app, args
    )
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s" in result.output
    assert not (tmp_path / "f").exists()
