"""The case screen's reasons: worded in the page language, deduplicated, on one scale.

Three things an officer needs to read a reason right:

* the values in it labelled and formatted for the page (``Kunjungan``, ``2.150``);
* one sentence per fact: two features with no value (``has_agent`` false and the agent's
  application count missing) both say "Lodged without an agent", and are shown once with
  their pushes added;
* what the push is measured against.  An exact SHAP contribution compares the case with
  the model's average case, so the same value can raise the risk on one case and lower it
  on another (the model weighs it with the case's other facts).  Each reason therefore
  shows the typical value of the model's reference applications beside the case's own.

Bars share one stated scale across every case (:data:`BAR_SCALE` log-odds fill a bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._glossary import FIELD_SECTIONS, label
from ._i18n import LocalNumber

__all__ = [
    "BAR_SCALE",
    "ReasonBar",
    "example_reasons",
    "reason_bars",
    "reason_text",
    "typical_values",
]

#: The push (log-odds) that fills a bar on every case; longer pushes are drawn full, marked.
BAR_SCALE = 2.0
#: How the reference profile spells a missing category.
_MISSING = "(missing)"
#: A typical value that is itself "no value" (most applications have no sponsor).
MISSING: Any = None
_UNKNOWN = object()


@dataclass(frozen=True)
class ReasonBar:
    """One reason as the case screen draws it.

    Attributes
    ----------
    text
        The sentence, in the page language.
    contribution
        Its push on the log-odds (summed over features that say the same sentence).
    width
        Bar length in % of :data:`BAR_SCALE` (at most 100).
    capped
        Whether the push is longer than the scale (the bar is drawn full).
    typical
        The same sentence for the reference's typical value, or ``None`` if unknown.
    """

    text: str
    contribution: float
    width: float
    capped: bool
    typical: str | None


def _present(lang: str):
    def present(spec: Any, value: Any) -> Any:
        if spec.kind == "categorical":
            return label(FIELD_SECTIONS.get(spec.name, spec.name), value, lang)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return LocalNumber(value, lang)
        return value

    return present


def reason_text(feature: str, value: Any, lang: str, fallback: str = "") -> str:
    """The catalogue's sentence for ``feature`` at ``value`` in ``lang``, labelled and formatted.

    A model trained on a dataset spec has features outside the catalogue: its stored
    ``fallback`` wording is all there is.
    """
    from features import catalogue

    cat = catalogue()
    if feature not in cat:
        return fallback
    return cat.get(feature).reason(value, lang=lang, present=_present(lang))


def _typical(profile: dict[str, Any]) -> Any:
    if profile.get("treated_as") == "numeric":
        counts = profile.get("counts") or [0]
        if counts[-1] * 2 > sum(counts):  # most reference rows have no value
            return MISSING
        sample = profile.get("sample") or []
        return float(np.median(sample)) if sample else _UNKNOWN
    cats, counts = profile.get("categories") or [], profile.get("counts") or []
    if not cats:
        return _UNKNOWN
    top = cats[int(np.argmax(counts[: len(cats)]))]
    if top == _MISSING:
        return MISSING
    if profile.get("kind") == "boolean":
        return top.lower() == "true"
    if profile.get("kind") == "numeric":
        return float(top)
    return top


def typical_values(reference: dict[str, Any] | None) -> dict[str, Any]:
    """Feature -> its typical reference value (median, or most common category).

    ``reference`` is a model bundle's reference profile (``reference.json``); without one
    there is nothing to compare with and the map is empty.  A feature whose typical value
    is missing maps to ``None``; one the profile cannot tell is left out.
    """
    if not reference:
        return {}
    out = {}
    for name, profile in (reference.get("features") or {}).items():
        value = _typical(profile)
        if value is not _UNKNOWN:
            out[name] = value
    return out


def _typical_text(feature: str, typical: dict[str, Any], lang: str) -> str | None:
    if feature not in typical:
        return None
    return reason_text(feature, typical[feature], lang, "") or None


def reason_bars(
    reasons: list[dict[str, Any]], lang: str, typical: dict[str, Any]
) -> list[ReasonBar]:
    """The stored reasons (one direction) worded, merged by sentence, largest push first."""
    merged: dict[str, list[Any]] = {}
    for r in sorted(reasons, key=lambda r: -abs(float(r["contribution"]))):
        text = reason_text(r["feature"], r["value"], lang, r.get("text", ""))
        # the sentence's typical value comes from its largest push among merged features
        entry = merged.setdefault(text, [0.0, _typical_text(r["feature"], typical, lang)])
        entry[0] += float(r["contribution"])
    bars = []
    for text, (push, usual) in merged.items():
        share = abs(push) / BAR_SCALE
        bars.append(
            ReasonBar(
                text=text,
                contribution=push,
                width=round(100 * min(share, 1.0), 1),
                capped=share > 1.0,
                typical=usual or None,
            )
        )
    return sorted(bars, key=lambda b: -abs(b.contribution))


def example_reasons(spec: Any, lang: str, typical: dict[str, Any]) -> list[str]:
    """How a reason on ``spec`` reads, rendered (never a raw ``{value:.0f}``).

    Booleans show both sentences; other features are worded at the reference's typical
    value when the loaded model has a profile, else at a plain example (a category's
    first value, a number's 1) so that the page still shows a sentence, not a template.
    """
    if spec.kind == "boolean":
        return [reason_text(spec.name, True, lang), reason_text(spec.name, False, lang)]
    if spec.name in typical and typical[spec.name] is not None:
        return [reason_text(spec.name, typical[spec.name], lang)]
    if spec.kind == "categorical":
        value = spec.categories[0] if spec.categories else "-"
        return [reason_text(spec.name, value, lang)]
    return [reason_text(spec.name, 1, lang)]
