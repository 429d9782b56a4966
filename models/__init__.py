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
- :func:`score_batch(bundle, rows, out, *, explain='flagged', lang='en', top=3)
  <score_batch>` writes id, score, band, flag and reasons chunk by chunk;
  :func:`batch_input(bundle, data)` reads a world folder (through the features) or a table.
- :func:`compare_models` and :func:`compare_verdicts`: a champion against a challenger
  on logged applications at the same capacity (overlap, paired Horvitz-Thompson
  estimates with 95% intervals, live fairness, changes in mean |SHAP|) and plain
  verdicts; ``models._backtest`` replays logged feature rows exactly.
- :data:`CHECKLIST` and :func:`checklist_score`: the legacy rules the model must beat.
- :func:`estimate_reviews(reviews) <estimate_reviews>`: Horvitz-Thompson estimates of
  prevalence, precision and recall at capacity and the miss rate among unflagged
  applications (95% intervals) from reviewed cases and their review propensities.
- :class:`ReviewPolicy`: whether a case is queued and what a blind case shows, on one
  scale (the margin): capacity threshold, override, bands, routing (kill switch, flag,
  blind sample), review propensity; :func:`margin_at_probability` turns a probability
  threshold into its margin exactly.
- Building blocks: :class:`RiskModel`, :class:`Calibrator`, :class:`Bands`,
  :func:`capacity_threshold`, :class:`FeatureSchema`, :func:`read_spec`.
"""

from models._baseline import CHECKLIST, checklist_score
from models._batch import EXPLAIN_CHOICES, batch_input, score_batch
from models._bundle import Bundle, Scores, model_name
from models._calibration import Calibrator
from models._compare import compare_models
from models._compare_html import compare_figures, write_compare_html
from models._core import TrainResult
from models._estimates import REVIEW_COLUMNS, Estimate, LoopEstimates, estimate_reviews
from models._explain import CaseScore, Explanation
from models._global import GlobalExplanation, global_explanation
from models._labels import LABEL_POLICIES
from models._load import load_bundle
from models._metrics import expected_calibration_error, score_metrics, top_k_mask
from models._model import RiskModel
from models._reasons import FeatureText, Reason
from models._review_policy import ROUTES, ReviewPolicy, margin_at_probability
from models._schema import FeatureSchema
from models._spec import DatasetSpec, read_spec
from models._threshold import Bands, band_evidence, capacity_threshold
from models._train import train_table
from models._verdict import VERDICTS, compare_verdicts
from models._world import train_world

__all__ = [
    "CHECKLIST",
    "EXPLAIN_CHOICES",
    "LABEL_POLICIES",
    "REVIEW_COLUMNS",
    "ROUTES",
    "VERDICTS",
    "Bands",
    "Bundle",
    "Calibrator",
    "CaseScore",
    "DatasetSpec",
    "Estimate",
    "Explanation",
    "FeatureSchema",
    "FeatureText",
    "GlobalExplanation",
    "LoopEstimates",
    "Reason",
    "ReviewPolicy",
    "RiskModel",
    "Scores",
    "TrainResult",
    "band_evidence",
    "batch_input",
    "capacity_threshold",
    "checklist_score",
    "compare_figures",
    "compare_models",
    "compare_verdicts",
    "estimate_reviews",
    "expected_calibration_error",
    "global_explanation",
    "load_bundle",
    "margin_at_probability",
    "model_name",
    "read_spec",
    "score_batch",
    "score_metrics",
    "top_k_mask",
    "train_table",
    "train_world",
    "write_compare_html",
]
