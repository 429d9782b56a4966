"""The model's feature schema: names, kinds, category codes, and encoding to numpy.

LightGBM reads categoricals as non-negative integer codes.  The schema stores the
code of every category seen in training (or declared by the catalogue), so a
bundle encodes new rows exactly as training did; an unseen category becomes
missing (NaN), which LightGBM sends down the "other categories" side of a split.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from risk.errors import FeatureError

__all__ = ["FeatureKind", "FeatureSchema", "seen_categories", "undeclared"]

FeatureKind = Literal["numeric", "boolean", "categorical"]
_KINDS = ("numeric", "boolean", "categorical")


@dataclass(frozen=True)
class FeatureSchema:
    """Names, kinds and category codes of the model's features, in model order.

    Parameters
    ----------
    names
        Feature names in the order of the model's columns.
    kinds
        ``'numeric'``, ``'boolean'`` or ``'categorical'`` per feature.
    categories
        For each categorical feature, its categories; a category's code is its index.
    """

    names: tuple[str, ...]
    kinds: tuple[FeatureKind, ...]
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.names) != len(self.kinds):
            raise FeatureError(
                f"feature schema has {len(self.names)} names but {len(self.kinds)} kinds"
            )
        if len(set(self.names)) != len(self.names):
            dup = sorted({n for n in self.names if self.names.count(n) > 1})
            raise FeatureError(f"feature schema repeats feature names: {dup}")
        for name, kind in zip(self.names, self.kinds, strict=True):
            if kind not in _KINDS:
                raise FeatureError(f"feature {name!r} has unknown kind {kind!r}; use {_KINDS}")
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(self.names)})
        codes = {n: {c: i for i, c in enumerate(cats)} for n, cats in self.categories.items()}
        object.__setattr__(self, "_codes", codes)
        # What encode_row walks: one (name, is_categorical, codes) per column.
        plan = [
            (n, k == "categorical", codes.get(n, {}))
            for n, k in zip(self.names, self.kinds, strict=True)
        ]
        object.__setattr__(self, "_plan", plan)
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        object.__setattr__(self, "_encoding_id", hashlib.sha256(text.encode()).hexdigest()[:16])

    @property
    def encoding_id(self) -> str:
        """16 hex digits naming this encoding: names, kinds and category codes, in order.

        Two schemas with the same id encode every row to the same matrix.
        """
        return self._encoding_id

    @property
    def categorical_indices(self) -> list[int]:
        """Column indices of the categorical features (LightGBM's ``categorical_feature``)."""
        return [i for i, k in enumerate(self.kinds) if k == "categorical"]

    def kind(self, name: str) -> FeatureKind:
        """The kind of feature ``name``."""
        return self.kinds[self._index[name]]

    def to_dict(self) -> list[dict[str, Any]]:
        """Plain JSON form: one ``{name, kind, categories?}`` per feature."""
        out: list[dict[str, Any]] = []
        for name, kind in zip(self.names, self.kinds, strict=True):
            item: dict[str, Any] = {"name": name, "kind": kind}
            if kind == "categorical":
                item["categories"] = list(self.categories.get(name, ()))
            out.append(item)
        return out

    @classmethod
    def from_dict(cls, items: Sequence[Mapping[str, Any]]) -> FeatureSchema:
        """Rebuild a schema from :meth:`to_dict` output."""
        return cls(
            names=tuple(str(i["name"]) for i in items),
            kinds=tuple(i["kind"] for i in items),
            categories={
                str(i["name"]): tuple(str(c) for c in i.get("categories", ()))
                for i in items
                if i["kind"] == "categorical"
            },
        )

    @classmethod
    def learn(
        cls,
        frame: pl.DataFrame,
        kinds: Mapping[str, FeatureKind],
        declared: Mapping[str, Sequence[str]] | None = None,
    ) -> FeatureSchema:
        """Build a schema from training rows: categories are the declared ones, else those seen.

        Parameters
        ----------
        frame
            Training rows holding every feature in ``kinds``.
        kinds
            Feature name to kind, in model order.
        declared
            Categories declared up front (e.g. by the feature catalogue), by feature.
        """
        names = undeclared(kinds, declared)
        seen = {name: seen_categories(frame.get_column(name)) for name in names}
        return cls.from_seen(kinds, declared, seen)

    @classmethod
    def from_seen(
        cls,
        kinds: Mapping[str, FeatureKind],
        declared: Mapping[str, Sequence[str]] | None,
        seen: Mapping[str, pl.Series],
    ) -> FeatureSchema:
        """A schema from the categories seen in training, gathered by another engine.

        ``seen`` holds, per undeclared categorical feature, the distinct values found
        (:func:`seen_categories` of each partition's training rows, concatenated): the
        codes are those :meth:`learn` gives the same rows.
        """
        declared = declared or {}
        cats: dict[str, tuple[str, ...]] = {}
        for name, kind in kinds.items():
            if kind != "categorical":
                continue
            if declared.get(name):
                cats[name] = tuple(str(c) for c in declared[name])
            else:
                cats[name] = tuple(seen_categories(seen[name]).sort().to_list())
        return cls(names=tuple(kinds), kinds=tuple(kinds.values()), categories=cats)

    def encode(self, frame: pl.DataFrame) -> np.ndarray:
        """Encode rows to LightGBM's float64 matrix (C order), in model column order.

        Raises
        ------
        FeatureError
            If a feature column is missing or holds values of the wrong type.
        """
        missing = [n for n in self.names if n not in frame.columns]
        if missing:
            raise FeatureError(f"input lacks feature column(s) {missing}")
        for name, kind in zip(self.names, self.kinds, strict=True):
            col = frame.get_column(name)
            if kind != "categorical" and not (
                col.dtype.is_numeric() or col.dtype in (pl.Boolean, pl.Null)
            ):
                raise FeatureError(
                    f"feature column {name!r} is {kind} but holds {col.dtype} values"
                    f" (first: {col.drop_nulls().head(1).to_list()})"
                )
        # One select, written by polars straight to a C-order matrix: filling a C-order
        # array column by column (strided writes) cost four times as much.
        exprs = [self._encode_expr(n, k) for n, k in zip(self.names, self.kinds, strict=True)]
        if frame.height == 0:
            return np.empty((0, len(self.names)), dtype=np.float64)
        return frame.select(exprs).to_numpy(order="c")

    def _encode_expr(self, name: str, kind: FeatureKind) -> pl.Expr:
        if kind == "categorical":
            mapping = self._codes.get(name, {})
            codes = (
                pl.col(name)
                .cast(pl.String)
                .replace_strict(
                    list(mapping), list(mapping.values()), default=None, return_dtype=pl.Float64
                )
            )
        else:
            codes = pl.col(name).cast(pl.Float64)
        return codes.fill_null(np.nan)

    def encode_row(self, row: Mapping[str, Any]) -> np.ndarray:
        """Encode one case (a mapping of feature name to value) to a ``(1, n)`` matrix.

        Pure Python and numpy, no DataFrame: this is the serving hot path.
        """
        out = np.empty((1, len(self.names)), dtype=np.float64)
        cells = out[0]
        for j, (name, categorical, codes) in enumerate(self._plan):
            try:
                value = row[name]
            except KeyError:
                raise FeatureError(f"case lacks feature {name!r}") from None
            if value is None:
                cells[j] = math.nan
            elif categorical:
                code = codes.get(str(value))
                cells[j] = math.nan if code is None else code
            else:
                cells[j] = _number(name, self.kind(name), value)
        return out

    def decode(self, name: str, value: float) -> Any:
        """The display value of an encoded cell: category string, bool, number or None."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        kind = self.kind(name)
        if kind == "categorical":
            cats = self.categories.get(name, ())
            code = int(value)
            return cats[code] if 0 <= code < len(cats) else None
        if kind == "boolean":
            return bool(value)
        return float(value)


def undeclared(
    kinds: Mapping[str, FeatureKind], declared: Mapping[str, Sequence[str]] | None
) -> list[str]:
    """The categorical features whose categories are learnt from training rows."""
    declared = declared or {}
    return [n for n, k in kinds.items() if k == "categorical" and not declared.get(n)]


def seen_categories(values: pl.Series) -> pl.Series:
    """The distinct non-missing values of a categorical column, as text."""
    return values.cast(pl.String).drop_nulls().unique()


def _number(name: str, kind: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FeatureError(f"feature {name!r} is {kind} but the case gives {value!r}") from None
