"""Per-case explanations: exact TreeSHAP from LightGBM, turned into reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models._reasons import LANGS, Reason, ReasonSource
from risk.errors import RequestValidationError
from risk.text import listing

__all__ = ["CaseScore", "Explanation", "build_explanation", "build_explanations", "check_lang"]


@dataclass(frozen=True)
class Explanation:
    """Why one case got its score.

    Attributes
    ----------
    base_value
        The model's expected margin over its training data (SHAP base value).
    margin
        The case's raw margin; equals ``base_value + sum(contributions)``.
    contributions
        SHAP contribution of every feature to the margin (log-odds), by feature name.
    raised, lowered
        The largest contributions that raised and that lowered the risk, as reasons.
    """

    base_value: float
    margin: float
    contributions: dict[str, float]
    raised: list[Reason] = field(default_factory=list)
    lowered: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "base_value": self.base_value,
            "margin": self.margin,
            "contributions": self.contributions,
            "raised": [r.to_dict() for r in self.raised],
            "lowered": [r.to_dict() for r in self.lowered],
        }


@dataclass(frozen=True)
class CaseScore:
    """One case's score, band, flag and reasons (the serving answer).

    Attributes
    ----------
    margin, probability
        Raw margin and calibrated probability of a violation.
    band
        ``'low'``, ``'medium'`` or ``'high'``.
    flag
        Whether the case goes to an officer's review queue (never a refusal).
    explanation
        The reasons behind it.
    encoded
        The row as the model read it (what the inference log keeps for backtests).
    """

    margin: float
    probability: float
    band: str
    flag: bool
    explanation: Explanation
    #: The ``(1, n)`` float matrix the model scored (its schema's encoding of the row).
    encoded: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def raised(self) -> list[Reason]:
        """Reasons that raised the risk."""
        return self.explanation.raised

    @property
    def lowered(self) -> list[Reason]:
        """Reasons that lowered the risk."""
        return self.explanation.lowered

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "margin": self.margin,
            "probability": self.probability,
            "band": self.band,
            "flag": self.flag,
            **self.explanation.to_dict(),
        }


def check_lang(lang: str) -> None:
    """Refuse languages we have no wording for."""
    if lang not in LANGS:
        raise RequestValidationError(
            f"lang must be {listing(LANGS, conjunction='or')}, got {lang!r}"
        )


def build_explanation(
    contrib: np.ndarray,
    names: Sequence[str],
    values: Sequence[Any],
    source: ReasonSource,
    *,
    top: int,
    lang: str,
) -> Explanation:
    """Turn one row of ``pred_contrib`` output (features then base value) into reasons."""
    order = np.argsort(contrib[:-1], kind="stable").tolist()
    return _explanation(
        contrib.tolist(), order, float(contrib.sum()), names, values, source, top, lang
    )


def build_explanations(
    contrib: np.ndarray,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    source: ReasonSource,
    *,
    top: int,
    lang: str,
) -> list[Explanation]:
    """:func:`build_explanation` for every row of a ``pred_contrib`` matrix, sorted at once."""
    orders = np.argsort(contrib[:, :-1], axis=1, kind="stable").tolist()
    margins = contrib.sum(axis=1).tolist()
    return [
        _explanation(c, o, m, names, v, source, top, lang)
        for c, o, m, v in zip(contrib.tolist(), orders, margins, rows, strict=True)
    ]


def _explanation(
    contrib: list[float],
    order: list[int],
    margin: float,
    names: Sequence[str],
    values: Sequence[Any],
    source: ReasonSource,
    top: int,
    lang: str,
) -> Explanation:
    def reasons(indices: Iterable[int], sign: int) -> list[Reason]:
        """Up to ``top`` reasons, walking ``indices`` while contributions have ``sign``."""
        out: list[Reason] = []
        for j in indices:
            if len(out) == top or contrib[j] * sign <= 0:
                break
            out.append(
                Reason(names[j], values[j], contrib[j], source.render(names[j], values[j], lang))
            )
        return out

    raised, lowered = reasons(reversed(order), 1), reasons(order, -1)
    return Explanation(
        base_value=contrib[-1],
        margin=margin,
        contributions=dict(zip(names, contrib, strict=False)),
        raised=raised,
        lowered=lowered,
    )
