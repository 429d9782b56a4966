"""Fixtures of the I/O and validation tests: the tiny valid world of ``contract_world``."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from contract_world import build_world, write_world


@pytest.fixture(scope="session")
def world() -> dict[str, pl.DataFrame]:
    """The tiny valid world (frames are immutable, so tests may share them)."""
    return build_world()


@pytest.fixture(params=[".parquet", ".csv"])
def suffix(request) -> str:
    """Each file-based test runs for Parquet and for CSV."""
    return request.param


@pytest.fixture
def world_dir(world, tmp_path: Path, suffix: str) -> Path:
    """The tiny world written to a fresh directory, in the current ``suffix``."""
    return write_world(world, tmp_path / "world", suffix)
