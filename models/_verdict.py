"""Plain verdicts on a comparison: one per check, each with its numbers, and one overall.

A difference is *better* or *worse* only when its whole 95% interval lies on one side
of zero; otherwise it is *inconclusive*, and a figure with no evidence is *not
estimable* (with the reason).  The overall verdict reads the estimated quality:
worse when precision or recall is estimated worse, better when one is estimated better
and none worse, inconclusive otherwise.  Fairness is judged per protected attribute by
how many groups each model has outside the ratio band (whole interval outside): the
flag-rate ratios, and the estimated false positive rates' ratios where reviews inform them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["VERDICTS", "compare_verdicts"]

VERDICTS = ("better", "worse", "inconclusive")

_PHRASE = {
    "worse": "more groups outside with the challenger (worse)",
    "better": "fewer groups outside with the challenger (better)",
    "inconclusive": "the same number (inconclusive)",
    "not estimable": "every group is below the minimum size (not estimable)",
}
_LABELS = {"precision": "precision at capacity", "recall": "recall at capacity"}


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _ci(ci: list[float] | None) -> str:
    return "" if ci is None else f" [{_num(ci[0])}, {_num(ci[1])}]"


def _quality(report: dict[str, Any], name: str) -> dict[str, Any]:
    est = report["estimates"]
    a, b, d = est["champion"], est["challenger"], est["difference"]
    label = _LABELS[name]
    if d[name] is None:
        return {
            "check": name,
            "verdict": "not estimable",
            "text": f"Estimated {label}: {d[f'{name}_reason']}.",
        }
    low, high = d[f"{name}_ci"]
    if low > 0:
        verdict, why = "better", "the whole interval is above zero"
    elif high < 0:
        verdict, why = "worse", "the whole interval is below zero"
    else:
        verdict, why = "inconclusive", "the interval includes zero"
    text = (
        f"Estimated {label}: challenger {_num(b[name])}{_ci(b[f'{name}_ci'])}, champion"
        f" {_num(a[name])}{_ci(a[f'{name}_ci'])}; difference {d[name]:+.3f}"
        f"{_ci(d[f'{name}_ci'])}: {verdict} ({why})."
    )
    return {"check": name, "verdict": verdict, "text": text}


def _outside(result: dict[str, Any]) -> tuple[int, int, str]:
    shown = {g: r for g, r in result.get("groups", {}).items() if not r.get("suppressed")}
    ratios = [r["flag_rate_ratio"] for r in shown.values() if r.get("flag_rate_ratio") is not None]
    span = f"{min(ratios):.2f} to {max(ratios):.2f}" if ratios else "-"
    return sum(bool(r.get("outside")) for r in shown.values()), len(shown), span


def _fairness(report: dict[str, Any], band: tuple[float, float]) -> list[dict[str, Any]]:
    fair = report.get("fairness") or {}
    checks = []
    for attribute in fair.get("champion", {}):
        a_out, a_n, a_span = _outside(fair["champion"][attribute])
        b_out, b_n, b_span = _outside(fair["challenger"][attribute])
        verdict = "worse" if b_out > a_out else "better" if b_out < a_out else "inconclusive"
        if b_n == 0:
            verdict = "not estimable"
        text = (
            f"Live fairness by {attribute}: flag-rate ratios to the largest group"
            f" {b_span} for the challenger, {a_span} for the champion; groups outside"
            f" {band[0]}-{band[1]} (whole interval): challenger {b_out} of {b_n},"
            f" champion {a_out} of {a_n}: {_PHRASE[verdict]}."
        )
        checks.append({"check": f"fairness.{attribute}", "verdict": verdict, "text": text})
    return checks


def _fpr_outside(result: dict[str, Any], who: str, band: tuple[float, float]) -> tuple:
    rows = [r[who] for r in result["groups"].values() if not r["suppressed"]]
    cis = [r["fpr_ratio_ci"] for r in rows if r.get("fpr_ratio") is not None]
    ratios = [r["fpr_ratio"] for r in rows if r.get("fpr_ratio") is not None]
    # an upper end of None is unbounded: such a group is outside only when above the band
    out = sum((hi is not None and hi < band[0]) or lo > band[1] for lo, hi in cis)
    span = f"{min(ratios):.2f} to {max(ratios):.2f}" if ratios else "-"
    return out, len(cis), span


def _fpr_fairness(report: dict[str, Any], band: tuple[float, float]) -> list[dict[str, Any]]:
    fpr = (report.get("fairness") or {}).get("false_positive_rates", {})
    checks = []
    for attribute, result in fpr.items():
        a_out, a_n, a_span = _fpr_outside(result, "champion", band)
        b_out, b_n, b_span = _fpr_outside(result, "challenger", band)
        verdict = "worse" if b_out > a_out else "better" if b_out < a_out else "inconclusive"
        phrase = _PHRASE[verdict]
        if b_n < 2:  # the reference alone (or nothing) has a ratio: nothing to compare
            verdict = "not estimable"
            phrase = "no other group's rate is estimable (not estimable)"
        text = (
            f"Estimated false positive rate by {attribute}: ratios to"
            f" {result['reference'] or 'no reference'} {b_span} for the challenger,"
            f" {a_span} for the champion; groups outside {band[0]}-{band[1]} (whole"
            f" interval): challenger {b_out} of {b_n}, champion {a_out} of {a_n}: {phrase}."
        )
        checks.append({"check": f"fairness.{attribute}.fpr", "verdict": verdict, "text": text})
    return checks


def compare_verdicts(
    report: dict[str, Any], band: tuple[float, float] = (0.8, 1.25)
) -> tuple[list[dict[str, Any]], str]:
    """Every check's verdict and text, and the overall verdict (one of :data:`VERDICTS`)."""
    overlap = report["overlap"]
    k = report["capacity"]
    share = overlap["both"] / k if k else 0.0
    checks = [
        {
            "check": "overlap",
            "verdict": "information",
            "text": (
                f"At the same capacity ({k} flags of {report['n']} applications) both models"
                f" flag {overlap['both']} ({share:.0%}); {overlap['champion_only']} only the"
                f" champion, {overlap['challenger_only']} only the challenger."
            ),
        },
        _quality(report, "precision"),
        _quality(report, "recall"),
        *_fairness(report, band),
        *_fpr_fairness(report, band),
    ]
    quality = [c["verdict"] for c in checks if c["check"] in _LABELS]
    if "worse" in quality:
        overall = "worse"
    elif "better" in quality:
        overall = "better"
    else:
        overall = "inconclusive"
    return checks, overall
