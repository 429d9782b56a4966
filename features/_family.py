"""The feature family: one signal family's declarations, a first-class object.

Each family module builds one :class:`Family` and declares its features on it::

    FAMILY = Family("financial", owner="financial-analytics")

    @FAMILY.feature(kind="numeric", unit="USD per day", description=..., purpose=...,
                    reason_en=..., reason_id=..., inputs=("declared_funds_usd", ...))
    def funds_per_day_usd() -> Derivation:
        return col("declared_funds_usd") / col("intended_stay_days")

The function returns a :mod:`derivation <features._derive>` over fact columns;
the family names it after the function and refuses duplicates, empty texts,
columns no fact provides and any protected attribute, whether the derivation
reads it by name or a fact reads it for it (joins included).
``features._families`` lists the families once; every other list derives from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from risk.contract import protected_columns
from risk.errors import FeatureRegistryError
from risk.settings import get_settings

from ._derive import Derivation, Scalar
from ._fact import Fact
from ._facts import fact_of
from ._registry import FeatureSpec, Template, bool_template, check_texts, default_dtype

__all__ = ["Family"]

Declare = Callable[[Callable[[], Derivation]], Callable[[], Derivation]]


class Family:
    """One signal family: its name, owner and features, in declaration order.

    Parameters
    ----------
    name
        The family (group) name shown in the catalogue.
    owner
        Team answerable for the family's features (a feature may name another).
    protected
        Columns no feature may read; default: the contract's protected attributes
        plus ``Settings.protected.columns``.
    """

    def __init__(self, name: str, *, owner: str, protected: frozenset[str] | None = None) -> None:
        self.name, self.owner = name, owner
        self._protected = protected
        self._specs: dict[str, FeatureSpec] = {}

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {len(self._specs)} features)"

    @property
    def specs(self) -> tuple[FeatureSpec, ...]:
        """Declarations in declaration order."""
        return tuple(self._specs.values())

    @property
    def facts(self) -> tuple[Fact, ...]:
        """The facts this family's derivations read, in first-use order."""
        found: dict[str, Fact] = {}
        for spec in self._specs.values():
            for column in sorted(spec.derivation.columns()):  # type: ignore[union-attr]
                fact = fact_of(column)
                if fact is not None:
                    found.setdefault(fact.name, fact)
        return tuple(found.values())

    def protected(self) -> frozenset[str]:
        """The protected attributes this family refuses."""
        if self._protected is not None:
            return self._protected
        return protected_columns(get_settings().protected.columns)

    def feature(
        self,
        *,
        kind: str,
        description: str,
        purpose: str,
        reason_en: Template,
        reason_id: Template,
        inputs: tuple[str, ...],
        owner: str | None = None,
        unit: str = "",
        dtype: Any = None,
        categories: tuple[str, ...] | None = None,
        reason_en_false: str | None = None,
        reason_id_false: str | None = None,
        missing_en: str = "",
        missing_id: str = "",
    ) -> Declare:
        """Decorator declaring the feature the decorated function derives.

        The function takes no argument and returns a :class:`Derivation` over
        fact columns; its name becomes the feature's name.  See
        :class:`FeatureSpec` for the parameters; ``reason_*_false`` give the
        sentence for a false boolean when ``reason_*`` is a plain string.

        Raises
        ------
        FeatureRegistryError
            If the declaration breaks a rule (duplicate, empty text, unknown kind,
            a column no fact provides, a protected attribute read directly or
            through a fact).
        """

        def register(fn: Callable[[], Derivation]) -> Callable[[], Derivation]:
            name = fn.__name__
            spec = FeatureSpec(
                name=name,
                group=self.name,
                kind=kind,
                dtype=default_dtype(kind, dtype, categories),
                unit=unit,
                description=description,
                purpose=purpose,
                reason_en=bool_template(name, "reason_en", reason_en, reason_en_false, kind),
                reason_id=bool_template(name, "reason_id", reason_id, reason_id_false, kind),
                owner=self.owner if owner is None else owner,
                inputs=tuple(inputs),
                categories=tuple(categories) if categories is not None else None,
                missing_en=missing_en,
                missing_id=missing_id,
            )
            if name in self._specs:
                raise FeatureRegistryError(f"feature {name!r} is declared twice")
            check_texts(spec)
            derivation = fn()
            self._check_derivation(spec, derivation)
            self._specs[name] = _complete(spec, derivation)
            return fn

        return register

    def _check_derivation(self, spec: FeatureSpec, derivation: Any) -> None:
        name = spec.name
        if not isinstance(derivation, Derivation):
            raise FeatureRegistryError(
                f"feature {name!r}: the function must return a derivation"
                f" (features.col(...) and its operators), got {type(derivation).__name__}"
            )
        forbidden = self.protected()
        for column in spec.inputs:
            if column in forbidden:
                raise FeatureRegistryError(
                    f"feature {name!r} declares protected attribute {column!r} as an input;"
                    " protected attributes can never become features"
                )
        for column in sorted(derivation.columns()):
            if column in forbidden:
                raise FeatureRegistryError(
                    f"feature {name!r} reads protected attribute {column!r};"
                    " protected attributes can never become features"
                )
            fact = fact_of(column)
            if fact is None:
                raise FeatureRegistryError(
                    f"feature {name!r} reads column {column!r}, which no fact provides"
                )
            hidden = sorted(set(fact.reads[column]) & forbidden)
            if hidden:
                raise FeatureRegistryError(
                    f"feature {name!r} reads protected attribute {hidden[0]!r} through fact"
                    f" {fact.name!r} ({column!r}); protected attributes can never become features"
                )


def _complete(spec: FeatureSpec, derivation: Derivation) -> FeatureSpec:
    """The spec with its derivation's batch and request-time forms attached."""
    expr = derivation.to_polars().alias(spec.name).cast(spec.dtype)
    compute = _compiled_on_first_call(lambda: derivation.to_python(**python_cast(spec)))
    for attr, value in (("derivation", derivation), ("expr", expr), ("compute", compute)):
        object.__setattr__(spec, attr, value)
    return spec


def _compiled_on_first_call(build: Callable[[], Scalar]) -> Scalar:
    """A function that compiles itself when first called (imports stay cheap; the request
    path compiles the whole catalogue at once, see ``features._row``)."""
    compiled: list[Scalar] = []

    def compute(row: Any) -> Any:
        if not compiled:
            compiled.append(build())
        return compiled[0](row)

    return compute


def python_cast(spec: FeatureSpec) -> dict[str, Any]:
    """What polars' cast to the feature's dtype does to one Python value, as options of
    :meth:`Derivation.to_python`: a Float64 cast, or an Enum's category check."""
    categories = None
    if isinstance(spec.dtype, pl.Enum):
        categories = (spec.name, tuple(spec.dtype.categories.to_list()))
    return {"as_float": spec.dtype == pl.Float64, "categories": categories}
