"""Training on the synthetic world: labels, truth, baseline, catalogue reasons, bundle."""

from __future__ import annotations

import shutil
from datetime import datetime

import numpy as np
import polars as pl
import pytest

import features
from models import load_bundle, train_world
from models._baseline import checklist_score
from models._world import world_labels
from risk.errors import BundleLoadError


def test_model_beats_the_checklist_at_capacity(world_trained):
    m = world_trained.metrics
    assert m["model"]["precision_at_capacity"] > m["baseline"]["precision_at_capacity"]
    assert m["model"]["recall_at_capacity"] > m["baseline"]["recall_at_capacity"]
    assert m["model_truth"]["precision_at_capacity"] > m["baseline_truth"]["precision_at_capacity"]
    assert m["model"]["flag_rate"] == m["baseline"]["flag_rate"]


def test_truth_metrics_show_the_label_bias(world_trained):
    m = world_trained.metrics
    # Most true violations were never investigated, so they are hidden in the labels.
    assert m["model_truth"]["positives"] > 2 * m["model"]["positives"]
    frame = world_trained.test_frame
    assert int(frame["truth"].sum()) == m["model_truth"]["positives"]
    hidden = frame.filter(pl.col("truth") == 1, pl.col("label") == 0)
    assert hidden.height > 0 and not hidden["investigated"].all()


def _outcomes() -> pl.LazyFrame:
    t = datetime
    return pl.LazyFrame(
        {
            "application_id": ["a", "b", "c", "d", "e", "f"],
            "investigated": [True, True, True, False, True, True],
            "investigation_trigger": ["checklist", "random", "referral", None, "random", "random"],
            "violation_confirmed": [True, False, True, None, None, True],
            "violation_types": ["overstay", None, "document_fraud", None, None, "overstay"],
            "known_at": [t(2024, 1, 5), t(2024, 1, 6), t(2024, 3, 1), None, None, None],
        }
    )


def test_labels_only_count_violations_known_by_the_cutoff():
    got = world_labels(_outcomes(), datetime(2024, 2, 1)).collect()
    assert got["label"].to_list() == [1, 0, 0, 0, 0, 1]
    assert got["label_known"].to_list() == [True, True, False, False, False, True]
    later = world_labels(_outcomes(), datetime(2024, 3, 1)).collect()
    assert later["label"].to_list() == [1, 0, 1, 0, 0, 1]


def test_label_policy_and_default_cutoff_are_stated_in_the_bundle(world_trained, world_dir):
    policy = world_trained.bundle.meta["label_policy"]
    assert "never investigated" in policy and "treated as 'no violation found'" in policy
    apps = pl.read_parquet(world_dir / "applications.parquet")
    outcomes = pl.read_parquet(world_dir / "outcomes.parquet")
    snapshot = max(apps["submitted_at"].max(), outcomes["known_at"].max())
    assert world_trained.bundle.meta["label_cutoff"] == snapshot.isoformat()


def test_label_cutoff_setting_drops_late_labels(world_dir, fast_settings):
    early = fast_settings.model.model_copy(update={"label_cutoff": "2024-06-30"})
    result = train_world(world_dir, settings=fast_settings.with_overrides(model=early))
    assert result.bundle.meta["label_cutoff"] == "2024-06-30T00:00:00"
    assert result.metrics["model"]["positives"] == 0  # test split starts after the cut-off


def test_training_never_reads_the_truth(world_dir, world_trained, fast_settings, tmp_path):
    blind = tmp_path / "world"
    shutil.copytree(world_dir, blind)
    (blind / "truth.parquet").unlink()
    again = train_world(blind, settings=fast_settings)
    assert again.bundle.model_text == world_trained.bundle.model_text
    assert "model_truth" not in again.metrics and "truth" not in again.test_frame.columns


def test_time_split_never_leaks_on_the_world(world_trained):
    frame = world_trained.test_frame
    s = world_trained.splits
    assert s["train"]["time_max"] < s["valid"]["time_min"] < s["test"]["time_min"]
    assert str(frame["submitted_at"].min()) == s["test"]["time_min"]


def test_test_frame_carries_audit_attributes_and_baseline(world_trained):
    frame = world_trained.test_frame
    for column in ("nationality", "sex", "birth_date", "marital_status", "investigated"):
        assert column in frame.columns
        assert column not in world_trained.bundle.feature_names
    assert set(frame["baseline_score"].unique().to_list()) <= {0.0, 1.0, 2.0, 3.0}


def test_checklist_counts_rules_hit():
    frame = pl.DataFrame(
        {
            "prior_overstay_count": [0, 2, None, 0],
            "mrz_number_check_ok": [True, True, False, None],
            "mrz_birth_check_ok": [True, True, True, True],
            "mrz_expiry_check_ok": [True, True, True, True],
            "mrz_optional_check_ok": [True, None, True, True],
            "mrz_composite_check_ok": [True, False, True, True],
            "tamper_score": [0.1, 0.9, None, 0.7],
        }
    )
    assert checklist_score(frame).tolist() == [0.0, 3.0, 1.0, 0.0]


@pytest.fixture(scope="module")
def world_features(world_dir) -> pl.DataFrame:
    from risk.io import load_tables

    return features.build_features(load_tables(world_dir)).collect().tail(300)


def test_reasons_come_from_the_catalogue_with_the_case_values(world_trained, world_features):
    cat = features.catalogue()
    for lang in ("en", "id"):
        expls = world_trained.bundle.explain(world_features.head(40), lang=lang)
        for expl, row in zip(expls, world_features.head(40).iter_rows(named=True), strict=True):
            for r in expl.raised + expl.lowered:
                assert r.text == cat.get(r.feature).reason(row[r.feature], lang=lang)
                # a reader sees words, never a column name (a one-word name such as
                # "purpose" is an ordinary word of its own reason)
                if "_" in r.feature:
                    assert r.feature not in r.text


def test_world_bundle_round_trips_against_the_installed_catalogue(
    world_trained, world_features, tmp_path
):
    folder = world_trained.bundle.save(tmp_path / "bundle")
    loaded = load_bundle(folder)
    assert loaded.catalogue is not None and loaded.catalogue.hash() == loaded.catalogue_hash
    row = world_features.row(0, named=True)
    a, b = world_trained.bundle.score_one(row), loaded.score_one(row, lang="id")
    assert a.margin == b.margin and a.band == b.band
    np.testing.assert_allclose(
        loaded.score(world_features).margin,
        world_trained.bundle.score(world_features).margin,
        rtol=0,
        atol=0,
    )


def test_world_bundle_refuses_a_changed_catalogue(world_trained, tmp_path):
    import json

    folder = world_trained.bundle.save(tmp_path / "bundle")
    manifest = json.loads((folder / "bundle.json").read_text())
    manifest["catalogue_hash"] = "f" * 64
    (folder / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleLoadError) as err:
        load_bundle(folder)
    assert err.value.message == (
        f"bundle {folder} was trained with feature catalogue {'f' * 64}, the current catalogue"
        f" is {features.catalogue().hash()}"
    )
