"""Replaying a logged score: recompute its features and score and compare with the log."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from models import Bundle, CaseScore, ReviewPolicy
from risk.errors import ConflictError, NotFoundError
from risk.settings import Settings
from serving.store import Score

from ._scoring import logged_features, rescore

__all__ = ["ReplayReport", "replay_score"]


@dataclass(frozen=True)
class ReplayReport:
    """The comparison of a logged score with its recomputation.

    Attributes
    ----------
    ok
        Inputs, features and score all match.
    fingerprint_ok
        The stored application and documents still hash to the logged fingerprint.
    feature_mismatches
        ``(feature, logged, recomputed)`` for every feature that differs.
    logged_score, replayed_score
        Calibrated scores; ``logged_margin``/``replayed_margin`` are the raw margins.
    logged_propensity, replayed_propensity
        The review propensity logged with the score, and the one its replayed flag
        gives under the logged policy (kill switch, blind-sample rate); both ``None``
        for a score logged before propensities were recorded.
    """

    score_id: str
    model_version: str
    fingerprint_ok: bool
    logged_score: float
    replayed_score: float
    logged_margin: float
    replayed_margin: float
    feature_mismatches: list[tuple[str, Any, Any]] = field(default_factory=list)
    logged_propensity: float | None = None
    replayed_propensity: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the replay reproduced the log."""
        return (
            self.fingerprint_ok
            and not self.feature_mismatches
            and math.isclose(self.logged_score, self.replayed_score, abs_tol=1e-12)
            and math.isclose(self.logged_margin, self.replayed_margin, abs_tol=1e-9)
            and self.logged_propensity == self.replayed_propensity
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def replay_score(
    session: Session, score_id: str, bundle: Bundle, settings: Settings
) -> ReplayReport:
    """Recompute score ``score_id`` from the store with ``bundle`` and compare.

    Raises
    ------
    NotFoundError
        No such score.
    ConflictError
        ``bundle`` is not the model version that produced the score.
    """
    score = session.get(Score, score_id)
    if score is None:
        raise NotFoundError(f"score {score_id!r} does not exist")
    if str(bundle.version) != score.model_version:
        raise ConflictError(
            f"score {score_id} was made by model {score.model_version}, but the loaded model is"
            f" {bundle.version}; replay it with that model's bundle (--bundle)"
        )
    computed = rescore(session, score.application_id, bundle, settings, lang=score.lang)
    recomputed = logged_features(computed.features)
    mismatches = [
        (k, v, recomputed.get(k))
        for k, v in score.features.items()
        if not _same(v, recomputed.get(k))
    ]
    again = computed.case_score
    return ReplayReport(
        score_id=score_id,
        model_version=score.model_version,
        fingerprint_ok=computed.fingerprint == score.input_fingerprint,
        logged_score=score.score,
        replayed_score=float(again.probability),
        logged_margin=score.margin,
        replayed_margin=float(again.margin),
        feature_mismatches=mismatches,
        logged_propensity=score.review_propensity,
        replayed_propensity=_replayed_propensity(score, again, bundle),
    )


def logged_policy(score: Score, bundle: Bundle) -> ReviewPolicy:
    """The review policy in force when ``score`` was logged, rebuilt from its log.

    The log keeps the threshold as a probability: the model's own (its capacity
    threshold, on the margin) or an override (turned into its margin by the policy).
    """
    own = score.threshold == float(bundle.threshold)
    return ReviewPolicy.for_bundle(
        bundle,
        threshold_override=None if own else score.threshold,
        blind_sample_rate=score.blind_sample_rate or 0.0,
        kill_switch=score.route == "kill_switch",
    )


def _replayed_propensity(score: Score, again: CaseScore, bundle: Bundle) -> float | None:
    """The propensity the replayed margin gives under the policy logged with the score."""
    if score.review_propensity is None:
        return None  # logged before propensities were recorded: nothing to compare
    return logged_policy(score, bundle).propensity(float(again.margin))
