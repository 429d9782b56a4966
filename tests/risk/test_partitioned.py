"""Partitioned worlds: ``risk synth --partition-by month`` and readers of partitioned folders."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from risk.errors import DataFileError
from risk.io import load_tables, replace_folder, scan_table, write_partitioned
from risk.synth import synthesize
from risk.validation import validate_dir

TABLES = ("applications", "documents", "travel_history", "prior_decisions", "sponsors",
          "outcomes", "truth")  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same 400-application world as files and partitioned by month."""
    flat, parted = tmp_path_factory.mktemp("flat"), tmp_path_factory.mktemp("parted")
    synthesize(400, 11, flat, years=1)
    synthesize(400, 11, parted, years=1, partition_by="month")
    return flat, parted


def test_partitioned_world_is_byte_deterministic(worlds, tmp_path: Path) -> None:
    _, parted = worlds
    synthesize(400, 11, tmp_path, years=1, partition_by="month")
    assert _files(tmp_path) == _files(parted)


def test_layout_is_hive_style_by_month_and_manifest_hashes_every_part(worlds) -> None:
    _, parted = worlds
    months = sorted(p.name for p in (parted / "applications").iterdir())
    assert months == [f"month=2023-{m:02d}" for m in range(1, 13)]
    manifest = json.loads((parted / "manifest.json").read_text())
    assert manifest["partition_by"] == "month"
    parts = sorted(p.relative_to(parted).as_posix() for p in parted.rglob("*.parquet"))
    assert sorted(manifest["sha256"]) == parts
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((parted / name).read_bytes()).hexdigest() == digest
    # the key is layout: it is in the path, not in the files
    assert "month" not in pl.read_parquet_schema(
        parted / "applications" / months[0] / "part-0.parquet"
    )


def test_partitioned_tables_read_as_the_flat_world(worlds) -> None:
    flat, parted = worlds
    for name in TABLES:
        one, many = scan_table(flat, name).collect(), scan_table(parted, name).collect()
        assert many.schema == one.schema, name
        key = one.columns[0]
        assert_frame_equal(many.sort(key), one.sort(key))
    # applications are stored in submission order, so partition order keeps their order
    assert_frame_equal(scan_table(parted, "applications").collect(),
                       scan_table(flat, "applications").collect())  # fmt: skip
    assert load_tables(parted, include_truth=True).truth is not None


def test_validate_accepts_a_partitioned_world(worlds) -> None:
    _, parted = worlds
    report = validate_dir(parted)
    assert report.problems == []
    assert report.rows["applications"] == 400


def test_mismatched_partition_schemas_are_named(worlds, tmp_path: Path) -> None:
    _, parted = worlds
    table = tmp_path / "sponsors"
    frame = scan_table(parted, "sponsors").collect()
    write_partitioned(frame, table, key=pl.col("registered_at").dt.year(), name="year")
    parts = sorted(table.rglob("*.parquet"))
    bad = parts[-1]
    pl.read_parquet(bad).with_columns(pl.col("invitations_issued").cast(pl.Float64)).write_parquet(
        bad
    )
    with pytest.raises(DataFileError) as info:
        scan_table(tmp_path, "sponsors")
    original = pl.read_parquet_schema(parts[0])["invitations_issued"]
    assert info.value.message == (
        f"{table}: partition schemas differ: {bad} does not match {parts[0]}"
        f" (invitations_issued: {original} vs Float64)"
    )
    report = validate_dir(tmp_path)
    assert [p.rule for p in report.problems if p.table == "sponsors"] == [
        f"unreadable file: {info.value.message}"
    ]


def test_hive_key_that_is_a_contract_column_is_kept(worlds, tmp_path: Path) -> None:
    _, parted = worlds
    frame = scan_table(parted, "sponsors").collect()
    # a layout written by another tool: the key lives only in the path
    for (kind,), part in frame.partition_by("sponsor_type", as_dict=True).items():
        target = tmp_path / "sponsors" / f"sponsor_type={kind}" / "part-0.parquet"
        target.parent.mkdir(parents=True)
        part.drop("sponsor_type").write_parquet(target)
    read = scan_table(tmp_path, "sponsors").collect()
    assert_frame_equal(read.select(frame.columns).sort("sponsor_id"), frame.sort("sponsor_id"))


def test_empty_partitioned_folder_is_not_a_table(tmp_path: Path) -> None:
    (tmp_path / "sponsors" / "month=2024-01").mkdir(parents=True)
    with pytest.raises(DataFileError) as info:
        scan_table(tmp_path, "sponsors")
    assert info.value.message == (
        f"table 'sponsors' not found: directory {tmp_path} has neither sponsors.parquet"
        " nor sponsors.csv nor sponsors/ (Parquet parts)"
    )


def test_replace_folder_leaves_nothing_when_the_job_fails(tmp_path: Path) -> None:
    out = tmp_path / "scores"
    out.mkdir()
    (out / "old.parquet").write_bytes(b"previous run")
    with pytest.raises(RuntimeError), replace_folder(out) as tmp:
        (tmp / "part-0.parquet").write_bytes(b"half")
        raise RuntimeError("worker lost")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores"]
    assert _files(out) == {"old.parquet": b"previous run"}
    with replace_folder(out) as tmp:
        (tmp / "part-0.parquet").write_bytes(b"whole")
    assert _files(out) == {"part-0.parquet": b"whole"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores"]
