"""Features on Dask (``local:2``) equal the polars engine value by value."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features import FACTS, build_features
from features._dask import MEMORY_FACTOR, InputSlice, check_memory, write_features_dask
from features._facts_dask import LOCAL_FACTS, PIECES
from risk.errors import EngineError
from risk.io import load_tables, scan_parquet_path
from risk.settings import Settings
from risk.synth import synthesize


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One 1,500-application world (two years) as files and partitioned by month."""
    flat, parted = tmp_path_factory.mktemp("flat"), tmp_path_factory.mktemp("parted")
    synthesize(1500, 5, flat, years=2)
    synthesize(1500, 5, parted, years=2, partition_by="month")
    return flat, parted


def _settings(partition_rows: int = 500_000, buckets: int = 3) -> Settings:
    base = Settings()
    engine = base.engine.model_copy(
        update={"name": "dask", "partition_rows": partition_rows, "buckets": buckets}
    )
    return base.with_overrides(engine=engine)


@pytest.mark.slow
def test_partitioned_world_features_equal_polars(worlds, dask_client, tmp_path: Path) -> None:
    flat, parted = worlds
    out = tmp_path / "features"
    done = write_features_dask(dask_client, parted, out, settings=_settings())
    expected = build_features(load_tables(flat)).collect()
    assert done["rows"] == 1500
    assert done["parts"] == 24
    assert sorted(p.parent.name for p in out.rglob("*.parquet"))[:2] == [
        "month=2023-01", "month=2023-02"
    ]  # fmt: skip
    assert_frame_equal(scan_parquet_path(out).collect(), expected)
    assert done["nulls"] == expected.null_count().row(0, named=True)


@pytest.mark.slow
def test_row_slices_of_one_file_equal_polars(worlds, dask_client, tmp_path: Path) -> None:
    flat, _ = worlds
    out = tmp_path / "features"
    done = write_features_dask(dask_client, flat, out, settings=_settings(1000, buckets=2))
    assert done["parts"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["part-0.parquet", "part-1.parquet"]
    assert_frame_equal(
        scan_parquet_path(out).collect(), build_features(load_tables(flat)).collect()
    )


def test_pieces_cover_every_fact_column_once() -> None:
    provided: dict[str, list[str]] = {}
    for piece in PIECES:
        provided.setdefault(piece.fact, []).extend(
            c for c in piece.columns if not c.startswith("__")
        )
    local = {f.name for f in LOCAL_FACTS}
    assert {f.name: sorted(f.columns) for f in FACTS if f.name not in local} == {
        name: sorted(cols) for name, cols in provided.items()
    }
    assert len({p.name for p in PIECES}) == len(PIECES)


def test_a_partition_larger_than_a_worker_is_refused_with_advice() -> None:
    small = InputSlice("/w/applications", "/w/applications/a.parquet", 0, 1000, "a", 2**20)
    big = InputSlice("/w/applications", "/w/applications/b.parquet", 0, 1000, "b", 100 * 2**20)
    check_memory([small, big], 2**40, buckets=8)  # fits: no error
    with pytest.raises(EngineError) as info:
        check_memory([small, big], 2**30, buckets=8)
    need = 100 * 2**20 * MEMORY_FACTOR
    assert info.value.message == (
        f"partition b of /w/applications needs about {need / 2**30:.2f} GiB of worker memory"
        f" ({MEMORY_FACTOR} x its 100.0 MiB of uncompressed Parquet) but a worker holds"
        " 1.00 GiB: raise RISK_ENGINE__WORKER_MEMORY, lower RISK_ENGINE__PARTITION_ROWS"
        " (now 1,000 rows), or write the world with --partition-by month"
    )
    assert info.value.status_code == 503


def test_failed_job_leaves_no_output(worlds, dask_client, tmp_path: Path) -> None:
    flat, _ = worlds
    broken = tmp_path / "world"
    broken.mkdir()
    for table in flat.glob("*.parquet"):
        (broken / table.name).write_bytes(table.read_bytes())
    # a documents file without its zone lines fails inside a task, after others finished
    docs = pl.read_parquet(broken / "documents.parquet")
    docs.drop("mrz_line1").write_parquet(broken / "documents.parquet")
    out = tmp_path / "features"
    with pytest.raises(pl.exceptions.ColumnNotFoundError, match="mrz_line1"):
        write_features_dask(dask_client, broken, out, settings=_settings())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["world"]


@pytest.mark.slow
def test_cli_features_on_a_scheduler_address(worlds, dask_client, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from risk.cli import app

    flat, parted = worlds
    out = tmp_path / "features"
    address = dask_client.scheduler.address
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["features", "--data", str(parted), "--out", str(out), "--scheduler", address]
    )
    assert result.exit_code == 0, result.output
    assert f"24 parts written to {out}" in result.output
    assert "1,500 applications x 47 features" in result.output
    assert_frame_equal(
        scan_parquet_path(out).collect(), build_features(load_tables(flat)).collect()
    )


def test_a_shuffle_bucket_larger_than_a_worker_is_refused_with_advice() -> None:
    parts = [InputSlice("/w/a", f"/w/a/{i}.parquet", 0, 1000, str(i), 50 * 2**20) for i in range(8)]
    check_memory(parts, 2**40, buckets=2)  # fits
    with pytest.raises(EngineError) as info:
        check_memory(parts, 2**30, buckets=2)
    need = 200 * 2**20 * MEMORY_FACTOR
    assert info.value.message == (
        f"a shuffle bucket (1/2 of the applications) needs about {need / 2**30:.2f} GiB of"
        " worker memory but a worker holds 1.00 GiB: raise RISK_ENGINE__BUCKETS or"
        " RISK_ENGINE__WORKER_MEMORY"
    )
