"""Models: training, calibration, capacity thresholds, exact SHAP reasons, the bundle.

Public API (stable for ``serving/`` and ``experiments/``; no mlflow, no HTTP here):

- :func:`train_world(data_dir, *, settings=None, progress=None) <train_world>` ->
  :class:`TrainResult`: features from the catalogue over the contract tables.
- :func:`train_table(table_path, spec_path, *, settings=None, progress=None)
  <train_table>` -> :class:`TrainResult` (``bundle``, ``metrics``, ``test_frame``,
  ``splits``, ``global_explanation``).
- :class:`Bundle`: ``score(X) -> Scores``, ``explain(X, *, top=5, lang='en') ->
  list[Explanation]``, ``score_one(row, *, lang='en', top=5) -> CaseScore``,
  ``threshold``, ``bands``, ``version``, ``fingerprint``, ``save(dir)``;
  :func:`load_bundle(dir, *, catalogue=None) <load_bundle>` verifies it.
- :func:`global_explanation(bundle, X) <global_explanation>` -> :class:`GlobalExplanation`
  (mean |SHAP| ranking, ``save_plots(dir)``).
- Building blocks: :class:`RiskModel`, :class:`Calibrator`, :class:`Bands`,
  :func:`capacity_threshold`, :class:`FeatureSchema`, :func:`read_spec`.
"""

from models._bundle import Bundle, Scores
from models._calibration import Calibrator
from models._core import TrainResult
from models._explain import CaseScore, Explanation
from models._global import GlobalExplanation, global_explanation
from models._load import load_bundle
from models._metrics import expected_calibration_error, score_metrics, top_k_mask
from models._model import RiskModel
from models._reasons import FeatureText, Reason
from models._schema import FeatureSchema
from models._spec import DatasetSpec, read_spec
from models._threshold import Bands, capacity_threshold
from models._train import train_table
from models._world import train_world

__all__ = [
    "Bands",
    "Bundle",
    "Calibrator",
    "CaseScore",
    "DatasetSpec",
    "Explanation",
    "FeatureSchema",
    "FeatureText",
    "GlobalExplanation",
    "Reason",
    "RiskModel",
    "Scores",
    "TrainResult",
    "capacity_threshold",
    "expected_calibration_error",
    "global_explanation",
    "load_bundle",
    "read_spec",
    "score_metrics",
    "top_k_mask",
    "train_table",
    "train_world",
]
