"""``fairness_report``: group metrics, disparity ratios, suppression and verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from risk.errors import RequestValidationError
from risk.text import listing

from ._bootstrap import RatioInterval, bootstrap_ratio_intervals, rng_for
from ._metrics import RATE_NAMES, auc_by_group, confusion_counts, ece_by_group, rates_from_counts
from ._policy import RATIO_METRICS, FairnessPolicy
from ._result import AttributeResult, FairnessReport, GroupResult, MetricVerdict, RatioResult
from ._table import MISSING, SEP, ReportInputs, attribute_values, check_inputs

__all__ = ["GroupStats", "fairness_report", "report_from_stats"]

_EPS = 1e-12


def fairness_report(
    frame: pl.DataFrame,
    *,
    label: str,
    groups: list[str],
    score: str | None = None,
    threshold: float | None = None,
    flag: str | None = None,
    intersections: bool = False,
    reference: dict[str, str] | None = None,
    policy: FairnessPolicy | None = None,
    source: str = "table",
) -> FairnessReport:
    """The fairness report of any scored table: group disparities and verdicts.

    Parameters
    ----------
    frame
        One row per case: the true label, the score or flag, and the protected attributes.
    label
        Binary truth column (0/1 or boolean).
    groups
        Protected attribute columns; null values form their own group ``"<missing>"``.
    score, threshold
        A score in [0, 1] and the threshold at or above which a case is flagged.
    flag
        Alternatively, a binary flag column (a score may still be given for AUC and ECE).
    intersections
        Also report every pair of attributes, named ``"A|B"`` with values ``"a|b"``.
    reference
        Reference group per attribute (default: its largest group).
    policy
        Tolerance policy (default: :meth:`FairnessPolicy.default`).
    source
        Name of the table in error messages (e.g. its file path).

    Returns
    -------
    FairnessReport

    Raises
    ------
    RequestValidationError
        Missing column, non-binary label or flag, score outside [0, 1], an invalid
        score/threshold/flag combination, or an unknown or suppressed reference.
    """
    policy = policy or FairnessPolicy.default()
    inputs = check_inputs(
        frame,
        label=label,
        groups=groups,
        score=score,
        threshold=threshold,
        flag=flag,
        source=source,
    )
    attrs = attribute_values(frame, groups, intersections, source)
    reference = dict(reference or {})
    check_references(reference, list(attrs), source)
    stats = {name: _attribute_stats(s, inputs, policy) for name, s in attrs.items()}
    zero = np.zeros(len(inputs.y), dtype=np.int64)
    overall = _stats(zero, [MISSING], inputs, policy)
    info = {
        "source": source,
        "label": label,
        "score": score,
        "threshold": threshold,
        "flag": flag,
        "groups": list(groups),
        "intersections": intersections,
    }
    return report_from_stats(stats, overall, info, policy, reference, source)


@dataclass(frozen=True)
class GroupStats:
    """What the report needs of one attribute: its values and, per value, the figures.

    ``counts`` are the confusion cells (TP, FP, TN, FN) per value; ``auc`` and ``ece``
    are per value, or ``None`` without a score.  A Dask job combines these from its
    partitions (:mod:`models.fairness._dask`).
    """

    values: list[str]
    counts: np.ndarray
    auc: np.ndarray | None
    ece: np.ndarray | None


def report_from_stats(
    stats: dict[str, GroupStats],
    overall: GroupStats,
    info: dict,
    policy: FairnessPolicy,
    reference: dict[str, str],
    source: str,
) -> FairnessReport:
    """The report from each attribute's :class:`GroupStats` (and the whole table's)."""
    check_references(reference, list(stats), source)
    results = {
        name: _attribute_report(name, st, policy, reference.get(name), source)
        for name, st in stats.items()
    }
    verdict, reason, failing = _overall_verdict(results)
    summary = _overall(overall) | {"verdict": verdict, "reason": reason, "failing": failing}
    return FairnessReport(policy, info, summary, results, verdict)


def check_references(reference: dict[str, str], names: list[str], source: str) -> None:
    """Refuse a reference group given for an attribute the report does not have."""
    for key in reference:
        if key not in names:
            raise RequestValidationError(
                f"{source}: reference given for {key!r}, which is not a reported attribute "
                f"({listing(names)})"
            )


def _stats(
    codes: np.ndarray, values: list[str], inputs: ReportInputs, policy: FairnessPolicy
) -> GroupStats:
    g = len(values)
    counts = confusion_counts(codes, inputs.y, inputs.f, g)
    if inputs.score is None:
        return GroupStats(values, counts, None, None)
    auc = auc_by_group(codes, inputs.y, inputs.score, g)
    ece = ece_by_group(codes, inputs.y, inputs.score, g, policy.calibration_bins)
    return GroupStats(values, counts, auc, ece)


def _attribute_stats(s: pl.Series, inputs: ReportInputs, policy: FairnessPolicy) -> GroupStats:
    values, codes = _encode(s)
    return _stats(codes, values, inputs, policy)


def _overall(st: GroupStats) -> dict:
    counts = st.counts[0]
    rates = rates_from_counts(counts)
    out = {
        "n": int(counts.sum()),
        "positives": int(counts[0] + counts[3]),
        "flagged": int(counts[0] + counts[1]),
    }
    out |= {k: _num(rates[k]) for k in RATE_NAMES}
    if st.auc is not None:
        out["auc"] = _num(st.auc[0])
        out["ece"] = _num(st.ece[0])
    return out


def _num(x: float | np.floating) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _encode(s: pl.Series) -> tuple[list[str], np.ndarray]:
    values = s.unique().sort()
    codes = s.replace_strict(values, pl.int_range(len(values), eager=True), return_dtype=pl.Int64)
    return values.to_list(), codes.to_numpy()


def _pick_reference(
    name: str, values: list[str], n: np.ndarray, small: np.ndarray, asked: str | None, source: str
) -> tuple[int | None, str]:
    if asked is not None:
        if asked not in values:
            shown = values if len(values) <= 20 else [*values[:20], "..."]
            raise RequestValidationError(
                f"{source}: reference value {asked!r} does not occur in attribute {name!r} "
                f"(values: {shown})"
            )
        i = values.index(asked)
        if small[i]:
            raise RequestValidationError(
                f"{source}: reference value {asked!r} of attribute {name!r} has fewer rows "
                "than min_group_size, so it is suppressed and cannot be the reference"
            )
        return i, "given"
    i = int(np.argmax(n))  # ties: the first value in sorted order
    if small[i]:
        return None, "every group is below min_group_size"
    return i, "largest group"


def _attribute_report(
    name: str,
    st: GroupStats,
    policy: FairnessPolicy,
    asked: str | None,
    source: str,
) -> AttributeResult:
    values, counts, auc, ece = st.values, st.counts, st.auc, st.ece
    n = counts.sum(axis=1)
    small = n < policy.min_group_size
    ref, ref_reason = _pick_reference(name, values, n, small, asked, source)
    rates = rates_from_counts(counts)
    ratios = _ratios(name, counts, rates, small, ref, policy)
    groups = {}
    for i, v in enumerate(values):
        tp, fp, tn, fn = (int(c) for c in counts[i])
        groups[v] = GroupResult(
            value=v,
            n=int(n[i]),
            positives=tp + fn,
            tp=tp,
            fp=fp,
            tn=tn,
            fn=fn,
            rates={k: _num(rates[k][i]) for k in RATE_NAMES},
            auc=None if auc is None else _num(auc[i]),
            ece=None if ece is None else _num(ece[i]),
            suppressed=bool(small[i]),
            reference=i == ref,
            ratios=ratios.get(i, {}),
        )
    verdicts = {m: _metric_verdict(m, m in policy.metrics, groups) for m in RATIO_METRICS}
    return AttributeResult(
        name=name,
        columns=tuple(name.split(SEP)) if SEP in name else (name,),
        reference=None if ref is None else values[ref],
        reference_reason=ref_reason,
        groups=groups,
        verdicts=verdicts,
        verdict=_attribute_verdict(verdicts),
    )


def _ratios(
    name: str,
    counts: np.ndarray,
    rates: dict[str, np.ndarray],
    small: np.ndarray,
    ref: int | None,
    policy: FairnessPolicy,
) -> dict[int, dict[str, RatioResult]]:
    if ref is None:
        return {}
    kept = np.flatnonzero(~small)
    cis: dict[str, list[RatioInterval]] = {}
    if policy.bootstrap > 0:
        rng = rng_for(policy.seed, name)
        ref_pos = int(np.searchsorted(kept, ref))
        cis = bootstrap_ratio_intervals(
            counts[kept], ref_pos, RATIO_METRICS, n_boot=policy.bootstrap, rng=rng
        )
    out: dict[int, dict[str, RatioResult]] = {}
    for pos, i in enumerate(kept):
        if i == ref:
            continue
        out[int(i)] = {
            m: _ratio_result(rates[m][i], rates[m][ref], cis[m][pos] if cis else None, policy)
            for m in RATIO_METRICS
        }
    return out


def _point_ratio(rate: float, ref_rate: float) -> tuple[float | None, str | None, str]:
    """The ratio, why it is missing, and its point verdict under an unbounded band."""
    if math.isnan(rate) or math.isnan(ref_rate):
        who = "group" if math.isnan(rate) else "reference group"
        return None, f"rate undefined in the {who} (zero denominator)", "undefined"
    if ref_rate == 0.0:
        if rate == 0.0:
            return None, "0/0: both rates are 0 (equal, counted as pass)", "pass"
        return None, "reference rate is 0 and group rate is not (ratio infinite)", "fail"
    return float(rate / ref_rate), None, ""


def _ratio_result(
    rate: float, ref_rate: float, ci: RatioInterval | None, policy: FairnessPolicy
) -> RatioResult:
    low, high = policy.band()
    value, reason, verdict = _point_ratio(float(rate), float(ref_rate))
    if value is not None:
        # Inclusive band; the slack absorbs rounding (0.08 / 0.1 is 0.7999999999999999).
        verdict = "pass" if low - _EPS <= value <= high + _EPS else "fail"
    bounds = None if ci is None or ci.resamples == 0 else (ci.low, ci.high)
    if policy.verdict_rule == "ci" and bounds is not None and bounds != (None, None):
        lo, hi = bounds
        beyond = (lo is not None and lo > high + _EPS) or (hi is not None and hi < low - _EPS)
        verdict = "fail" if beyond else ("undefined" if verdict == "undefined" else "pass")
    return RatioResult(
        value=value,
        reason=reason,
        ci=bounds,
        ci_resamples=0 if ci is None else ci.resamples,
        ci_reason="bootstrap disabled (bootstrap = 0)" if ci is None else ci.reason,
        verdict=verdict,
    )


def _metric_verdict(metric: str, gated: bool, groups: dict[str, GroupResult]) -> MetricVerdict:
    compared = {v: g.ratios[metric] for v, g in groups.items() if metric in g.ratios}
    failing = tuple(v for v, r in compared.items() if r.verdict == "fail")
    undefined = tuple(v for v, r in compared.items() if r.verdict == "undefined")
    defined = [r.value for r in compared.values() if r.value is not None]
    if not compared:
        verdict = "suppressed"
    elif failing:
        verdict = "fail"
    elif len(undefined) == len(compared):
        verdict = "undefined"
    else:
        verdict = "pass"
    return MetricVerdict(
        metric,
        gated,
        verdict,
        failing,
        undefined,
        min(defined) if defined else None,
        max(defined) if defined else None,
    )


def _attribute_verdict(verdicts: dict[str, MetricVerdict]) -> str:
    gated = {v.verdict for v in verdicts.values() if v.gated}
    for v in ("fail", "pass", "undefined"):
        if v in gated:
            return v
    return "suppressed"


def _overall_verdict(results: dict[str, AttributeResult]) -> tuple[str, str, list[str]]:
    failing = [
        f"{a}.{m}"
        for a, r in results.items()
        for m, v in r.verdicts.items()
        if v.gated and v.verdict == "fail"
    ]
    if failing:
        return "fail", f"outside the tolerance band: {', '.join(failing)}", failing
    if not any(r.verdict == "pass" for r in results.values()):
        return "fail", "nothing could be assessed: every group suppressed or undefined", []
    return "pass", "every assessed ratio lies within the tolerance band", []
