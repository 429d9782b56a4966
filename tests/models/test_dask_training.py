"""Training on Dask (``local:2``): DaskLGBMClassifier inside the single-machine training."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

from models import train_world
from models._dask_train import DaskRiskModel, best_prefix
from risk.settings import ModelSettings, Settings
from risk.synth import synthesize


def _data(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[:, 5] = rng.integers(0, 4, size=n)  # a categorical code
    margin = X[:, 0] - 0.8 * X[:, 1] + 0.5 * (X[:, 5] == 2) + rng.normal(scale=0.7, size=n)
    return X, (margin > 1.0).astype(np.int8)


def test_best_prefix_matches_brute_force() -> None:
    X, y = _data(1)
    params = {"objective": "binary", "learning_rate": 0.3, "num_leaves": 7, "verbosity": -1,
              "seed": 1, "deterministic": True, "num_threads": 1}  # fmt: skip
    booster = lgb.train(params, lgb.Dataset(X[:2000], y[:2000]), num_boost_round=40)
    Xv, yv = X[2000:], y[2000:]
    w = np.linspace(0.5, 2.0, yv.size)
    for weight in (None, w):
        ww = np.ones(yv.size) if weight is None else weight
        losses = []
        for k in range(1, 41):
            m = booster.predict(Xv, raw_score=True, num_iteration=k)
            losses.append(np.sum(ww * (np.logaddexp(0, m) - yv * m)) / ww.sum())
        assert best_prefix(booster, Xv, yv, weight, chunk=333) == int(np.argmin(losses)) + 1


@pytest.mark.slow
def test_same_partitions_and_workers_grow_the_same_trees(dask_client) -> None:
    X, y = _data(2)
    settings = ModelSettings(num_threads=1, max_rounds=30, learning_rate=0.2, min_data_in_leaf=20)
    texts = []
    for _ in range(2):
        model = DaskRiskModel(settings, client=dask_client, categorical=[5],
                              feature_names=[f"x{i}" for i in range(6)])  # fmt: skip
        model.fit(X[:2000], y[:2000], X[2000:], y[2000:])
        texts.append(model.booster_.model_to_string())
    assert texts[0] == texts[1]
    assert "machines:" not in texts[0]  # the cluster's addresses are not in the model
    assert model.booster_.num_trees() == model.best_iteration_


_SETTINGS = Settings().with_overrides(
    model=ModelSettings(num_threads=1, max_rounds=120, learning_rate=0.1)
)


@pytest.fixture(scope="module")
def world60k(tmp_path_factory: pytest.TempPathFactory):
    """A 60,000-application world and its polars-engine model (shared by the tests below).

    At 30,000 applications one engine's test ROC AUC moves with the seed by about 0.03
    (docs/scale.md): 60,000 is the smallest world tried where the 0.01 tolerance holds.
    """
    world = tmp_path_factory.mktemp("world60k")
    synthesize(60_000, 7, world)
    return world, train_world(world, settings=_SETTINGS)


@pytest.mark.slow
def test_world_model_on_dask_is_as_good_as_one_machine(dask_client, world60k) -> None:
    world, one = world60k
    settings = _SETTINGS
    dask = train_world(world, settings=settings,
                       model_factory=partial(DaskRiskModel, client=dask_client))  # fmt: skip
    # the same split, threshold rule and bundle format; the trees differ a little
    assert dask.splits == one.splits
    assert dask.bundle.meta["data_fingerprint"] == one.bundle.meta["data_fingerprint"]
    assert abs(dask.metrics["model"]["roc_auc"] - one.metrics["model"]["roc_auc"]) < 0.01
    assert dask.metrics["model"]["flag_rate"] == pytest.approx(
        one.metrics["model"]["flag_rate"], abs=0.002
    )
    folder = dask.bundle.save(Path(world) / "bundle")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in one.bundle.save(Path(world) / "one").iterdir()
    )


@pytest.mark.slow
def test_cli_train_on_dask_writes_the_usual_bundle(dask_client, world60k) -> None:
    """``risk train --engine dask --scheduler ADDR``: features and trees on the workers."""
    import json

    from typer.testing import CliRunner

    from features import catalogue
    from models import load_bundle
    from models._bundle import BUNDLE_FORMAT
    from risk.cli import app

    world, one = world60k
    env = {"COLUMNS": "200", "RISK_MODEL__NUM_THREADS": "1", "RISK_MODEL__MAX_ROUNDS": "120",
           "RISK_MODEL__LEARNING_RATE": "0.1"}  # fmt: skip
    out = world / "bundle-cli-dask"
    args = ["train", "--data", str(world), "--out", str(out), "--no-track",
            "--engine", "dask", "--scheduler", dask_client.scheduler.address]  # fmt: skip
    result = CliRunner(env=env).invoke(app, args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "bundle.json").read_text())
    assert manifest["format"] == BUNDLE_FORMAT
    workers = len(dask_client.scheduler_info()["workers"])
    assert manifest["engine"]["name"] == "dask" and manifest["engine"]["workers"] == workers
    assert "engine" not in one.bundle.meta
    assert load_bundle(out).feature_names == catalogue().names
    assert manifest["lightgbm_params"] == one.bundle.meta["lightgbm_params"]
    assert manifest["splits"] == one.splits
    assert manifest["data_fingerprint"] == one.bundle.meta["data_fingerprint"]
    assert abs(manifest["metrics"]["model"]["roc_auc"] - one.metrics["model"]["roc_auc"]) < 0.01


def test_ports_are_drawn_again_until_lightgbm_ranks_the_workers_in_order() -> None:
    """Two ports sharing a hash slot come out of LightGBM's set in an order that does not
    follow the list, which swapped the ranks (and the trees) about one fit in eight."""
    from lightgbm.dask import _machines_to_worker_map

    from models._dask_train import _machines

    workers = ["tcp://127.0.0.1:36869", "tcp://127.0.0.1:42675"]
    # 39263 and 56831 share slot 7 of an 8-slot set: either listing swaps them
    for listed in ("127.0.0.1:39263,127.0.0.1:56831", "127.0.0.1:56831,127.0.0.1:39263"):
        given = _machines_to_worker_map(machines=listed, worker_addresses=workers)
        assert [given[w] for w in workers] != [int(a.split(":")[1]) for a in listed.split(",")]

    class Client:
        def __init__(self) -> None:
            self.draws = [{workers[0]: 39263, workers[1]: 56831},
                          {workers[0]: 35649, workers[1]: 54795}]  # fmt: skip

        def run(self, fn, workers):
            return self.draws.pop(0)

    client = Client()
    assert _machines(client, workers) == "127.0.0.1:35649,127.0.0.1:54795"
    assert client.draws == []


@pytest.fixture(scope="module")
def parted_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 10,000-application world by month and its features folder (a part per month)."""
    import polars as pl

    from features import build_features
    from risk.io import load_tables, write_partitioned

    world = tmp_path_factory.mktemp("parted10k")
    synthesize(10_000, 5, world, years=1, partition_by="month")
    rows = build_features(load_tables(world)).collect()
    folder = world.parent / f"{world.name}-features"
    write_partitioned(rows, folder, key=pl.col("submitted_at").dt.strftime("%Y-%m"), name="month")
    return world, folder


