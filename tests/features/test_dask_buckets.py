"""The bucketing of the Dask features' graph, run in this process (no cluster needed).

The graph's tasks are plain functions of polars frames; an inline client runs each
one as it is submitted, so the partitioning rules are checked here quickly and the
equality with the polars engine is checked on edited worlds: an applicant whose
applications and history lie in several partitions, history dated exactly on the day
of an application, and more buckets than applications (most buckets empty).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from features import build_features
from features._dask import feature_partitions
from features._dask_graph import PART, ROW, plan, split
from risk.io import load_tables, scan_table
from risk.settings import Settings
from risk.synth import synthesize


class _Inline:
    """Runs each submitted task at once; its "futures" are the values themselves."""

    def submit(self, fn, *args: Any, pure: bool = True) -> Any:
        return fn(*args)

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {}}


def _features(world: Path, buckets: int) -> pl.DataFrame:
    parts = feature_partitions(_Inline(), world, Settings(), buckets=buckets)
    return pl.concat([frame for _, frame in parts], how="vertical")


def _bucket_of(value: str, buckets: int) -> int:
    return pl.Series([value]).hash(seed=20).item() % buckets


def test_history_rows_split_by_key_hash_and_null_keys_dropped() -> None:
    frame = pl.DataFrame({"applicant_id": ["a", None, "b", "a"], "n": [1, 2, 3, 4]})
    out = split(frame, "applicant_id", 8)
    assert len(out) == 8
    assert all(f.schema == frame.schema for f in out)  # empty buckets keep the schema
    found = {b: f["n"].to_list() for b, f in enumerate(out) if f.height}
    expected: dict[int, list[int]] = {}
    for key, n in (("a", 1), ("b", 3), ("a", 4)):
        expected.setdefault(_bucket_of(key, 8), []).append(n)
    assert found == expected


def test_applications_with_a_null_key_are_spread_by_position() -> None:
    frame = pl.DataFrame(
        {
            PART: pl.Series([0, 0, 1], dtype=pl.Int32),
            ROW: [0, 1, 0],
            "phone_hash": [None, None, "p"],
        }
    )
    out = split(frame, "phone_hash", 3)
    found = {b: f[ROW].to_list() for b, f in enumerate(out) if f.height}
    expected: dict[int, list[int]] = {0: [0], 1: [1]}  # (part + row) % 3 for the null keys
    expected.setdefault(_bucket_of("p", 3), []).append(0)
    assert found == expected


def test_a_later_round_reads_the_first_rounds_output() -> None:
    rounds = plan()
    assert [[g.name for g in r] for r in rounds] == [
        ["applicant_id", "application_id", "sponsor_id", "phone_hash", "email_hash",
         "address_hash", "bank_account_hash", "agent_id"],
        ["agent_id<primary_state"],
    ]  # fmt: skip
    first = {g.name: g for g in rounds[0]}
    # the documents' group carries the columns the agent's group reads after it
    assert first["application_id"].columns == (
        "agent_id", "application_id", "submitted_at", "submitted_day"
    )  # fmt: skip
    assert first["phone_hash"].columns == ("phone_hash", "submitted_at", "submitted_day")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A 400-application world of a year by month, with one applicant's history moved onto the day.

    The applicant has applications in two monthly partitions; one prior decision and
    one trip's exit are set to the later application's submission day (so they are
    not visible to it, and visible to nothing earlier either).
    """
    world = tmp_path_factory.mktemp("edited")
    synthesize(400, 11, world, years=1, partition_by="month")
    apps = scan_table(world, "applications").collect()
    decisions = scan_table(world, "prior_decisions").collect()
    trips = scan_table(world, "travel_history").collect()
    months = apps.group_by("applicant_id").agg(
        pl.col("submitted_at").dt.strftime("%Y-%m").n_unique().alias("months"),
        pl.col("submitted_at").max().alias("last"),
        pl.col("application_id").sort_by("submitted_at").last().alias("app"),
    )
    with_history = set(decisions["applicant_id"]) & set(trips["applicant_id"])
    who = months.filter((pl.col("months") >= 2) & pl.col("applicant_id").is_in(with_history))
    who = who.sort("applicant_id").row(0, named=True)
    day = who["last"].date()
    decision = decisions.filter(pl.col("applicant_id") == who["applicant_id"])["decision_id"][0]
    trip = trips.filter(pl.col("applicant_id") == who["applicant_id"])["trip_id"][0]
    _edit(world / "prior_decisions", "decision_id", decision, "decided_at", day)
    _edit(world / "travel_history", "trip_id", trip, "exit_date", day)
    return world, {"applicant": who["applicant_id"], "application": who["app"], "day": day}


def _edit(folder: Path, id_column: str, row_id: str, column: str, value: dt.date) -> None:
    for part in sorted(folder.rglob("*.parquet")):
        frame = pl.read_parquet(part)
        if row_id in frame[id_column].to_list():
            hit = pl.col(id_column) == row_id
            frame = frame.with_columns(
                pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
            )
            frame.write_parquet(part)
            return
    raise AssertionError(f"{row_id} not found in {folder}")


@pytest.mark.slow
def test_history_across_partitions_and_on_the_day_equals_polars(edited) -> None:
    world, case = edited
    got = _features(world, buckets=3)
    expected = build_features(load_tables(world)).collect()
    assert_frame_equal(got, expected)
    # the decision dated on the day is not counted: strictly earlier ones only
    decisions = scan_table(world, "prior_decisions").collect()
    mine = decisions.filter(pl.col("applicant_id") == case["applicant"])
    before = mine.filter(pl.col("decided_at") < case["day"]).height
    assert mine.filter(pl.col("decided_at") == case["day"]).height == 1
    row = got.filter(pl.col("application_id") == case["application"]).row(0, named=True)
    assert row["prior_decision_count"] == before


@pytest.mark.slow
def test_more_buckets_than_applications_equals_polars(tmp_path: Path) -> None:
    synthesize(100, 4, tmp_path, years=1, partition_by="month")
    for month in sorted((tmp_path / "applications").iterdir())[3:]:
        shutil.rmtree(month)  # the first three months' applications remain (with all history)
    apps = scan_table(tmp_path, "applications").select(pl.len()).collect().item()
    assert apps == 18
    got = _features(tmp_path, buckets=24)  # so at least 6 buckets of every key are empty
    assert_frame_equal(got, build_features(load_tables(tmp_path)).collect())
