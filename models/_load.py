"""Loading a model bundle, verified against the feature catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from models._bundle import BUNDLE_FORMAT, REFERENCE_FILE, Bundle
from models._calibration import Calibrator
from models._reasons import FeatureText
from models._schema import FeatureSchema
from models._threshold import Bands
from risk.errors import BundleLoadError, FeatureError
from risk.text import listing

__all__ = ["load_bundle"]

_REQUIRED = ("format", "features", "catalogue_hash", "calibrator", "bands", "texts", "source")


def load_bundle(directory: str | Path, *, catalogue: Any = None) -> Bundle:
    """Load a bundle folder and verify it.

    Parameters
    ----------
    directory
        The folder holding ``model.txt`` and ``bundle.json``.
    catalogue
        The feature catalogue to verify against.  Bundles trained on the synthetic world
        or contract data (``source = "world"``) are always verified, against the
        installed ``features.catalogue()`` when none is given.

    Raises
    ------
    BundleLoadError
        If a file is missing or corrupt, the features in ``model.txt`` and ``bundle.json``
        differ, or the features or catalogue hash differ from the catalogue's.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise BundleLoadError(f"model bundle folder {folder} does not exist")
    manifest = _read_manifest(folder)
    booster = _read_booster(folder)
    try:
        schema = FeatureSchema.from_dict(manifest["features"])
        texts = {n: FeatureText(**t) for n, t in manifest["texts"].items()}
    except (KeyError, TypeError, FeatureError) as exc:
        raise BundleLoadError(
            f"{folder / 'bundle.json'} field 'features' is malformed: {exc}"
        ) from exc
    if list(booster.feature_name()) != list(schema.names):
        raise BundleLoadError(
            f"model.txt features ({listing(booster.feature_name())}) differ from bundle.json"
            f" features ({listing(schema.names)}) in {folder}"
        )
    if manifest["source"] == "world" and catalogue is None:
        import features

        catalogue = features.catalogue()
    if catalogue is not None:
        _verify_catalogue(schema, manifest["catalogue_hash"], catalogue, folder)
    meta = {k: v for k, v in manifest.items() if k not in _CORE}
    bundle = Bundle(
        booster,
        schema,
        Calibrator.from_dict(manifest["calibrator"]),
        Bands.from_dict(manifest["bands"]),
        texts,
        catalogue_hash=manifest["catalogue_hash"],
        meta=meta,
        catalogue=catalogue,
    )
    if manifest.get("fingerprint") not in (None, bundle.fingerprint):
        raise BundleLoadError(
            f"bundle {folder} fingerprint {manifest['fingerprint']} does not match its content"
            f" ({bundle.fingerprint}): model.txt or bundle.json was edited"
        )
    bundle.reference = _read_reference(folder)
    return bundle


def _read_reference(folder: Path) -> dict[str, Any] | None:
    """The monitoring baseline, if the bundle has one (older bundles do not)."""
    path = folder / REFERENCE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BundleLoadError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(data, dict):
        raise BundleLoadError(f"{path} must hold a JSON object, got {type(data).__name__}")
    return data


_CORE = frozenset(
    (
        "format",
        "fingerprint",
        "version",
        "features",
        "catalogue_hash",
        "calibrator",
        "bands",
        "texts",
    )
)


def _read_booster(folder: Path) -> Any:
    import lightgbm as lgb

    path = folder / "model.txt"
    if not path.is_file():
        raise BundleLoadError(f"model bundle {folder} lacks model.txt")
    try:
        return lgb.Booster(model_str=path.read_text())
    except (lgb.basic.LightGBMError, UnicodeDecodeError) as exc:
        raise BundleLoadError(f"{path} is not a LightGBM model: {exc}") from exc


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "bundle.json"
    if not path.is_file():
        raise BundleLoadError(f"model bundle {folder} lacks bundle.json")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BundleLoadError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(manifest, dict):
        raise BundleLoadError(f"{path} must hold a JSON object, got {type(manifest).__name__}")
    for key in _REQUIRED:
        if key not in manifest:
            raise BundleLoadError(f"{path} lacks field {key!r}")
    if manifest["format"] != BUNDLE_FORMAT:
        raise BundleLoadError(
            f"{path} has bundle format {manifest['format']!r}; this Amanah reads {BUNDLE_FORMAT}"
        )
    return manifest


def _verify_catalogue(
    schema: FeatureSchema, bundle_hash: str, catalogue: Any, folder: Path
) -> None:
    specs = {s.name: s for s in catalogue.specs}
    for name, kind in zip(schema.names, schema.kinds, strict=True):
        spec = specs.get(name)
        if spec is None:
            raise BundleLoadError(
                f"bundle {folder} uses feature {name!r}, which the feature catalogue lacks"
            )
        if spec.kind != kind:
            raise BundleLoadError(
                f"bundle {folder} has feature {name!r} as {kind}, the catalogue as {spec.kind}"
            )
    current = catalogue.hash()
    if current != bundle_hash:
        raise BundleLoadError(
            f"bundle {folder} was trained with feature catalogue {bundle_hash},"
            f" the current catalogue is {current}"
        )