@pytest.mark.slow
def test_training_rows_on_the_workers_grow_the_trees_of_gathered_rows(
    dask_client, parted_world
) -> None:
    """Labelled, split and encoded per partition, dealt worker to worker: the same bundle as
    dealing the gathered rows from the driver (which matches one machine's data)."""
    from polars.testing import assert_frame_equal

    from models._dask_world import train_world_dask

    world, folder = parted_world
    settings = Settings().with_overrides(
        model=ModelSettings(num_threads=1, max_rounds=40, learning_rate=0.1)
    )
    kept = train_world_dask(dask_client, world, features=folder, settings=settings)
    gathered = train_world(world, settings=settings,
                           model_factory=partial(DaskRiskModel, client=dask_client))  # fmt: skip
    assert kept.bundle.booster.model_to_string() == gathered.bundle.booster.model_to_string()
    assert kept.bundle.schema == gathered.bundle.schema
    for key in ("data_fingerprint", "splits", "metrics", "labels", "best_iteration"):
        assert kept.bundle.meta[key] == gathered.bundle.meta[key], key
    assert kept.bundle.meta["engine"] == {"name": "dask", "workers": 2, "partitions": 12}
    assert_frame_equal(kept.test_frame, gathered.test_frame, check_exact=True)
    assert_frame_equal(kept.test_features, gathered.test_features, check_exact=True)


def test_a_features_folder_of_other_partitions_is_refused(dask_client, parted_world, tmp_path):
    import shutil

    from models._dask_world import train_world_dask
    from risk.errors import DataFileError

    world, folder = parted_world
    partial_folder = tmp_path / "features"
    shutil.copytree(folder, partial_folder)
    shutil.rmtree(partial_folder / "month=2023-03")
    with pytest.raises(DataFileError) as err:
        train_world_dask(dask_client, world, features=partial_folder)
    assert err.value.message == (
        f"{partial_folder}: the feature parts do not match the partitions of"
        f" {world}/applications (no part for ['month=2023-03/part-0'], parts of no partition"
        " []); write them with `risk features --engine dask` for this world and the same"
        " RISK_ENGINE__PARTITION_ROWS"
    )


