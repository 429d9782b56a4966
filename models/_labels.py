"""How training labels were made: naive, or the reviewed cases weighted by 1/propensity.

The service labels only the cases officers review: every flag and a blind random
sample of the rest.  Training naively on "confirmed = 1, everything else = 0"
teaches the next model the last model's flags.  ``reviewed-ipw`` trains on the
reviewed cases only, each weighted by the inverse of the probability it had of
being reviewed (``reviews.parquet``, written by ``risk export``), so the weighted
reviewed cases stand for every application scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from risk.errors import ConfigError, DataContractError, DataFileError

__all__ = [
    "LABEL_POLICIES",
    "REVIEWED_IPW_POLICY",
    "REVIEWS_FILE",
    "choose_label_policy",
    "reviewed_ipw_labels",
    "weight_summary",
]

LABEL_POLICIES = ("naive", "reviewed-ipw")
REVIEWS_FILE = "reviews.parquet"

REVIEWED_IPW_POLICY = (
    "Label policy reviewed-ipw: only the cases the service sent to review and an officer"
    " decided are trained on (label 1: violation confirmed; 0: no violation or insufficient"
    " evidence), each weighted by 1 / its review propensity (1 for a model flag or under the"
    " kill switch, the blind-sample rate for a blind-sample case), so a blind-sample case"
    " stands for the unflagged applications it was drawn from. Every other application"
    " weighs 0: its label is unknown, and counting it as 'no violation' would teach the"
    " model the previous model's flags. The time split is placed by the reviewed cases"
    " (its fractions of them, oldest first), since they may all be recent; every"
    " application falls in the part its time does, and the capacity threshold is still"
    " set on every validation application."
)


def choose_label_policy(data_dir: Path, labels: str | None) -> str:
    """The label policy to train with: ``labels``, or by default ``reviewed-ipw`` when
    ``data_dir`` holds ``reviews.parquet`` and ``naive`` otherwise.

    Raises
    ------
    ConfigError
        ``labels`` is not one of :data:`LABEL_POLICIES`.
    DataFileError
        ``reviewed-ipw`` was asked for and ``reviews.parquet`` is missing (named).
    """
    present = (Path(data_dir) / REVIEWS_FILE).is_file()
    if labels is None:
        return "reviewed-ipw" if present else "naive"
    if labels not in LABEL_POLICIES:
        raise ConfigError(f"labels {labels!r} is not one of {', '.join(LABEL_POLICIES)}")
    if labels == "reviewed-ipw" and not present:
        raise DataFileError(
            f"--labels reviewed-ipw needs {Path(data_dir) / REVIEWS_FILE} (one row per score with"
            " its review propensity and finding; 'risk export' writes it)"
        )
    return labels


def reviewed_ipw_labels(data_dir: Path) -> pl.DataFrame:
    """``application_id, reviewed_label, weight`` for every reviewed application.

    An application reviewed more than once keeps its latest decided review.

    Raises
    ------
    DataContractError
        A reviewed row has a propensity of 0 or none (its score id named), or a
        column is missing.
    """
    reviews = pl.read_parquet(Path(data_dir) / REVIEWS_FILE)
    need = ("score_id", "application_id", "review_propensity", "reviewed", "finding", "decided_at")
    missing = [c for c in need if c not in reviews.columns]
    if missing:
        raise DataContractError(f"{REVIEWS_FILE} has no column {missing[0]!r}")
    reviewed = reviews.filter(pl.col("reviewed"))
    bad = reviewed.filter(pl.col("review_propensity").fill_null(0.0) <= 0)
    if bad.height:
        raise DataContractError(
            f"{REVIEWS_FILE}: score {bad['score_id'][0]} was reviewed but its review propensity"
            f" is {bad['review_propensity'][0]}; a weight of 1/propensity needs a propensity"
            " above 0"
        )
    return (
        reviewed.sort("decided_at", "score_id")
        .unique("application_id", keep="last", maintain_order=True)
        .select(
            "application_id",
            reviewed_label=(pl.col("finding") == "violation_confirmed").cast(pl.Int8),
            weight=1.0 / pl.col("review_propensity"),
        )
    )


def weight_summary(weights: np.ndarray) -> dict[str, Any]:
    """What the bundle records about the weights: how many rows count and how much."""
    used = weights[weights > 0]
    values, counts = np.unique(np.round(used, 9), return_counts=True)
    return {
        "rows_weighted": int(used.size),
        "rows_zero_weight": int(weights.size - used.size),
        "weight_total": float(used.sum()),
        "by_weight": {f"{v:g}": int(c) for v, c in zip(values, counts, strict=True)},
    }
