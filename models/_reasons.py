"""Reasons: a feature's contribution rendered as a sentence an officer can check.

Two sources of wording: the feature catalogue (synthetic-world and contract data; its
``reason(value, lang)`` renders the value with its unit), and the feature texts a
dataset spec declares (analysts' own tables), stored in ``bundle.json``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

__all__ = ["LANGS", "FeatureText", "Reason", "ReasonSource", "TemplateReasons", "format_value"]

LANGS = ("en", "id")
_MISSING = {"en": "not recorded", "id": "tidak tercatat"}
_BOOL = {"en": ("no", "yes"), "id": ("tidak", "ya")}


class Reason(NamedTuple):
    """One feature's push on a case's risk.

    Attributes
    ----------
    feature
        Feature name (for machines; people read ``text``).
    value
        The case's value of the feature (category, bool, number, or None when missing).
    contribution
        Its SHAP contribution to the raw margin (log-odds); positive raised the risk.
    text
        The sentence shown to the officer, with the value and its unit.
    """

    feature: str
    value: Any
    contribution: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return self._asdict()


@dataclass(frozen=True)
class FeatureText:
    """Wording of one feature for reasons: description, unit and EN/ID templates.

    Templates are :meth:`str.format` strings with ``{value}`` (the formatted value) and
    ``{unit}``; without one, the reason reads ``"<description>: <value> <unit>"``.
    """

    description: str
    unit: str = ""
    reason_en: str | None = None
    reason_id: str | None = None

    def render(self, value: Any, lang: str) -> str:
        """The sentence for ``value`` in ``lang``."""
        template = self.reason_id if lang == "id" else self.reason_en
        shown = format_value(value, lang)
        if template:
            return template.format(value=shown, unit=self.unit).strip()
        unit = f" {self.unit}" if self.unit and value is not None else ""
        return f"{self.description}: {shown}{unit}"


class ReasonSource(Protocol):
    """Anything that renders a feature's value as a sentence."""

    def render(self, feature: str, value: Any, lang: str) -> str:
        """The sentence for ``feature`` having ``value``, in ``lang``."""
        ...


class _Cached(ABC):
    """Memoise sentences: most values repeat (flags, counts, categories), wording is pure."""

    _LIMIT = 200_000

    def __init__(self) -> None:
        self._cache: dict[tuple, str] = {}

    def render(self, feature: str, value: Any, lang: str) -> str:
        """The sentence for ``feature`` having ``value``, in ``lang``."""
        key = (feature, lang, type(value), value)
        try:
            return self._cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: render without the cache
            return self._render(feature, value, lang)
        text = self._render(feature, value, lang)
        if len(self._cache) >= self._LIMIT:
            self._cache.clear()
        self._cache[key] = text
        return text

    @abstractmethod
    def _render(self, feature: str, value: Any, lang: str) -> str:
        """The uncached sentence (each reason source words it its own way)."""


class TemplateReasons(_Cached):
    """Reasons from :class:`FeatureText` entries (the dataset-spec path)."""

    def __init__(self, texts: Mapping[str, FeatureText]) -> None:
        super().__init__()
        self.texts = dict(texts)

    def _render(self, feature: str, value: Any, lang: str) -> str:
        return self.texts[feature].render(value, lang)


class CatalogueReasons(_Cached):
    """Reasons from the feature catalogue's own templates."""

    def __init__(self, catalogue: Any) -> None:
        super().__init__()
        self.catalogue = catalogue
        self._specs = {s.name: s for s in catalogue.specs}

    def _render(self, feature: str, value: Any, lang: str) -> str:
        return self._specs[feature].reason(value, lang=lang)


def format_value(value: Any, lang: str) -> str:
    """A value as shown in a reason: booleans as yes/no, numbers without noise digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING.get(lang, _MISSING["en"])
    if isinstance(value, bool):
        return _BOOL.get(lang, _BOOL["en"])[int(value)]
    if isinstance(value, int):
        return f"{value:,}" if lang == "en" else f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return format_value(int(value), lang)
        text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        return text if lang == "en" else text.replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)
