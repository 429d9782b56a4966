"""The result of a fairness report and its published (JSON) form."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ._metrics import RATE_DENOMINATORS, RATE_NAMES
from ._policy import RATIO_METRICS, FairnessPolicy

__all__ = ["AttributeResult", "FairnessReport", "GroupResult", "MetricVerdict", "RatioResult"]

_COUNTS = ("n", "positives", "tp", "fp", "tn", "fn")


def _num(x: float | None) -> float | None:
    """A float for JSON: NaN and infinities become ``None`` (never NaN in the output)."""
    if x is None or not math.isfinite(x):
        return None
    return float(x)


@dataclass(frozen=True)
class RatioResult:
    """One group's disparity ratio for one metric, its interval and its verdict.

    ``verdict`` is ``"pass"``, ``"fail"`` or ``"undefined"``; ``reason`` says why
    ``value`` is ``None`` (0/0, infinite, or an undefined rate).
    """

    value: float | None
    reason: str | None
    ci: tuple[float | None, float | None] | None
    ci_resamples: int
    ci_reason: str | None
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "value": _num(self.value),
            "reason": self.reason,
            "ci": None if self.ci is None else [_num(self.ci[0]), _num(self.ci[1])],
            "ci_resamples": self.ci_resamples,
            "ci_reason": self.ci_reason,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class GroupResult:
    """Counts, rates and ratios of one group of one attribute."""

    value: str
    n: int
    positives: int
    tp: int
    fp: int
    tn: int
    fn: int
    rates: dict[str, float | None]
    auc: float | None
    ece: float | None
    suppressed: bool
    reference: bool
    ratios: dict[str, RatioResult] = field(default_factory=dict)

    def to_dict(self, *, with_score: bool) -> dict[str, Any]:
        """The published form: a suppressed group shows no counts, rates or ratios."""
        out: dict[str, Any] = {"suppressed": self.suppressed, "reference": self.reference}
        if self.suppressed:
            out.update({k: None for k in (*_COUNTS, *RATE_NAMES)})
            if with_score:
                out.update(auc=None, ece=None)
            out["ratios"] = {}
            out["verdict"] = "suppressed"
            return out
        out.update({k: getattr(self, k) for k in _COUNTS})
        out.update({k: _num(self.rates[k]) for k in RATE_NAMES})
        out["undefined"] = {
            k: f"no {RATE_DENOMINATORS[k]} in this group"
            for k in RATE_NAMES
            if self.rates[k] is None
        }
        if with_score:
            out["auc"] = _num(self.auc)
            out["ece"] = _num(self.ece)
            if self.auc is None:
                out["undefined"]["auc"] = "group lacks positives or negatives"
        out["ratios"] = {m: r.to_dict() for m, r in self.ratios.items()}
        out["verdict"] = "reference" if self.reference else _group_verdict(self.ratios)
        return out


def _group_verdict(ratios: dict[str, RatioResult]) -> str:
    verdicts = {r.verdict for r in ratios.values()}
    for v in ("fail", "pass"):
        if v in verdicts:
            return v
    return "undefined"


@dataclass(frozen=True)
class MetricVerdict:
    """The verdict of one attribute on one ratio metric.

    ``verdict`` is ``"fail"`` (some group outside the band), ``"pass"`` (every compared
    group inside), ``"undefined"`` (no ratio could be decided) or ``"suppressed"`` (no
    group besides the reference is large enough to compare).
    """

    metric: str
    gated: bool
    verdict: str
    failing: tuple[str, ...]
    undefined: tuple[str, ...]
    min_ratio: float | None
    max_ratio: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "gated": self.gated,
            "verdict": self.verdict,
            "failing_groups": list(self.failing),
            "undefined_groups": list(self.undefined),
            "min_ratio": _num(self.min_ratio),
            "max_ratio": _num(self.max_ratio),
        }


@dataclass(frozen=True)
class AttributeResult:
    """Every group of one protected attribute (or intersection), with its verdicts."""

    name: str
    columns: tuple[str, ...]
    reference: str | None
    reference_reason: str
    groups: dict[str, GroupResult]
    verdicts: dict[str, MetricVerdict]
    verdict: str

    def to_dict(self, *, with_score: bool) -> dict[str, Any]:
        """The JSON form."""
        return {
            "columns": list(self.columns),
            "reference": self.reference,
            "reference_reason": self.reference_reason,
            "suppressed_groups": [g for g, r in self.groups.items() if r.suppressed],
            "groups": {g: r.to_dict(with_score=with_score) for g, r in self.groups.items()},
            "verdicts": {m: v.to_dict() for m, v in self.verdicts.items()},
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class FairnessReport:
    """The outcome of :func:`fairness_report`: per attribute results and the overall verdict."""

    policy: FairnessPolicy
    inputs: dict[str, Any]
    overall: dict[str, Any]
    attributes: dict[str, AttributeResult]
    verdict: str

    @property
    def with_score(self) -> bool:
        """Whether a score was measured (so AUC and calibration are reported)."""
        return self.inputs.get("score") is not None

    def to_dict(self) -> dict[str, Any]:
        """The published form of ``docs/fairness.md``: no NaN, suppressed cells hidden."""
        return {
            "format": "amanah.fairness/1",
            "policy": self.policy.model_dump(mode="json"),
            "inputs": self.inputs,
            "overall": self.overall,
            "attributes": {
                k: a.to_dict(with_score=self.with_score) for k, a in self.attributes.items()
            },
            "verdict": self.verdict,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as strict JSON (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    def key_ratios(self) -> dict[str, float]:
        """Flat figures for experiment logging.

        Keys are ``fairness.<attribute>.<metric>.min_ratio`` and ``.max_ratio`` (the
        extreme defined ratios over compared groups; omitted when none is defined) and
        ``fairness.pass`` (1.0 or 0.0).  Characters outside ``[A-Za-z0-9_.-]`` in an
        attribute name become ``_``, so ``"sex|nationality"`` is ``sex_nationality``.
        """
        out: dict[str, float] = {"fairness.pass": 1.0 if self.verdict == "pass" else 0.0}
        for name, attr in self.attributes.items():
            safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            for metric in RATIO_METRICS:
                v = attr.verdicts.get(metric)
                if v is None:
                    continue
                if v.min_ratio is not None:
                    out[f"fairness.{safe}.{metric}.min_ratio"] = float(v.min_ratio)
                if v.max_ratio is not None:
                    out[f"fairness.{safe}.{metric}.max_ratio"] = float(v.max_ratio)
        return out
