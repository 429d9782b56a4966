from __future__ import annotations

import re

import polars as pl
import pytest

from risk.contract import (
    ALL_TABLES,
    APPLICATIONS,
    MRZ_SHAPES,
    TABLES,
    protected_columns,
)


def test_six_contract_tables_in_load_order() -> None:
    assert list(TABLES) == [
        "applications",
        "documents",
        "travel_history",
        "prior_decisions",
        "sponsors",
        "outcomes",
    ]
    assert set(ALL_TABLES) == {*TABLES, "truth"}


@pytest.mark.parametrize("table", list(ALL_TABLES.values()), ids=list(ALL_TABLES))
def test_each_table_is_well_formed(table) -> None:
    names = table.names
    assert len(names) == len(set(names)), "duplicate column names"
    for key in table.key:
        assert key in names
        assert not table.column(key).nullable
    for fk in table.foreign_keys:
        assert fk.column in names
        assert fk.ref_column in ALL_TABLES[fk.table].names
    for col in table.columns:
        assert col.description
        if col.pattern:
            re.compile(col.pattern)
        if col.allowed:
            assert col.dtype == pl.String


def test_protected_defaults_and_configured_extra() -> None:
    assert protected_columns() == {"nationality", "sex", "birth_date", "marital_status"}
    assert "occupation" in protected_columns(["occupation"])
    assert all(APPLICATIONS.column(c).protected for c in protected_columns())


def test_mrz_shapes_follow_icao_9303() -> None:
    assert MRZ_SHAPES == {
        "TD1": (30, 3),
        "TD2": (36, 2),
        "TD3": (44, 2),
        "MRVA": (44, 2),
        "MRVB": (36, 2),
    }


def test_unknown_column_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="table 'applications' has no column 'visa'"):
        APPLICATIONS.column("visa")
