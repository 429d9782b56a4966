"""Figures over several simulations (seeds): the feedback loop and the estimators' honesty."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._report import coverage

__all__ = ["loop_table", "summarise"]


def _mean(values: list[Any]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def summarise(documents: list[dict[str, Any]], nationalities: tuple[str, ...]) -> dict[str, Any]:
    """Average the months of several ``simulation.json`` documents (one per seed).

    Parameters
    ----------
    documents
        Simulations of the same months and arms, with different seeds.
    nationalities
        Nationalities whose share of the flags to follow.

    Returns
    -------
    dict
        ``seeds``; per arm: ``recall`` and ``flag_rate`` (mean per month over seeds),
        ``flag_share`` (nationality -> mean share per month), and ``coverage``
        (months covered / months estimated, over all seeds, for prevalence and recall).
    """
    arms = list(documents[0]["arms"])
    months = [m["month"] for m in documents[0]["arms"][arms[0]]["months"]]
    out: dict[str, Any] = {"seeds": [d["seed"] for d in documents], "months": months}
    for arm in arms:
        rows = [d["arms"][arm]["months"] for d in documents]
        per_month = list(zip(*rows, strict=True))
        covered = [coverage(d)[arm] for d in documents]
        out[arm] = {
            "recall": [_mean([m["true_recall_at_capacity"] for m in ms]) for ms in per_month],
            "precision": [_mean([m["true_precision_at_capacity"] for m in ms]) for ms in per_month],
            "flag_rate": [_mean([m["flag_rate"] for m in ms]) for ms in per_month],
            "flag_share": {
                nat: [
                    _mean([m["flag_share_by_nationality"].get(nat, 0.0) for m in ms])
                    for ms in per_month
                ]
                for nat in nationalities
            },
            "coverage": {
                name: (
                    sum(c[f"{name}_covered"] for c in covered),
                    sum(c[f"{name}_months"] for c in covered),
                )
                for name in ("prevalence", "recall")
            },
        }
    return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def loop_table(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table: a row per month, true recall and flag shares per arm."""
    arms = [a for a in summary if a not in ("seeds", "months")]
    nats = list(summary[arms[0]]["flag_share"])
    head = ["month"]
    for arm in arms:
        head += [f"recall ({arm})"] + [f"{n} share ({arm})" for n in nats]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for i, month in enumerate(summary["months"]):
        cells = [month]
        for arm in arms:
            cells.append(_fmt(summary[arm]["recall"][i]))
            cells += [_fmt(summary[arm]["flag_share"][n][i]) for n in nats]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
