"""Feature declarations: :class:`FeatureSpec` and the rules every declaration obeys.

A feature is declared on its :class:`features.Family` (``@FAMILY.feature(...)``);
the rules here refuse empty texts, unknown kinds, missing inputs and malformed
reason templates, and :func:`canonical_hash` fingerprints a list of declarations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from risk.errors import FeatureRegistryError
from risk.text import listing

from ._derive import Derivation, Scalar

__all__ = [
    "KINDS",
    "FeatureSpec",
    "bool_template",
    "canonical_hash",
    "check_texts",
    "default_dtype",
]

#: Kinds of feature a model can consume.
KINDS = ("numeric", "boolean", "categorical")

_DEFAULT_DTYPES: dict[str, Any] = {
    "numeric": pl.Float64,
    "boolean": pl.Boolean,
    "categorical": pl.String,
}
_MISSING_DEFAULT = {
    "en": "Not available for this case: {description}",
    "id": "Tidak tersedia untuk kasus ini: {description}",
}

Template = str | Mapping[bool, str]


@dataclass(frozen=True)
class FeatureSpec:
    """The declaration of one feature.

    Parameters
    ----------
    name
        Feature (column) name; the decorated function's name.
    group, kind
        Signal family (a :class:`features.Family` name) and kind (one of :data:`KINDS`).
    dtype
        Polars type of the column (``pl.Enum`` for categoricals with closed categories).
    unit
        Unit of numeric values (``"days"``, ``"USD"``...), empty if none.
    description, purpose
        What the feature measures and why it is a risk signal, in plain words.
    reason_en, reason_id
        Reason templates in English and Bahasa Indonesia; ``{value}`` and
        ``{unit}`` are filled in.  Booleans give a ``{True: ..., False: ...}`` mapping.
    owner
        Team answerable for the feature.
    inputs
        Raw columns the feature derives from (shown to oversight).
    categories
        Closed set of values of a categorical feature, if the contract has one.
    missing_en, missing_id
        Sentences shown when the value is missing.
    derivation
        The formula over fact columns (:mod:`features._derive`).
    expr
        Its batch form: a polars expression aliased to ``name`` and cast to ``dtype``.
    compute
        Its request-time form: one row of facts (a mapping) to the value, cast as
        polars casts to ``dtype``.
    """

    name: str
    group: str
    kind: str
    dtype: Any
    unit: str
    description: str
    purpose: str
    reason_en: Template
    reason_id: Template
    owner: str
    inputs: tuple[str, ...]
    categories: tuple[str, ...] | None = None
    missing_en: str = ""
    missing_id: str = ""
    derivation: Derivation | None = field(default=None, compare=False, repr=False)
    expr: pl.Expr = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    compute: Scalar = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def reason(
        self,
        value: Any,
        lang: Literal["en", "id"] = "en",
        *,
        present: Callable[[FeatureSpec, Any], Any] | None = None,
    ) -> str:
        """Render the reason sentence for one case's ``value``.

        Parameters
        ----------
        value
            The case's value of this feature (``None`` when missing).
        lang
            ``"en"`` (English) or ``"id"`` (Bahasa Indonesia).
        present
            Turns the (present) value into what the template formats: a screen passes
            one that labels category codes and formats numbers in the page's language.

        Returns
        -------
        str
            A sentence an officer can check against the file.
        """
        if lang not in ("en", "id"):
            raise FeatureRegistryError(f"feature {self.name!r}: unknown language {lang!r}")
        if value is None or (isinstance(value, float) and value != value):
            missing = self.missing_en if lang == "en" else self.missing_id
            return missing or _MISSING_DEFAULT[lang].format(description=self.description)
        template = self.reason_en if lang == "en" else self.reason_id
        if isinstance(template, Mapping):
            template = template[bool(value)]
        shown = value if present is None else present(self, value)
        return template.format(value=shown, unit=self.unit)

    def as_record(self) -> dict[str, Any]:
        """The declaration as a JSON-serialisable dict (without the expression)."""
        return {
            "name": self.name,
            "group": self.group,
            "kind": self.kind,
            "dtype": str(self.dtype),
            "unit": self.unit,
            "description": self.description,
            "purpose": self.purpose,
            "reason_en": _template_record(self.reason_en),
            "reason_id": _template_record(self.reason_id),
            "owner": self.owner,
            "inputs": list(self.inputs),
            "categories": list(self.categories) if self.categories is not None else None,
        }


def _template_record(template: Template) -> Any:
    if isinstance(template, Mapping):
        return {"true": template[True], "false": template[False]}
    return template


def bool_template(
    name: str, label: str, template: Template, false: str | None, kind: str
) -> Template:
    if kind != "boolean" or isinstance(template, Mapping):
        if isinstance(template, Mapping) and set(template) != {True, False}:
            raise FeatureRegistryError(
                f"feature {name!r}: {label} mapping needs exactly the keys True and False"
            )
        return template
    if false is None:
        raise FeatureRegistryError(
            f"feature {name!r}: a boolean needs a sentence for false"
            f" ({label} as {{True: ..., False: ...}} or {label}_false)"
        )
    return {True: template, False: false}


def default_dtype(kind: str, dtype: Any, categories: tuple[str, ...] | None) -> Any:
    if dtype is not None:
        return dtype
    if kind == "categorical" and categories is not None:
        return pl.Enum(list(categories))
    return _DEFAULT_DTYPES.get(kind, pl.Float64)


def check_texts(spec: FeatureSpec) -> None:
    """Refuse an unknown kind, empty texts and a feature without declared inputs.

    Raises
    ------
    FeatureRegistryError
        Naming the feature and the rule it breaks.
    """
    name = spec.name
    if spec.kind not in KINDS:
        raise FeatureRegistryError(
            f"feature {name!r}: unknown kind {spec.kind!r}"
            f" (expected {listing(KINDS, conjunction='or')})"
        )
    for label in ("description", "purpose", "owner"):
        if not str(getattr(spec, label)).strip():
            raise FeatureRegistryError(f"feature {name!r}: empty {label}")
    for label in ("reason_en", "reason_id"):
        template = getattr(spec, label)
        texts = template.values() if isinstance(template, Mapping) else [template]
        if not all(str(t).strip() for t in texts):
            raise FeatureRegistryError(f"feature {name!r}: empty {label}")
    if not spec.inputs:
        raise FeatureRegistryError(f"feature {name!r}: no inputs declared")


def canonical_hash(specs: tuple[FeatureSpec, ...]) -> str:
    """sha256 of the canonical JSON of names, kinds, dtypes, categories and inputs."""
    payload = [
        {
            "name": s.name,
            "kind": s.kind,
            "dtype": str(s.dtype),
            "categories": list(s.categories) if s.categories is not None else None,
            "inputs": list(s.inputs),
        }
        for s in specs
    ]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
