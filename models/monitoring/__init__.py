"""Watching a model in production: drift, score-shift attribution, label-free estimates.

Pure statistics (no HTTP, no mlflow).  A model version carries a reference profile
(``reference.json`` beside ``bundle.json``); :func:`monitor` compares current rows with it
chunk by chunk.

Public API
----------
build_profile(bundle, frame, settings, *, labels=None, period=(None, None)) -> ReferenceProfile
    Profile reference rows (done at training, on the held-out test split).
reference_profile(bundle) -> ReferenceProfile
    The profile saved with a bundle (``MonitorError`` naming the version if it has none).
monitor(bundle, current, *, settings, time, by, label, weight, groups, fairness, policy)
    -> MonitorReport (``to_dict()`` is the ``monitor.json`` shape, ``alerts``).
monitor_dask(client, bundle_path, current, ...) -> MonitorReport
    The same report of a folder of Parquet parts, summarised on Dask workers.
build_profile_dask(client, bundle_path, reference, settings) -> ReferenceProfile
    The same profile of a folder of reference parts, on Dask.
AlertPolicy.from_toml(path), DEFAULT_RULES
    Alert rules; ``suspend = true`` rules ask the service to switch to manual review.
write_html(report, path) -> Path
    A self-contained ``monitor.html``.
monitor_figures(report_dict, labels=LABELS) -> dict
    The heat map, attribution and estimate figures (plotly JSON), for any page.
psi, js_distance, wasserstein_norm, ks_p_value, chi2_p_value
    The statistics, for analysts' own checks.
"""

from ._alerts import DEFAULT_RULES, AlertPolicy, AlertRule
from ._charts import LABELS, monitor_figures
from ._dask import monitor_dask
from ._dask_profile import build_profile_dask
from ._estimate import estimate
from ._html import write_html
from ._monitor import MonitorReport, monitor
from ._profile import (
    PROFILE_FILE,
    FeatureProfile,
    ReferenceProfile,
    build_profile,
    reference_profile,
)
from ._stats import chi2_p_value, js_distance, ks_p_value, psi, wasserstein_norm

__all__ = [
    "DEFAULT_RULES",
    "LABELS",
    "PROFILE_FILE",
    "AlertPolicy",
    "AlertRule",
    "FeatureProfile",
    "MonitorReport",
    "ReferenceProfile",
    "build_profile",
    "build_profile_dask",
    "chi2_p_value",
    "estimate",
    "js_distance",
    "ks_p_value",
    "monitor",
    "monitor_dask",
    "monitor_figures",
    "psi",
    "reference_profile",
    "wasserstein_norm",
    "write_html",
]
