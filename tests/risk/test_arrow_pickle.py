"""Polars frames pickled as Arrow streams (how the Dask engine moves them) come back equal."""

from __future__ import annotations

import copyreg
import datetime as dt
import pickle

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from risk import _arrow_pickle

FRAME = pl.DataFrame(
    {
        "id": ["a", None, "c"],
        "n32": pl.Series([1, None, 3], dtype=pl.Int32),
        "x": [0.5, float("nan"), None],
        "flag": [True, None, False],
        "day": [dt.date(2024, 2, 29), None, dt.date(1970, 1, 1)],
        "at": [dt.datetime(2024, 3, 1, 12, 30, 1, 5), None, dt.datetime(1999, 12, 31)],
        "kind": pl.Series(["p", "q", "p"], dtype=pl.Categorical),
        "none": [None, None, None],
        "zone": [{"line": "P<", "ok": True}, None, {"line": "", "ok": False}],
        "codes": [[1, 2], [], None],
    }
)


@pytest.fixture
def registered():
    saved = copyreg.dispatch_table.get(pl.DataFrame)
    _arrow_pickle.register()
    yield
    if saved is None:
        copyreg.dispatch_table.pop(pl.DataFrame, None)
    else:
        copyreg.dispatch_table[pl.DataFrame] = saved


def _round_trip(frame: pl.DataFrame) -> tuple[pl.DataFrame, bytes, list]:
    buffers: list = []
    data = pickle.dumps(frame, protocol=5, buffer_callback=buffers.append)
    return pickle.loads(data, buffers=buffers), data, buffers


def test_frames_come_back_equal_through_arrow_out_of_band(registered) -> None:
    back, data, buffers = _round_trip(FRAME)
    assert_frame_equal(back, FRAME)
    assert back.schema == FRAME.schema
    assert b"from_arrow_stream" in data  # the Arrow form, read back by reference
    assert len(buffers) == 1  # the stream travels beside the pickle, not inside it


@pytest.mark.parametrize(
    "frame",
    [FRAME.head(0), FRAME.select("id").slice(1, 1), pl.DataFrame()],
    ids=["no rows", "one null row", "no columns"],
)
def test_edge_frames_come_back_equal(registered, frame: pl.DataFrame) -> None:
    back, _, _ = _round_trip(frame)
    assert_frame_equal(back, frame)
    assert back.schema == frame.schema


def _registered_here() -> bool:
    return copyreg.dispatch_table.get(pl.DataFrame) is _arrow_pickle._reduce


def test_every_worker_of_the_engine_registers(dask_client) -> None:
    # the engine's client installs a worker plugin: workers that never ran a feature task
    # (scoring, reports) move frames as Arrow streams too
    assert set(dask_client.run(_registered_here).values()) == {True}
