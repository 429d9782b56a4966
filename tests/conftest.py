"""Project-wide test configuration.

Area fixtures live beside their tests (``tests/features/conftest.py`` ...).
"""

from __future__ import annotations

import matplotlib

# Plots are written to files; never open a window (must run before pyplot is imported).
matplotlib.use("Agg")

import pytest

from risk.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test sees settings built from its own environment (monkeypatched RISK_* vars)."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def dask_client():
    """One LocalCluster of two small worker processes (``local:2``), shared by every Dask test.

    Started through :func:`risk.engine.dask_client`, as ``--scheduler local:2`` starts it.
    """
    from risk.engine import dask_client as start
    from risk.settings import EngineSettings

    with start(EngineSettings(name="dask", scheduler="local:2", worker_memory="1GiB")) as client:
        yield client