@pytest.mark.slow
def test_reviewed_ipw_weights_stay_with_their_rows_on_the_workers(
    dask_client, parted_world, tmp_path
) -> None:
    """Under reviewed-ipw the weighted rows place the split and the weights travel with the
    training rows: the same bundle as the gathered rows."""
    import os

    import polars as pl

    from models._dask_world import train_world_dask
    from risk.io import scan_table

    world, folder = parted_world
    data = tmp_path / "world"
    data.mkdir()
    for f in world.iterdir():
        os.symlink(f, data / f.name)
    outcomes = scan_table(world, "outcomes").filter(pl.col("violation_confirmed").is_not_null())
    random = pl.col("investigation_trigger") == "random"
    outcomes.select(
        score_id=pl.format("s-{}", "application_id"), application_id="application_id",
        review_propensity=pl.when(random).then(0.5).otherwise(1.0), reviewed=pl.lit(True),
        finding=pl.when(pl.col("violation_confirmed")).then(pl.lit("violation_confirmed"))
        .otherwise(pl.lit("no_violation")),
        decided_at=pl.col("known_at"),
    ).collect().write_parquet(data / "reviews.parquet")  # fmt: skip
    settings = Settings().with_overrides(
        model=ModelSettings(num_threads=1, max_rounds=30, learning_rate=0.1, min_data_in_leaf=10)
    )
    kept = train_world_dask(dask_client, data, features=folder, settings=settings)
    gathered = train_world(data, settings=settings,
                           model_factory=partial(DaskRiskModel, client=dask_client))  # fmt: skip
    assert kept.bundle.meta["labels"]["policy"] == "reviewed-ipw"
    assert kept.bundle.booster.model_to_string() == gathered.bundle.booster.model_to_string()
    for key in ("data_fingerprint", "splits", "metrics", "labels", "best_iteration"):
        assert kept.bundle.meta[key] == gathered.bundle.meta[key], key


def test_the_feature_pre_filter_setting_keeps_a_rare_strong_feature() -> None:
    """30 of 4,000 rows carry a strong rare flag (fewer than min_data_in_leaf = 50): LightGBM's
    pre-filter drops it before training; with the setting off the learner splits on it."""
    from models._model import RiskModel

    rng = np.random.default_rng(3)
    x0 = rng.normal(size=4000)
    rare = np.zeros(4000)
    rare[rng.choice(np.where(x0 > 1.0)[0], 30, replace=False)] = 1
    X = np.column_stack([x0, rng.normal(size=4000), rare])
    y = (rng.random(4000) < 1 / (1 + np.exp(4 - 1.5 * x0 - 4.0 * rare))).astype(np.int8)
    splits = {}
    for pre_filter in (True, False):
        settings = ModelSettings(num_threads=1, max_rounds=60, learning_rate=0.2,
                                 feature_pre_filter=pre_filter, bagging_fraction=1.0,
                                 feature_fraction=1.0)  # fmt: skip
        model = RiskModel(settings, feature_names=["x0", "noise", "rare"])
        model.fit(X[:3000], y[:3000], X[3000:], y[3000:])
        splits[pre_filter] = model.booster_.feature_importance("split").tolist()
    assert splits == {True: [104, 130, 0], False: [77, 93, 4]}


def test_a_feature_part_of_other_applications_is_named(dask_client, parted_world, tmp_path):
    import shutil

    from models._dask_world import train_world_dask
    from risk.errors import DataFileError

    world, folder = parted_world
    swapped = tmp_path / "features"
    shutil.copytree(folder, swapped)
    part = swapped / "month=2023-02" / "part-0.parquet"
    shutil.copy(swapped / "month=2023-01" / "part-0.parquet", part)
    import polars as pl

    january = pl.read_parquet(part).height
    february = pl.read_parquet(world / "applications" / "month=2023-02" / "part-0.parquet").height
    with pytest.raises(DataFileError) as err:
        train_world_dask(dask_client, world, features=swapped)
    assert err.value.message == (
        f"{part}: its applications differ from partition month=2023-02/part-0 of"
        f" {world}/applications ({january} rows, the partition {february}); the features are"
        " of another world or an older version of it: write them again"
    )
