"""Fairness report of any scored table.

Per group and intersection of protected attributes: confusion counts, flag rate, FPR, FDR,
FNR, TPR, precision, AUC and calibration; disparity ratios against a reference group
with seeded bootstrap intervals; small-cell suppression; a tolerance policy with a
verdict; a proxy test (how well features predict each protected attribute) and a
label-bias view.  Imports nothing else from ``models``: it works on any table.

Public API
----------
FairnessPolicy
    The tolerance policy (``FairnessPolicy.from_toml(path)``, ``FairnessPolicy.default()``).
fairness_report(frame, *, label, groups, score=None, threshold=None, flag=None,
            intersections=False, reference=None, policy=None) -> FairnessReport
    The report; ``FairnessReport.to_dict()``, ``.to_json()``, ``.verdict``, ``.key_ratios()``.
write_html(report, path, *, proxy=None, label_bias=None) -> Path
    A self-contained HTML report (plotly inlined, no network).
proxy_test(features, protected, *, seed) -> ProxyResult
    Cross-validated AUC of predicting each protected attribute from the features.
label_bias(frame, group_cols, *, investigated, confirmed, truth=None) -> LabelBias
    Investigation, confirmation and (when known) true violation rates by group.
fairness_report_dask(client, folder, *, label, groups, ...) -> FairnessReport
    The same report of a folder of scored parts, summarised per partition on Dask.
label_bias_dask(client, folder, group_cols, *, investigated, confirmed, ...) -> LabelBias
    The same view of a folder of parts, counted per partition on Dask.
read_scores(path) -> polars.DataFrame
    Read a Parquet or CSV scored table.

The JSON format is documented in ``docs/fairness.md``.  ``audit_table`` and
``FairnessAudit`` are the former names of ``fairness_report`` and ``FairnessReport``,
kept for one release (with a ``DeprecationWarning``).
"""

import warnings as _warnings

from ._dask import fairness_report_dask, label_bias_dask
from ._html import write_html
from ._label_bias import LabelBias, label_bias
from ._policy import RATIO_METRICS, FairnessPolicy
from ._proxy import ProxyAttribute, ProxyResult, proxy_test
from ._report import fairness_report
from ._result import AttributeResult, FairnessReport, GroupResult, MetricVerdict, RatioResult
from ._table import read_scores

__all__ = [
    "RATIO_METRICS",
    "AttributeResult",
    "FairnessPolicy",
    "FairnessReport",
    "GroupResult",
    "LabelBias",
    "MetricVerdict",
    "ProxyAttribute",
    "ProxyResult",
    "RatioResult",
    "fairness_report",
    "fairness_report_dask",
    "label_bias",
    "label_bias_dask",
    "proxy_test",
    "read_scores",
    "write_html",
]

#: Former names, kept for one release: "audit" now names only the audit log.
_RENAMED = {"audit_table": "fairness_report", "FairnessAudit": "FairnessReport"}


def __getattr__(name: str) -> object:
    if name in _RENAMED:
        _warnings.warn(
            f"models.fairness.{name} is deprecated; use models.fairness.{_RENAMED[name]}",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
