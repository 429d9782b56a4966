"""One small model trained once per session on a non-synthetic table; tests reuse it."""

from __future__ import annotations

from pathlib import Path

import pytest
from models_tables import write_table

from models import TrainResult, train_table
from risk.settings import ModelSettings, Settings


@pytest.fixture(scope="session")
def fast_settings() -> Settings:
    """Settings for a quick, deterministic model (one thread: the test machine is shared)."""
    model = ModelSettings(
        num_threads=1,
        max_rounds=120,
        learning_rate=0.1,
        early_stopping_rounds=20,
        min_data_in_leaf=20,
    )
    return Settings(model=model)


@pytest.fixture(scope="session")
def table_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``cases.csv`` and ``spec.toml`` built from sklearn's make_classification."""
    return write_table(tmp_path_factory.mktemp("table"))


@pytest.fixture(scope="session")
def trained(table_files: tuple[Path, Path], fast_settings: Settings) -> TrainResult:
    """The session's model, trained through the dataset-spec path."""
    table, spec = table_files
    return train_table(table, spec, settings=fast_settings)


@pytest.fixture(scope="session")
def saved_bundle(trained: TrainResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's bundle saved to a folder."""
    return trained.bundle.save(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic world (contract tables and truth) written by ``risk.synth``."""
    from risk.synth import synthesize

    out = tmp_path_factory.mktemp("world")
    synthesize(20_000, 7, out)
    return out


@pytest.fixture(scope="session")
def world_trained(world_dir: Path, fast_settings: Settings) -> TrainResult:
    """The session's model on the synthetic world (features from the catalogue)."""
    from models import train_world

    return train_world(world_dir, settings=fast_settings)


@pytest.fixture(scope="session")
def saved_world_bundle(
    world_trained: TrainResult, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The session's world model saved to a folder (workers load it from there)."""
    return world_trained.bundle.save(tmp_path_factory.mktemp("world-bundle"))
