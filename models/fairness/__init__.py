"""Fairness audit of any scored table.

Per group and intersection of audit attributes: confusion counts, flag rate, FPR, FDR,
FNR, TPR, precision, AUC and calibration; disparity ratios against a reference group
with seeded bootstrap intervals; small-cell suppression; a tolerance policy with a
verdict; a proxy test (how well features predict each protected attribute) and a
label-bias view.  Imports nothing else from ``models``: it works on any table.

Public API
----------
FairnessPolicy
    The tolerance policy (``FairnessPolicy.from_toml(path)``, ``FairnessPolicy.default()``).
audit_table(frame, *, label, groups, score=None, threshold=None, flag=None,
            intersections=False, reference=None, policy=None) -> FairnessAudit
    The audit; ``FairnessAudit.to_dict()``, ``.to_json()``, ``.verdict``, ``.key_ratios()``.
write_html(audit, path, *, proxy=None, label_bias=None) -> Path
    A self-contained HTML report (plotly inlined, no network).
proxy_test(features, protected, *, seed) -> ProxyResult
    Cross-validated AUC of predicting each protected attribute from the features.
label_bias(frame, group_cols, *, investigated, confirmed, truth=None) -> LabelBias
    Investigation, confirmation and (when known) true violation rates by group.
read_scores(path) -> polars.DataFrame
    Read a Parquet or CSV scored table.

The JSON format is documented in ``docs/fairness.md``.
"""

from ._audit import audit_table
from ._html import write_html
from ._label_bias import LabelBias, label_bias
from ._policy import RATIO_METRICS, FairnessPolicy
from ._proxy import ProxyAttribute, ProxyResult, proxy_test
from ._result import AttributeResult, FairnessAudit, GroupResult, MetricVerdict, RatioResult
from ._table import read_scores

__all__ = [
    "RATIO_METRICS",
    "AttributeResult",
    "FairnessAudit",
    "FairnessPolicy",
    "GroupResult",
    "LabelBias",
    "MetricVerdict",
    "ProxyAttribute",
    "ProxyResult",
    "RatioResult",
    "audit_table",
    "label_bias",
    "proxy_test",
    "read_scores",
    "write_html",
]
