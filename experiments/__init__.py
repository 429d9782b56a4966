"""Experiments: MLflow runs, the model registry, the promotion gate, model cards, reports.

The only package that imports mlflow.  Public API:

- :func:`log_training_run(result, *, settings, data_dir, trained_by, fairness=None,
  report=True) <log_training_run>` -> :class:`RunInfo`: one run per training, registered
  as a new version holding the ``challenger`` alias.
- :func:`promote(version, *, by, settings) <promote>`: the promotion gate (fairness
  pass, no loss of test PR AUC beyond the margin); every attempt is recorded;
  :func:`promotion_history`.
- :func:`request_waiver` and :func:`approve_waiver`: a version that fails the gate is
  promoted only when one person requests a waiver and a second, authenticated person
  approves it; :func:`pending_waivers` lists the open requests.
- :func:`log_comparison` and :func:`latest_comparison`: a champion-challenger comparison
  logged on the challenger's run and tagged on its version, which the gate reads.
- :func:`champion_bundle_dir(settings) <champion_bundle_dir>`: the champion's bundle folder.
- :func:`build_report(version, out_dir, *, settings) <build_report>`: the oversight report.
- :func:`log_monitoring_run(report, folder, *, settings) <log_monitoring_run>`: a
  monitoring run of a model version (``risk monitor``).

``audit_training_result`` is the former name of :func:`training_fairness_report`, kept
for one release (with a ``DeprecationWarning``).
"""

import warnings as _warnings

from experiments._card import ModelCard
from experiments._evidence import EVIDENCE_TAG, latest_comparison, log_comparison
from experiments._fairness import (
    AGE_BANDS,
    FairnessEvidence,
    training_fairness_report,
    with_age_band,
)
from experiments._labels import PRECISION_DEFINITION, metric_definition, metric_label
from experiments._monitoring import MONITORING_EXPERIMENT_SUFFIX, log_monitoring_run
from experiments._promotion import GATE_METRICS, promote, promotion_history
from experiments._registry import (
    CHALLENGER,
    CHAMPION,
    champion_bundle,
    champion_bundle_dir,
    champion_version,
    list_versions,
    registry_exists,
    version_bundle_dir,
)
from experiments._report import REPORT_FILE, build_report
from experiments._runs import RunInfo, log_training_run
from experiments._tracking import client_for
from experiments._waivers import approve_waiver, pending_waivers, request_waiver

__all__ = [
    "AGE_BANDS",
    "CHALLENGER",
    "CHAMPION",
    "EVIDENCE_TAG",
    "GATE_METRICS",
    "MONITORING_EXPERIMENT_SUFFIX",
    "PRECISION_DEFINITION",
    "REPORT_FILE",
    "FairnessEvidence",
    "ModelCard",
    "RunInfo",
    "approve_waiver",
    "build_report",
    "champion_bundle",
    "champion_bundle_dir",
    "champion_version",
    "client_for",
    "latest_comparison",
    "list_versions",
    "log_comparison",
    "log_monitoring_run",
    "log_training_run",
    "metric_definition",
    "metric_label",
    "pending_waivers",
    "promote",
    "promotion_history",
    "registry_exists",
    "request_waiver",
    "training_fairness_report",
    "version_bundle_dir",
    "with_age_band",
]


def __getattr__(name: str) -> object:
    # The former name, kept for one release: "audit" now names only the audit log.
    if name == "audit_training_result":
        _warnings.warn(
            "experiments.audit_training_result is deprecated;"
            " use experiments.training_fairness_report",
            DeprecationWarning,
            stacklevel=2,
        )
        return training_fairness_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
