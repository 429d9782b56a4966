"""Plain pieces a training run logs: git commit, flat params and metrics, performance, catalogue.

Nothing here imports MLflow; these functions turn our objects into JSON-ready
values and text files.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "catalogue_markdown",
    "flatten",
    "git_commit",
    "performance_summary",
    "sanitize_key",
]

_ALLOWED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./ ")


def git_commit(cwd: Path | None = None) -> str | None:
    """The checkout's ``HEAD`` commit, or ``None`` outside a git checkout (or without git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and len(sha) == 40 else None


def sanitize_key(key: str) -> str:
    """An MLflow-safe metric or parameter name (letters, digits, ``_-./`` and space)."""
    return "".join(c if c in _ALLOWED else "_" for c in str(key))


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into ``{"a.b": value}`` with MLflow-safe keys."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = sanitize_key(f"{prefix}{key}")
        if isinstance(value, Mapping):
            out.update(flatten(value, prefix=f"{name}."))
        else:
            out[name] = value
    return out


def numeric_only(values: Mapping[str, Any]) -> dict[str, float]:
    """The finite numbers of a flat mapping (booleans and ``None`` dropped)."""
    out: dict[str, float] = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            continue
        if math.isfinite(float(value)):
            out[key] = float(value)
    return out


def _calibration_bins(y: np.ndarray, p: np.ndarray, bins: int) -> list[dict[str, float]]:
    idx = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            rows.append(
                {
                    "bin_low": b / bins,
                    "bin_high": (b + 1) / bins,
                    "mean_predicted": float(p[sel].mean()),
                    "observed_rate": float(y[sel].mean()),
                    "count": int(sel.sum()),
                }
            )
    return rows


def performance_summary(
    label: Sequence[Any], score: Sequence[float], flag: Sequence[bool], *, bins: int = 10
) -> dict[str, Any]:
    """Aggregate test performance for reports: AUCs, precision at capacity, calibration curve.

    Rows whose label is missing (not investigated) are left out; the count of
    those left out is reported.  Only aggregates are returned, never rows.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

    lab = np.array([np.nan if v is None else float(v) for v in label], dtype=np.float64)
    keep = ~np.isnan(lab)
    y = lab[keep].astype(int)
    p = np.asarray(score, dtype=np.float64)[keep]
    f = np.asarray(flag, dtype=bool)[keep]
    both = y.size > 0 and 0 < y.sum() < y.size
    n_flag, tp = int(f.sum()), int((f & (y == 1)).sum())
    summary: dict[str, Any] = {
        "rows": int(lab.size),
        "unlabelled_rows": int((~keep).sum()),
        "positives": int(y.sum()),
        "flagged": n_flag,
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "precision_at_capacity": tp / n_flag if n_flag else None,
        "recall_at_capacity": tp / int(y.sum()) if y.sum() else None,
        "calibration": _calibration_bins(y, p, bins) if y.size else [],
        "pr_curve": [],
    }
    if both:
        prec, rec, _ = precision_recall_curve(y, p)
        step = max(1, prec.size // 200)
        summary["pr_curve"] = [
            {"precision": float(a), "recall": float(b)}
            for a, b in zip(prec[::step], rec[::step], strict=True)
        ]
    return summary


def catalogue_markdown(records: Sequence[Mapping[str, Any]]) -> str:
    """The feature catalogue as a Markdown table, one row per feature."""
    if not records:
        return "# Feature catalogue\n\n(no features)\n"
    preferred = ["name", "group", "kind", "description", "purpose", "owner"]
    keys = [k for k in preferred if any(k in r for r in records)]
    keys += sorted({k for r in records for k in r} - set(keys) - {"reason"})

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Feature catalogue",
        "",
        f"{len(records)} features. Protected attributes are never features.",
        "",
        "| " + " | ".join(keys) + " |",
        "| " + " | ".join("---" for _ in keys) + " |",
    ]
    lines += ["| " + " | ".join(cell(r.get(k)) for k in keys) + " |" for r in records]
    return "\n".join(lines) + "\n"
