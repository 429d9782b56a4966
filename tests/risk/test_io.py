"""Table I/O: finding files, typed CSV reading with cell-level errors, deterministic writes."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from contract_world import set_csv_cell

from risk.contract import TABLES, TRUTH
from risk.errors import DataContractError, DataFileError
from risk.io import RawTables, load_tables, scan_table, table_path, write_table
from risk.validation import Problem


def test_table_path_prefers_parquet(tmp_path: Path, world) -> None:
    write_table(world["sponsors"], tmp_path / "sponsors.csv")
    assert table_path(tmp_path, "sponsors") == tmp_path / "sponsors.csv"
    write_table(world["sponsors"], tmp_path / "sponsors.parquet")
    assert table_path(tmp_path, "sponsors") == tmp_path / "sponsors.parquet"


def test_table_path_names_directory_and_names_tried(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as info:
        table_path(tmp_path, "sponsors")
    assert info.value.message == (
        f"table 'sponsors' not found: directory {tmp_path} has neither sponsors.parquet"
        " nor sponsors.csv nor sponsors/ (Parquet parts)"
    )
    with pytest.raises(DataFileError, match="directory /no/such/dir does not exist"):
        table_path(Path("/no/such/dir"), "sponsors")


def test_load_tables_round_trips_with_contract_types(world_dir: Path, world) -> None:
    tables = load_tables(world_dir)
    assert tables.truth is None
    for name, table in TABLES.items():
        frame = getattr(tables, name)
        assert isinstance(frame, pl.LazyFrame)
        assert frame.collect_schema() == table.schema
        assert frame.collect().equals(world[name])


def test_raw_tables_is_frozen(world_dir: Path) -> None:
    tables = load_tables(world_dir)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.applications = tables.documents  # type: ignore[misc]


def test_truth_is_loaded_only_on_request(world_dir: Path, suffix: str) -> None:
    with pytest.raises(DataFileError, match="table 'truth' not found"):
        load_tables(world_dir, include_truth=True)
    truth = pl.DataFrame(
        {"application_id": ["A1"], "overstay": [True], "document_fraud": [False],
         "misrepresentation": [False], "any_violation": [True]},
        schema=TRUTH.schema,
    )  # fmt: skip
    write_table(truth, world_dir / f"truth{suffix}")
    loaded = load_tables(world_dir, include_truth=True)
    assert isinstance(loaded, RawTables)
    assert loaded.truth.collect().equals(truth)


@pytest.mark.parametrize(("table", "row", "column", "text", "rule"), [
    ("travel_history", 2, "entry_date", "2023-13-01", "not a date (YYYY-MM-DD)"),
    ("travel_history", 1, "exit_date", "20/01/2022", "not a date (YYYY-MM-DD)"),
    ("applications", 3, "intended_stay_days", "30.5", "not an integer (Int32)"),
    ("applications", 1, "employment_tenure_months", "99999999999", "not an integer (Int32)"),
    ("applications", 2, "declared_funds_usd", "lots", "not a number"),
    ("outcomes", 4, "investigated", "maybe", "not a boolean (true/false)"),
    ("applications", 5, "submitted_at", "yesterday",
     "not a datetime (ISO 8601, YYYY-MM-DDTHH:MM:SS[.ffffff])"),
])  # fmt: skip
def test_csv_cell_that_does_not_parse_names_row_column_value(
    tmp_path: Path, world, table, row, column, text, rule
) -> None:
    path = tmp_path / f"{table}.csv"
    write_table(world[table], path)
    set_csv_cell(path, row, column, text)
    with pytest.raises(DataContractError) as info:
        scan_table(tmp_path, table)
    key = world[table][TABLES[table].key[0]][row - 1]
    assert info.value.problems == [Problem(table, str(path), row, key, column, text, rule)]
    assert f"row {row}, column {column!r}, value {text!r}: {rule}" in info.value.message
    assert info.value.to_body()["detail"][0]["row"] == row


def test_csv_reports_every_bad_cell(tmp_path: Path, world) -> None:
    path = tmp_path / "sponsors.csv"
    write_table(world["sponsors"], path)
    set_csv_cell(path, 1, "registered_at", "2010-02-30")
    set_csv_cell(path, 2, "invitations_issued", "many")
    with pytest.raises(DataContractError) as info:
        scan_table(tmp_path, "sponsors")
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [
        (1, "registered_at", "2010-02-30"),
        (2, "invitations_issued", "many"),
    ]


def test_csv_accepts_iso_datetime_variants_and_blank_cells(tmp_path: Path, world) -> None:
    path = tmp_path / "outcomes.csv"
    write_table(world["outcomes"], path)
    set_csv_cell(path, 1, "known_at", "2024-09-01 12:00:00")
    set_csv_cell(path, 2, "known_at", "2024-08-01T08:15")
    set_csv_cell(path, 3, "investigated", "TRUE")
    got = scan_table(tmp_path, "outcomes").collect()
    assert got["known_at"].to_list()[:2] == [datetime(2024, 9, 1, 12), datetime(2024, 8, 1, 8, 15)]
    assert got["investigated"].to_list() == [True, True, True, False]
    assert got["violation_types"].to_list() == ["overstay;document_fraud", None, None, None]


def test_write_table_is_deterministic_zstd_with_statistics(tmp_path: Path, world) -> None:
    df = world["applications"]
    a, b = write_table(df, tmp_path / "a.parquet"), write_table(df, tmp_path / "b.parquet")
    assert a.read_bytes() == b.read_bytes()
    meta = pq.ParquetFile(a).metadata.row_group(0)
    for i in range(meta.num_columns):
        assert meta.column(i).compression == "ZSTD"
        assert meta.column(i).statistics is not None
    c, d = write_table(df, tmp_path / "c.csv"), write_table(df, tmp_path / "d.csv")
    assert c.read_bytes() == d.read_bytes()
    assert c.read_text().splitlines()[1].split(",")[2] == "2024-03-01T09:30:00.000000"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.parquet",
        "b.parquet",
        "c.csv",
        "d.csv",
    ]


def test_write_table_refuses_unknown_suffix(tmp_path: Path, world) -> None:
    with pytest.raises(DataFileError, match=r"cannot write .*x\.json: the suffix must be"):
        write_table(world["sponsors"], tmp_path / "x.json")


def test_unreadable_parquet_is_a_data_file_error(tmp_path: Path) -> None:
    (tmp_path / "sponsors.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataFileError, match=r"cannot read Parquet file .*sponsors\.parquet"):
        scan_table(tmp_path, "sponsors").collect()
