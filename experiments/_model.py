"""The model as MLflow sees it: LightGBM flavour with signature and example; the catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from risk.errors import BundleLoadError

from ._artifacts import catalogue_markdown

__all__ = ["catalogue_files", "example_frame", "log_lightgbm"]

#: Rows of the test split kept as the logged model's input example.
EXAMPLE_ROWS = 5


def example_frame(result: Any) -> Any:
    """A few encoded test rows (pandas, feature columns in model order) for the input example.

    The rows come from the sample of the test split the global explanation was
    computed on (already encoded as the model reads them).
    """
    import pandas as pd

    names = list(result.bundle.feature_names)
    data = np.asarray(result.global_explanation.data, dtype=np.float64)[:EXAMPLE_ROWS]
    if data.ndim != 2 or data.shape[1] != len(names) or not len(data):
        raise BundleLoadError(
            f"global explanation sample has shape {data.shape}; expected rows of"
            f" {len(names)} features to use as the model's input example"
        )
    return pd.DataFrame(data, columns=names)


def log_lightgbm(result: Any, meta: dict[str, Any]) -> Any:
    """Log the booster through ``mlflow.lightgbm`` into the active run.

    The signature maps the encoded feature columns to the raw (uncalibrated)
    probability LightGBM predicts; the Amanah bundle, logged beside it, holds the
    calibrator, threshold and reason wording.
    """
    import lightgbm
    import mlflow.lightgbm
    from mlflow.models import infer_signature

    booster = result.bundle.booster
    example = example_frame(result)
    prediction = booster.predict(example.to_numpy(), num_threads=1)
    return mlflow.lightgbm.log_model(
        booster,
        name="model",
        signature=infer_signature(example, prediction),
        input_example=example,
        # Pinned explicitly: inferring requirements re-imports the model in a subprocess
        # and costs seconds per run.
        pip_requirements=[f"lightgbm=={lightgbm.__version__}", "pandas", "numpy"],
        metadata={"amanah_bundle_fingerprint": str(meta.get("fingerprint", ""))},
    )


def _schema_records(bundle: Any) -> list[dict[str, Any]]:
    texts = getattr(bundle, "texts", {}) or {}
    out = []
    for item in bundle.schema.to_dict():
        text = texts.get(item["name"])
        out.append(
            {
                "name": item["name"],
                "kind": item["kind"],
                "description": getattr(text, "description", None) or "",
            }
        )
    return out


def catalogue_files(bundle: Any, directory: Path) -> list[Path]:
    """Write the feature catalogue as ``features.json`` and ``features.md``.

    The project catalogue is used when the bundle was trained from it; a model
    trained from a ready feature table lists its schema and descriptions instead.
    """
    directory.mkdir(parents=True, exist_ok=True)
    js, md = directory / "features.json", directory / "features.md"
    catalogue = getattr(bundle, "catalogue", None)
    if catalogue is not None:
        js.write_text(catalogue.to_json(), encoding="utf-8")
        md.write_text(catalogue.to_markdown(), encoding="utf-8")
    else:
        records = _schema_records(bundle)
        payload = {"hash": bundle.catalogue_hash, "features": records}
        js.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        md.write_text(catalogue_markdown(records), encoding="utf-8")
    return [js, md]
