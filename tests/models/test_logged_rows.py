"""The inference log's encoded rows: their bytes, reading them back, mapping them to a version."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from models._logged_rows import UNSEEN, blob_matrix, logged_row, row_map
from models._schema import FeatureSchema

NAN = np.nan

LOGGED = FeatureSchema(
    names=("amount", "region", "agent"),
    kinds=("numeric", "categorical", "boolean"),
    categories={"region": ("north", "south", "east")},
)


def _blobs(matrix: np.ndarray) -> pl.Series:
    return pl.Series([row.astype("<f8").tobytes() for row in matrix], dtype=pl.Binary)


def test_a_logged_row_is_the_encoded_row_with_unknown_categories_marked():
    rows = [
        {"amount": 2.5, "region": "south", "agent": True},
        {"amount": None, "region": "west", "agent": False},  # west: not a known region
        {"amount": float("inf"), "region": None, "agent": None},
    ]
    got = [np.frombuffer(logged_row(LOGGED, r, LOGGED.encode_row(r)), "<f8") for r in rows]
    np.testing.assert_array_equal(
        np.vstack(got),
        [[2.5, 1.0, 1.0], [NAN, UNSEEN, 0.0], [np.inf, NAN, NAN]],
    )


@pytest.mark.parametrize("layout", ["whole", "slice", "every third", "two parts reversed"])
def test_blob_matrix_reads_the_bytes_back_whatever_the_series_layout(layout):
    matrix = np.random.default_rng(3).normal(size=(1000, 5))
    whole = _blobs(matrix)
    series, want = {
        "whole": (whole, matrix),
        "slice": (whole.slice(101, 500), matrix[101:601]),
        "every third": (whole.gather(np.arange(0, 1000, 3)), matrix[::3]),
        "two parts reversed": (
            pl.concat([whole.slice(600, 400), whole.slice(0, 600)], rechunk=False),
            np.vstack([matrix[600:], matrix[:600]]),
        ),
    }[layout]
    np.testing.assert_array_equal(blob_matrix(series, 5), want)


def test_blob_matrix_of_no_rows_and_of_short_rows():
    assert blob_matrix(pl.Series([], dtype=pl.Binary), 5).shape == (0, 5)
    one = np.array([[1.5]])  # 8 bytes: short values live inside Arrow's views
    np.testing.assert_array_equal(blob_matrix(_blobs(one), 1), one)


def test_blob_matrix_refuses_rows_of_another_width():
    with pytest.raises(ValueError, match="logged feature rows of 4 cells must all be 32 bytes"):
        blob_matrix(_blobs(np.ones((3, 5))), 4)


def test_a_version_with_other_columns_and_codes_reads_the_logged_cells():
    target = FeatureSchema(
        names=("agent", "region", "amount"),
        kinds=("boolean", "categorical", "numeric"),
        categories={"region": ("east", "north")},  # south dropped, codes changed
    )
    logged = np.array(
        [[2.5, 0.0, 1.0], [3.0, 1.0, 0.0], [NAN, 2.0, NAN], [1.0, NAN, 1.0], [4.0, UNSEEN, 0.0]]
    )
    mapping = row_map(LOGGED, target)
    got, redo = mapping.apply(logged.copy())
    np.testing.assert_array_equal(
        got,
        [[1.0, 1.0, 2.5], [0.0, NAN, 3.0], [NAN, 0.0, NAN], [1.0, NAN, 1.0], [0.0, NAN, 4.0]],
    )
    assert redo is None  # the target knows no region the logging model did not


def test_rows_with_an_unknown_category_are_redone_when_the_version_knows_more():
    target = FeatureSchema(
        names=("amount", "region"),
        kinds=("numeric", "categorical"),
        categories={"region": ("north", "south", "east", "west")},
    )
    logged = np.array([[2.5, 0.0, 1.0], [4.0, UNSEEN, 0.0], [1.0, NAN, 0.0]])
    got, redo = row_map(LOGGED, target).apply(logged.copy())
    assert redo.tolist() == [False, True, False]
    np.testing.assert_array_equal(got[[0, 2]], [[2.5, 0.0], [1.0, NAN]])


def test_the_same_schema_reads_the_cells_as_they_were_scored():
    logged = np.array([[2.5, 2.0, 1.0], [4.0, UNSEEN, 0.0]])
    same = FeatureSchema.from_dict(LOGGED.to_dict())
    mapping = row_map(LOGGED, same)
    assert mapping.identity
    got, redo = mapping.apply(logged.copy())
    np.testing.assert_array_equal(got, [[2.5, 2.0, 1.0], [4.0, NAN, 0.0]])
    assert redo is None


@pytest.mark.parametrize(
    "target",
    [
        FeatureSchema(names=("amount", "sponsor"), kinds=("numeric", "numeric")),
        FeatureSchema(names=("amount", "region"), kinds=("numeric", "numeric")),
    ],
    ids=["a feature not logged", "another kind"],
)
def test_a_version_needing_what_the_bytes_lack_cannot_read_them(target):
    assert row_map(LOGGED, target) is None


def test_the_encoding_id_names_names_kinds_and_codes():
    assert LOGGED.encoding_id == FeatureSchema.from_dict(LOGGED.to_dict()).encoding_id
    reordered = FeatureSchema(LOGGED.names, LOGGED.kinds, {"region": ("south", "north", "east")})
    assert reordered.encoding_id != LOGGED.encoding_id
    assert len(LOGGED.encoding_id) == 16
