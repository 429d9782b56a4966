"""Contract validation: one test per rule on a tiny valid world, CSV and Parquet, and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from contract_world import build_world, set_csv_cell, write_world
from typer.testing import CliRunner

from risk.cli import app
from risk.contract import DOCUMENT_TYPES, PURPOSES, TABLES, TRUTH
from risk.errors import DataContractError
from risk.io import write_table
from risk.validation import Problem, ValidationReport, validate_dir, validate_frame


def corrupt(world: dict[str, pl.DataFrame], table: str, row: int, column: str, value: Any):
    """A copy of ``world`` with one cell (1-based ``row``) set to ``value``."""
    df = world[table]
    dtype = df.schema[column]
    at = pl.int_range(pl.len()) == row - 1
    new = df.with_columns(
        pl.when(at).then(pl.lit(value, dtype=dtype)).otherwise(pl.col(column)).alias(column)
    )
    return {**world, table: new}


def test_the_tiny_world_is_valid(world_dir: Path) -> None:
    report = validate_dir(world_dir)
    assert report.problems == []
    assert report.ok and report.total == 0
    assert report.rows == {"applications": 5, "documents": 5, "travel_history": 3,
                           "prior_decisions": 2, "sponsors": 2, "outcomes": 4}  # fmt: skip


TD3_LINE2 = build_world()["documents"]["mrz_line2"][0]
# (table, row, column, new value, value shown, rule); the key is read from the world.
CELL_RULES = [
    ("applications", 2, "visa_type", None, None, "null not allowed"),
    ("applications", 1, "purpose", "holiday", "holiday", f"not one of: {', '.join(PURPOSES)}"),
    ("documents", 5, "document_type", "ticket", "ticket",
     f"not one of: {', '.join(DOCUMENT_TYPES)}"),
    ("applications", 3, "intended_stay_days", 0, "0", "below minimum 1"),
    ("applications", 4, "declared_funds_usd", -1.0, "-1.0", "below minimum 0.0"),
    ("documents", 2, "face_match_score", 1.5, "1.5", "above maximum 1.0"),
    ("applications", 1, "birth_date", date(1899, 12, 31), "1899-12-31",
     "below minimum 1900-01-01"),
    ("applications", 5, "submitted_at", datetime(2101, 1, 1), "2101-01-01 00:00:00.000000",
     "above maximum 2100-12-31"),
    ("applications", 4, "residence_country", "My", "My", "does not match ^[A-Z]{3}$"),
    ("applications", 2, "phone_hash", "XYZ", "XYZ", "does not match ^[0-9a-f]{16,64}$"),
    ("documents", 1, "mrz_line2", TD3_LINE2.replace("MYS", "mys"),
     TD3_LINE2.replace("MYS", "mys"), "does not match ^[A-Z0-9<]+$"),
    ("outcomes", 1, "violation_types", "overstay;theft", "overstay;theft",
     "does not match ^(overstay|document_fraud|misrepresentation)"
     "(;(overstay|document_fraud|misrepresentation))*$"),
    ("documents", 3, "application_id", "A9", "A9", "not found in applications.application_id"),
    ("outcomes", 2, "application_id", "A9", "A9", "not found in applications.application_id"),
    ("applications", 1, "sponsor_id", "S9", "S9", "not found in sponsors.sponsor_id"),
    ("prior_decisions", 1, "decided_at", date(2021, 11, 30), "2021-11-30 (applied_at 2021-12-01)",
     "before applied_at"),
    ("travel_history", 1, "exit_date", date(2022, 1, 4), "2022-01-04 (entry_date 2022-01-05)",
     "before entry_date"),
    ("travel_history", 3, "authorised_until", date(2023, 12, 31),
     "2023-12-31 (entry_date 2024-01-01)", "before entry_date"),
    ("documents", 4, "expiry_date", date(2020, 1, 10), "2020-01-10 (issue_date 2020-01-10)",
     "not after issue_date"),
    ("documents", 1, "mrz_line2", TD3_LINE2[:-1], TD3_LINE2[:-1],
     "length does not match mrz_format (TD1 30, TD2 36, TD3 44, MRVA 44, MRVB 36)"),
    ("documents", 2, "mrz_line3", None, None, "required when mrz_format is TD1"),
    ("documents", 1, "mrz_line3", "<" * 44, "<" * 44, "must be empty unless mrz_format is TD1"),
    ("outcomes", 2, "violation_confirmed", True, None, "required when violation_confirmed is true"),
    ("outcomes", 3, "violation_types", "overstay", "overstay",
     "must be empty unless violation_confirmed is true"),
    ("outcomes", 4, "violation_confirmed", False, "false",
     "must be empty when investigated is false"),
    ("outcomes", 4, "known_at", datetime(2024, 10, 1), "2024-10-01 00:00:00.000000",
     "must be empty when investigated is false"),
]  # fmt: skip
# Where the problem lands on another column than the one corrupted.
PROBLEM_COLUMN = {("outcomes", "violation_confirmed", True): "violation_types"}


@pytest.mark.parametrize(("table", "row", "column", "new", "shown", "rule"), CELL_RULES)
def test_each_rule_reports_the_exact_problem(
    world, tmp_path: Path, suffix: str, table, row, column, new, shown, rule
) -> None:
    bad = corrupt(world, table, row, column, new)
    directory = write_world(bad, tmp_path, suffix)
    report = validate_dir(directory)
    key_column = TABLES[table].key[0]
    key = new if column == key_column else world[table][key_column][row - 1]
    column = PROBLEM_COLUMN.get((table, column, new), column)
    expected = Problem(table, str(directory / f"{table}{suffix}"), row, key, column, shown, rule)
    assert report.problems == [expected]
    assert report.counts == {(table, column, rule): 1}
    assert not report.ok
    # the same rule on the frame in memory (foreign keys need the other tables)
    if not rule.startswith("not found in"):
        in_memory = validate_frame(bad[table], table)
        assert in_memory == [Problem(table, None, row, key, column, shown, rule)]


def test_mrz_line_count_and_length_follow_mrz_format(world, tmp_path: Path, suffix: str) -> None:
    bad = corrupt(world, "documents", 3, "mrz_format", "TD1")  # a TD2 zone declared TD1
    report = validate_dir(write_world(bad, tmp_path, suffix))
    length = "length does not match mrz_format (TD1 30, TD2 36, TD3 44, MRVA 44, MRVB 36)"
    assert {(p.row, p.column, p.rule) for p in report.problems} == {
        (3, "mrz_line1", length),
        (3, "mrz_line2", length),
        (3, "mrz_line3", "required when mrz_format is TD1"),
    }


def test_each_duplicate_key_row_is_reported(world, tmp_path: Path, suffix: str) -> None:
    bad = corrupt(world, "prior_decisions", 2, "decision_id", "R1")
    directory = write_world(bad, tmp_path, suffix)
    report = validate_dir(directory)
    file = str(directory / f"prior_decisions{suffix}")
    assert report.problems == [
        Problem("prior_decisions", file, 1, "R1", "decision_id", "R1", "duplicate key"),
        Problem("prior_decisions", file, 2, "R1", "decision_id", "R1", "duplicate key"),
    ]


def test_missing_and_unexpected_columns(world, tmp_path: Path, suffix: str) -> None:
    bad = {**world, "sponsors": world["sponsors"].drop("as_of").with_columns(pl.lit(1).alias("x"))}
    directory = write_world(bad, tmp_path, suffix)
    file = str(directory / f"sponsors{suffix}")
    assert validate_dir(directory).problems == [
        Problem("sponsors", file, None, None, "as_of", None, "missing column"),
        Problem("sponsors", file, None, None, "x", None, "unexpected column"),
    ]


def test_parquet_dtype_mismatch_is_reported_once_per_column(world, tmp_path: Path) -> None:
    apps = world["applications"].with_columns(pl.col("intended_stay_days").cast(pl.Int64) * 0)
    directory = write_world({**world, "applications": apps}, tmp_path, ".parquet")
    # the zeros would break min=1, but a mistyped column is not checked further
    assert validate_dir(directory).problems == [
        Problem("applications", str(directory / "applications.parquet"), None, None,
                "intended_stay_days", "Int64", "wrong type: expected Int32"),
    ]  # fmt: skip


def test_missing_file_is_a_problem_not_a_crash(world, tmp_path: Path, suffix: str) -> None:
    directory = write_world(world, tmp_path, suffix)
    (directory / f"sponsors{suffix}").unlink()
    report = validate_dir(directory)
    # applications.sponsor_id cannot be checked without sponsors: only the file is reported
    assert report.problems == [
        Problem("sponsors", str(directory), None, None, None, None,
                "missing file: neither sponsors.parquet nor sponsors.csv"
                " nor sponsors/ (Parquet parts)"),
    ]  # fmt: skip
    assert "sponsors" not in report.rows


def test_unreadable_file_is_a_problem(world, tmp_path: Path) -> None:
    directory = write_world(world, tmp_path, ".parquet")
    (directory / "sponsors.parquet").write_bytes(b"garbage")
    [problem] = validate_dir(directory).problems
    assert (problem.table, problem.file) == ("sponsors", str(directory / "sponsors.parquet"))
    assert problem.rule.startswith("unreadable file: ")


def test_csv_cell_that_does_not_parse_is_one_problem(world, tmp_path: Path) -> None:
    directory = write_world(world, tmp_path, ".csv")
    set_csv_cell(directory / "travel_history.csv", 2, "entry_date", "2023-06-31")
    set_csv_cell(directory / "sponsors.csv", 1, "as_of", None)
    file = str(directory / "travel_history.csv")
    # not also "null not allowed", nor a cross-column rule on the unparsed date
    assert validate_dir(directory).problems == [
        Problem("travel_history", file, 2, "T2", "entry_date", "2023-06-31",
                "not a date (YYYY-MM-DD)"),
        Problem("sponsors", str(directory / "sponsors.csv"), 1, "S1", "as_of", None,
                "null not allowed"),
    ]  # fmt: skip


def test_several_corruptions_are_all_reported(world, tmp_path: Path, suffix: str) -> None:
    bad = corrupt(world, "applications", 2, "purpose", "holiday")
    bad = corrupt(bad, "documents", 4, "tamper_score", -0.5)
    bad = corrupt(bad, "outcomes", 1, "violation_types", None)
    bad = corrupt(bad, "sponsors", 2, "compliance_record", None)
    report = validate_dir(write_world(bad, tmp_path, suffix))
    assert [(p.table, p.row, p.column, p.value) for p in report.problems] == [
        ("applications", 2, "purpose", "holiday"),
        ("documents", 4, "tamper_score", "-0.5"),
        ("sponsors", 2, "compliance_record", None),
        ("outcomes", 1, "violation_types", None),
    ]
    assert report.total == 4


def test_problems_are_capped_per_rule_but_all_counted(world, tmp_path: Path) -> None:
    apps = pl.concat([world["applications"]] * 20).with_columns(
        pl.format("A{}", pl.int_range(pl.len())).alias("application_id"),
        pl.lit("holiday").alias("purpose"),
        pl.lit(-5.0).alias("declared_funds_usd"),
    )
    directory = write_world({**world, "applications": apps}, tmp_path, ".parquet")
    report = validate_dir(directory, max_per_rule=3)
    purpose = f"not one of: {', '.join(PURPOSES)}"
    assert report.counts[("applications", "purpose", purpose)] == 100
    assert report.counts[("applications", "declared_funds_usd", "below minimum 0.0")] == 100
    assert [(p.column, p.row) for p in report.problems if p.table == "applications"] == [
        ("purpose", 1), ("purpose", 2), ("purpose", 3),
        ("declared_funds_usd", 1), ("declared_funds_usd", 2), ("declared_funds_usd", 3),
    ]  # fmt: skip
    assert report.total == sum(report.counts.values()) >= 200


def test_validation_never_modifies_the_data(world) -> None:
    bad = corrupt(world, "applications", 1, "purpose", "holiday")["applications"]
    before = bad.clone()
    problems = validate_frame(bad, TABLES["applications"])
    assert len(problems) == 1
    assert bad.equals(before) and bad.columns == before.columns


def test_report_json(world, tmp_path: Path) -> None:
    bad = corrupt(world, "sponsors", 1, "invitations_issued", -1)
    report = validate_dir(write_world(bad, tmp_path, ".csv"))
    body = json.loads(report.to_json())
    assert body["ok"] is False and body["total"] == 1
    assert body["counts"] == [{"table": "sponsors", "column": "invitations_issued",
                               "rule": "below minimum 0", "count": 1}]  # fmt: skip
    assert body["problems"][0]["value"] == "-1"
    assert body["rows"]["sponsors"] == 2


def test_raise_if_invalid(world, tmp_path: Path) -> None:
    from risk.errors import DataContractError

    ok = validate_dir(write_world(world, tmp_path / "ok", ".parquet"))
    ok.raise_if_invalid()
    bad = validate_dir(write_world(corrupt(world, "sponsors", 1, "as_of", None), tmp_path, ".csv"))
    with pytest.raises(DataContractError) as info:
        bad.raise_if_invalid()
    assert info.value.problems == bad.problems
    assert "sponsors.csv, row 1 (key S1), column 'as_of': null not allowed" in info.value.message


# ---------------------------------------------------------------------------- CLI


def test_cli_clean_world_exits_0(world_dir: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "--data", str(world_dir)])
    assert result.exit_code == 0, result.output
    assert "OK: no problems" in result.output
    assert "applications 5" in " ".join(result.output.split())


def test_cli_problems_exit_1_with_table(world, tmp_path: Path) -> None:
    bad = corrupt(world, "documents", 2, "document_type", "ticket")
    directory = write_world(bad, tmp_path, ".parquet")
    result = CliRunner().invoke(app, ["validate", "--data", str(directory)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "│ documents │ 2 │ D2 │ document_type │ ticket │" in text
    assert "FAILED: 1 problem breaking 1 rule" in text


def test_cli_json_and_cap(world, tmp_path: Path) -> None:
    bad = corrupt(world, "documents", 2, "document_type", "ticket")
    bad = corrupt(bad, "documents", 3, "document_type", "ticket")
    directory = write_world(bad, tmp_path, ".csv")
    args = ["validate", "--data", str(directory), "--format", "json", "--max-per-rule", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert [p["row"] for p in body["problems"]] == [2]
    assert body["counts"][0]["count"] == 2


def test_cli_missing_directory_lists_missing_files(tmp_path: Path) -> None:
    args = ["validate", "--data", str(tmp_path / "nowhere"), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    rules = [p["rule"] for p in json.loads(result.output)["problems"]]
    assert rules == [
        f"missing file: neither {n}.parquet nor {n}.csv nor {n}/ (Parquet parts)" for n in TABLES
    ]


def test_report_is_ok_only_without_problems_and_counts_every_one() -> None:
    empty = ValidationReport()
    assert (empty.ok, empty.total, empty.count_rows()) == (True, 0, [])
    empty.raise_if_invalid()  # a clean report raises nothing
    first = Problem("documents", "d.csv", 4, "D4", "document_type", "ticket", "not a category")
    report = ValidationReport(
        problems=[first],
        counts={("documents", "document_type", "not a category"): 3,
                ("applications", None, "duplicate key"): 2},
        files={"documents": "d.csv"},
        rows={"documents": 9},
    )  # fmt: skip
    assert (report.ok, report.total) == (False, 5)
    assert report.count_rows() == [
        {"table": "applications", "column": None, "rule": "duplicate key", "count": 2},
        {"table": "documents", "column": "document_type", "rule": "not a category", "count": 3},
    ]
    body = json.loads(report.to_json())
    assert (body["ok"], body["total"], body["rows"]) == (False, 5, {"documents": 9})
    assert body["problems"] == [first.as_dict()]
    message = (
        "the data breaks the contract: 5 problems, first: d.csv, row 4 (key D4),"
        " column 'document_type': 'ticket': not a category"
    )
    with pytest.raises(DataContractError) as caught:
        report.raise_if_invalid()
    assert str(caught.value) == message


def test_truth_is_validated_when_present(world, tmp_path: Path, suffix: str) -> None:
    directory = write_world(world, tmp_path, suffix)
    truth = pl.DataFrame(
        {"application_id": ["A1", "A2"], "overstay": [True, None], "document_fraud": [False] * 2,
         "misrepresentation": [False] * 2, "any_violation": [True, False]},
        schema=TRUTH.schema,
    )  # fmt: skip
    write_table(truth, directory / f"truth{suffix}")
    report = validate_dir(directory)
    assert report.problems == [
        Problem("truth", str(directory / f"truth{suffix}"), 2, "A2", "overstay", None,
                "null not allowed"),
    ]  # fmt: skip
    assert report.rows["truth"] == 2
