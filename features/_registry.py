"""The feature registry: every feature is declared once, with its metadata.

A feature is a function returning a polars expression, decorated with
:func:`feature`.  The registry names the expression after the function,
refuses duplicates, empty texts and any use of an audit-only column, and
keeps the declarations in order; :class:`Catalogue` lists them for models,
serving and oversight.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from risk.contract import audit_only_columns
from risk.errors import FeatureRegistryError
from risk.settings import get_settings

__all__ = ["GROUPS", "KINDS", "FeatureSpec", "Registry", "feature"]

#: Signal families, in catalogue order.
GROUPS = ("applicant", "travel_history", "documents", "sponsor", "financial", "network")
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
        Signal family (one of :data:`GROUPS`) and kind (one of :data:`KINDS`).
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
    expr
        The polars expression, aliased to ``name`` and cast to ``dtype``.
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
    expr: pl.Expr = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def reason(self, value: Any, lang: Literal["en", "id"] = "en") -> str:
        """Render the reason sentence for one case's ``value``.

        Parameters
        ----------
        value
            The case's value of this feature (``None`` when missing).
        lang
            ``"en"`` (English) or ``"id"`` (Bahasa Indonesia).

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
        return template.format(value=value, unit=self.unit)

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


class Registry:
    """An ordered set of feature declarations that enforces the registry's rules.

    Parameters
    ----------
    audit_only
        Column names no feature may read; default: the contract's audit-only
        columns plus ``Settings.audit.audit_only_columns``.
    """

    def __init__(self, audit_only: frozenset[str] | None = None) -> None:
        self._audit_only = audit_only
        self._specs: dict[str, FeatureSpec] = {}

    @property
    def specs(self) -> tuple[FeatureSpec, ...]:
        """Declarations in registration order."""
        return tuple(self._specs.values())

    def audit_only(self) -> frozenset[str]:
        """The audit-only columns this registry refuses."""
        if self._audit_only is not None:
            return self._audit_only
        return audit_only_columns(get_settings().audit.audit_only_columns)

    def feature(
        self,
        *,
        group: str,
        kind: str,
        description: str,
        purpose: str,
        reason_en: Template,
        reason_id: Template,
        owner: str,
        inputs: tuple[str, ...],
        unit: str = "",
        dtype: Any = None,
        categories: tuple[str, ...] | None = None,
        reason_en_false: str | None = None,
        reason_id_false: str | None = None,
        missing_en: str = "",
        missing_id: str = "",
    ) -> Callable[[Callable[[], pl.Expr]], Callable[[], pl.Expr]]:
        """Decorator declaring the feature computed by the decorated function.

        The function takes no argument and returns a polars expression over the
        pipeline's context columns; its name becomes the feature's name.  See
        :class:`FeatureSpec` for the parameters; ``reason_*_false`` give the
        sentence for a false boolean when ``reason_*`` is a plain string.

        Raises
        ------
        FeatureRegistryError
            If the declaration breaks a rule (duplicate, empty text, unknown
            group or kind, audit-only column).
        """

        def register(fn: Callable[[], pl.Expr]) -> Callable[[], pl.Expr]:
            name = fn.__name__
            en = _bool_template(name, "reason_en", reason_en, reason_en_false, kind)
            id_ = _bool_template(name, "reason_id", reason_id, reason_id_false, kind)
            spec = FeatureSpec(
                name=name,
                group=group,
                kind=kind,
                dtype=_dtype(kind, dtype, categories),
                unit=unit,
                description=description,
                purpose=purpose,
                reason_en=en,
                reason_id=id_,
                owner=owner,
                inputs=tuple(inputs),
                categories=tuple(categories) if categories is not None else None,
                missing_en=missing_en,
                missing_id=missing_id,
            )
            expr = fn()
            self._check(spec, expr)
            self._specs[name] = _with_expr(spec, expr.alias(name).cast(spec.dtype))
            return fn

        return register

    def _check(self, spec: FeatureSpec, expr: Any) -> None:
        name = spec.name
        if name in self._specs:
            raise FeatureRegistryError(f"feature {name!r} is declared twice")
        if spec.group not in GROUPS:
            raise FeatureRegistryError(
                f"feature {name!r}: unknown group {spec.group!r} (expected one of {GROUPS})"
            )
        if spec.kind not in KINDS:
            raise FeatureRegistryError(
                f"feature {name!r}: unknown kind {spec.kind!r} (expected one of {KINDS})"
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
        if not isinstance(expr, pl.Expr):
            raise FeatureRegistryError(
                f"feature {name!r}: the function must return a polars expression,"
                f" got {type(expr).__name__}"
            )
        self._check_audit_only(name, spec.inputs, expr)

    def _check_audit_only(self, name: str, inputs: tuple[str, ...], expr: pl.Expr) -> None:
        forbidden = self.audit_only()
        for column in inputs:
            if column in forbidden:
                raise FeatureRegistryError(
                    f"feature {name!r} declares audit-only column {column!r} as an input;"
                    " audit-only columns can never become features"
                )
        for column in expr.meta.root_names():
            if column in forbidden:
                raise FeatureRegistryError(
                    f"feature {name!r} reads audit-only column {column!r};"
                    " audit-only columns can never become features"
                )


def _bool_template(
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


def _dtype(kind: str, dtype: Any, categories: tuple[str, ...] | None) -> Any:
    if dtype is not None:
        return dtype
    if kind == "categorical" and categories is not None:
        return pl.Enum(list(categories))
    return _DEFAULT_DTYPES.get(kind, pl.Float64)


def _with_expr(spec: FeatureSpec, expr: pl.Expr) -> FeatureSpec:
    object.__setattr__(spec, "expr", expr)
    return spec


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


#: The project's registry; the family modules register on it at import.
REGISTRY = Registry()
#: Decorator declaring a feature on the project's registry.
feature = REGISTRY.feature
