"""The model bundle: round trip, no pickle, determinism, and every load failure."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models import load_bundle, train_table
from risk.errors import BundleLoadError


@pytest.fixture
def bundle_copy(saved_bundle: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved_bundle, tmp_path / "bundle"))


def test_bundle_holds_only_model_text_and_json(saved_bundle):
    assert sorted(p.name for p in saved_bundle.iterdir()) == [
        "bundle.json",
        "model.txt",
        "reference.json",
    ]
    for path in saved_bundle.iterdir():
        assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"
    assert (saved_bundle / "model.txt").read_text().startswith("tree\nversion=v4")


def test_bundle_json_records_what_the_model_needs(saved_bundle, trained):
    manifest = json.loads((saved_bundle / "bundle.json").read_text())
    assert [f["name"] for f in manifest["features"]] == [
        "amount",
        "x2",
        "x3",
        "x4",
        "x5",
        "region",
        "prior_flag",
    ]
    assert manifest["features"][5] == {
        "name": "region",
        "kind": "categorical",
        "categories": ["east", "north", "south"],
    }
    assert manifest["fingerprint"] == trained.bundle.fingerprint
    assert manifest["version"] == trained.bundle.fingerprint[:12]
    assert manifest["seed"] == 7
    assert set(manifest["versions"]) >= {"lightgbm", "numpy", "polars"}
    assert manifest["splits"]["train"]["time_max"] < manifest["splits"]["valid"]["time_min"]
    assert manifest["metrics"]["model"]["roc_auc"] == trained.metrics["model"]["roc_auc"]
    assert len(manifest["data_fingerprint"]) == 64
    assert manifest["num_trees"] == manifest["best_iteration"] == trained.bundle.booster.num_trees()
    assert "label" in manifest["label_policy"]
    assert manifest["protected"] == ["gender"]


def test_old_bundle_naming_audit_only_loads_as_protected(bundle_copy, trained):
    manifest = json.loads((bundle_copy / "bundle.json").read_text())
    manifest["audit_only"] = manifest.pop("protected")
    (bundle_copy / "bundle.json").write_text(json.dumps(manifest))
    bundle = load_bundle(bundle_copy)
    assert bundle.meta["protected"] == ["gender"]
    assert "audit_only" not in bundle.meta
    assert bundle.fingerprint == trained.bundle.fingerprint


def test_bundle_round_trip_scores_and_explains_identically(saved_bundle, trained, table_files):
    rows = pl.read_csv(table_files[0]).tail(200)
    loaded = load_bundle(saved_bundle)
    assert loaded.fingerprint == trained.bundle.fingerprint
    a, b = trained.bundle.score(rows), loaded.score(rows)
    np.testing.assert_array_equal(a.margin, b.margin)
    np.testing.assert_array_equal(a.probability, b.probability)
    assert a.band.tolist() == b.band.tolist()
    assert loaded.threshold == trained.bundle.threshold
    ea, eb = trained.bundle.explain(rows, lang="id"), loaded.explain(rows, lang="id")
    assert [e.to_dict() for e in ea] == [e.to_dict() for e in eb]


def test_same_seed_gives_identical_model_text(table_files, fast_settings, trained):
    again = train_table(*table_files, settings=fast_settings)
    assert again.bundle.model_text == trained.bundle.model_text
    assert again.bundle.fingerprint == trained.bundle.fingerprint
    assert again.bundle.meta["data_fingerprint"] == trained.bundle.meta["data_fingerprint"]


def test_missing_folder(tmp_path):
    with pytest.raises(BundleLoadError) as err:
        load_bundle(tmp_path / "nope")
    assert err.value.message == f"model bundle folder {tmp_path / 'nope'} does not exist"


@pytest.mark.parametrize("name", ["model.txt", "bundle.json"])
def test_missing_file(bundle_copy, name):
    (bundle_copy / name).unlink()
    with pytest.raises(BundleLoadError) as err:
        load_bundle(bundle_copy)
    assert err.value.message == f"model bundle {bundle_copy} lacks {name}"


def test_bad_json(bundle_copy):
    (bundle_copy / "bundle.json").write_text('{"format": 1,\n  "features": [}')
    with pytest.raises(BundleLoadError) as err:
        load_bundle(bundle_copy)
    assert err.value.message == (
        f"{bundle_copy / 'bundle.json'} is not valid JSON: Expecting value at line 2 column 16"
    )


def _edit(folder: Path, **changes) -> None:
    path = folder / "bundle.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    for key, value in changes.items():
        if value is None:
            del manifest[key]
    path.write_text(json.dumps(manifest))


def test_missing_field(bundle_copy):
    _edit(bundle_copy, calibrator=None)
    with pytest.raises(BundleLoadError) as err:
        load_bundle(bundle_copy)
    assert err.value.message == f"{bundle_copy / 'bundle.json'} lacks field 'calibrator'"


def test_wrong_format_version(bundle_copy):
    _edit(bundle_copy, format=99)
    with pytest.raises(BundleLoadError) as err:
        load_bundle(bundle_copy)
    assert err.value.message == (
        f"{bundle_copy / 'bundle.json'} has bundle format 99; this Amanah reads 1"
    )


def test_corrupt_model_text(bundle_copy):
    (bundle_copy / "model.txt").write_text("not a model")
    with pytest.raises(BundleLoadError, match=r"model\.txt is not a LightGBM model: "):
        load_bundle(bundle_copy)


def test_feature_mismatch_between_model_and_manifest(bundle_copy):
    manifest = json.loads((bundle_copy / "bundle.json").read_text())
    manifest["features"][0]["name"] = "amount_usd"
    _edit(bundle_copy, features=manifest["features"])
    with pytest.raises(BundleLoadError) as err:
        load_bundle(bundle_copy)
    assert err.value.message == (
        "model.txt features (amount, x2, x3, x4, x5, region and prior_flag) differ"
        " from bundle.json features (amount_usd, x2, x3, x4, x5, region and prior_flag)"
        f" in {bundle_copy}"
    )


def test_edited_threshold_breaks_the_fingerprint(bundle_copy, trained):
    manifest = json.loads((bundle_copy / "bundle.json").read_text())
    manifest["bands"]["flag_margin"] -= 1.0
    _edit(bundle_copy, bands=manifest["bands"])
    with pytest.raises(BundleLoadError, match=r"model\.txt or bundle\.json was edited"):
        load_bundle(bundle_copy)


@dataclass(frozen=True)
class _Spec:
    name: str
    kind: str


@dataclass(frozen=True)
class _Catalogue:
    """The two things load_bundle reads from a catalogue: its specs and its hash."""

    specs: tuple[_Spec, ...]
    digest: str

    def hash(self) -> str:
        return self.digest


_KINDS = [
    ("amount", "numeric"),
    ("x2", "numeric"),
    ("x3", "numeric"),
    ("x4", "numeric"),
    ("x5", "numeric"),
    ("region", "categorical"),
    ("prior_flag", "boolean"),
]


def test_catalogue_lacking_a_feature(saved_bundle):
    cat = _Catalogue(tuple(_Spec(n, k) for n, k in _KINDS if n != "x3"), "h")
    with pytest.raises(BundleLoadError) as err:
        load_bundle(saved_bundle, catalogue=cat)
    assert err.value.message == (
        f"bundle {saved_bundle} uses feature 'x3', which the feature catalogue lacks"
    )


def test_catalogue_with_another_kind(saved_bundle):
    kinds = [(n, "numeric" if n == "region" else k) for n, k in _KINDS]
    cat = _Catalogue(tuple(_Spec(n, k) for n, k in kinds), "h")
    with pytest.raises(BundleLoadError) as err:
        load_bundle(saved_bundle, catalogue=cat)
    assert err.value.message == (
        f"bundle {saved_bundle} has feature 'region' as categorical, the catalogue as numeric"
    )


def test_catalogue_hash_mismatch(saved_bundle, trained):
    cat = _Catalogue(tuple(_Spec(n, k) for n, k in _KINDS), "0" * 16)
    with pytest.raises(BundleLoadError) as err:
        load_bundle(saved_bundle, catalogue=cat)
    assert err.value.message == (
        f"bundle {saved_bundle} was trained with feature catalogue"
        f" {trained.bundle.catalogue_hash}, the current catalogue is {'0' * 16}"
    )


def test_matching_catalogue_loads(saved_bundle, trained):
    cat = _Catalogue(tuple(_Spec(n, k) for n, k in _KINDS), trained.bundle.catalogue_hash)
    assert load_bundle(saved_bundle, catalogue=cat).version == trained.bundle.version
