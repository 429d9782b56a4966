"""The proxy test: can the model's features predict a protected attribute?

A small gradient-boosted classifier (scikit-learn's HistGradientBoosting, with native
categorical support) is cross-validated to predict each protected attribute from the
features.  AUC near 0.5 means the features carry little about the attribute; near 1
means some combination of features stands in for it.  Permutation importance on a
held-out fold names the features that carry it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from risk.errors import RequestValidationError

from ._table import MISSING

__all__ = ["ProxyAttribute", "ProxyResult", "proxy_test"]

#: Label of the class that pools rare values of an attribute.
OTHER = "<other>"
#: Most distinct values a categorical feature keeps (the rest share one code).
MAX_CATEGORIES = 250


@dataclass(frozen=True)
class ProxyAttribute:
    """How well the features predict one protected attribute.

    ``auc`` is the cross-validated ROC AUC (macro one-vs-rest for more than two classes);
    ``None`` with ``reason`` when it cannot be computed (a single class).
    ``top_features`` lists ``{"feature", "importance", "std"}``: the mean drop in AUC
    when the feature is shuffled on a held-out fold, largest first.
    """

    attribute: str
    auc: float | None
    classes: list[str]
    top_features: list[dict[str, Any]]
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "auc": self.auc,
            "classes": self.classes,
            "top_features": self.top_features,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProxyResult:
    """The proxy test of every protected attribute."""

    attributes: dict[str, ProxyAttribute]
    rows: int
    folds: int
    seed: int
    features: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (see ``docs/fairness.md``)."""
        return {
            "rows": self.rows,
            "folds": self.folds,
            "seed": self.seed,
            "features": self.features,
            "attributes": {k: a.to_dict() for k, a in self.attributes.items()},
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as strict JSON."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)


def _encode_features(features: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    columns, categorical = [], []
    for name, s in features.to_dict().items():
        dtype = s.dtype
        if dtype == pl.Boolean or dtype.is_numeric():
            columns.append(s.cast(pl.Float64).fill_nan(None).to_numpy())
            categorical.append(False)
        elif dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            s = s.cast(pl.String)
            top = s.drop_nulls().value_counts(sort=True).head(MAX_CATEGORIES)[s.name]
            codes = s.replace_strict(
                top, pl.int_range(len(top), eager=True), default=len(top), return_dtype=pl.Float64
            )
            columns.append(codes.set(s.is_null(), None).to_numpy())
            categorical.append(True)
        elif dtype.is_temporal():
            columns.append(s.to_physical().cast(pl.Float64).to_numpy())
            categorical.append(False)
        else:
            raise RequestValidationError(
                f"proxy test: feature column {name!r} has unsupported type {dtype}"
            )
    x = np.column_stack(columns).astype(np.float64) if columns else np.empty((features.height, 0))
    return x, np.asarray(categorical, dtype=bool)


def _target(s: pl.Series, min_class: int, max_classes: int) -> np.ndarray:
    y = s.cast(pl.String).fill_null(MISSING)
    counts = y.value_counts().sort(["count", y.name], descending=[True, False])
    kept = counts.filter(pl.col("count") >= min_class).head(max_classes)[y.name]
    return y.set(~y.is_in(kept.implode()), OTHER).to_numpy().astype(str)


def proxy_test(
    features: pl.DataFrame,
    protected: pl.DataFrame,
    *,
    seed: int,
    folds: int = 3,
    top: int = 5,
    max_rows: int = 20_000,
    min_class_size: int = 30,
    max_classes: int = 12,
) -> ProxyResult:
    """Cross-validated AUC of predicting each protected column from the features.

    Parameters
    ----------
    features
        The model's feature table (numeric, boolean, string/categorical, temporal).
    protected
        Protected attributes, row-aligned with ``features``.
    seed
        Seeds the row sample, the folds, the classifier and the permutations.
    folds
        Cross-validation folds.
    top
        How many of the most important features to report.
    max_rows
        A larger table is sampled down to this many rows (seeded).
    min_class_size, max_classes
        Values rarer than ``min_class_size``, and all but the ``max_classes`` most
        frequent, are pooled into ``"<other>"`` (the cost grows with the classes).

    Raises
    ------
    RequestValidationError
        Tables of different heights, no features, or a feature of unsupported type.
    """
    if features.height != protected.height:
        raise RequestValidationError(
            f"proxy test: features have {features.height} rows but protected attributes "
            f"have {protected.height}; they must be row-aligned"
        )
    if features.width == 0 or protected.width == 0:
        raise RequestValidationError("proxy test: need at least one feature and one attribute")
    if features.height > max_rows:
        idx = np.sort(np.random.default_rng(seed).choice(features.height, max_rows, replace=False))
        features, protected = features[idx], protected[idx]
    # Load scikit-learn's OpenMP runtime first: threadpool_limits only reaches loaded ones.
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    x, cat = _encode_features(features)
    # A feature missing on every sampled row carries no information, and the
    # classifier's binning fails on it: leave it out (it is named nowhere as a proxy).
    usable = ~np.isnan(x).all(axis=0)
    names = [n for n, keep in zip(features.columns, usable, strict=True) if keep]
    x, cat = x[:, usable], cat[usable]
    # One OpenMP thread: the many small fits gain nothing from more, and spinning OpenMP
    # threads on a busy machine make each fit far slower than a single thread.
    with threadpool_limits(limits=1, user_api="openmp"):
        out = {
            name: _one(
                name,
                x,
                cat,
                names,
                _target(protected[name], min_class_size, max_classes),
                seed=seed,
                folds=folds,
                top=top,
            )
            for name in protected.columns
        }
    return ProxyResult(out, rows=features.height, folds=folds, seed=seed, features=features.columns)


def _one(
    name: str,
    x: np.ndarray,
    cat: np.ndarray,
    names: list[str],
    y: np.ndarray,
    *,
    seed: int,
    folds: int,
    top: int,
) -> ProxyAttribute:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    classes, class_n = np.unique(y, return_counts=True)
    if len(classes) < 2:
        return ProxyAttribute(name, None, classes.tolist(), [], "only one class present")
    if class_n.min() < folds:
        return ProxyAttribute(
            name, None, classes.tolist(), [], f"a class has fewer than {folds} rows (folds)"
        )
    model = HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.15,
        max_leaf_nodes=15,
        early_stopping=False,
        categorical_features=cat if cat.any() else None,
        random_state=seed,
    )
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    proba = cross_val_predict(model, x, y, cv=cv, method="predict_proba")
    if len(classes) == 2:
        auc = roc_auc_score(y == classes[1], proba[:, 1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
    train, test = next(cv.split(x, y))
    model.fit(x[train], y[train])
    ranked = _importance(model, x[test], y[test], names, binary=len(classes) == 2, seed=seed)
    return ProxyAttribute(name, float(auc), classes.tolist(), ranked[:top])


def _importance(
    model: Any, x: np.ndarray, y: np.ndarray, names: list[str], *, binary: bool, seed: int
) -> list[dict[str, Any]]:
    """Features by permutation importance (mean drop in AUC), largest first."""
    from sklearn.inspection import permutation_importance

    imp = permutation_importance(
        model,
        x,
        y,
        scoring="roc_auc" if binary else "roc_auc_ovr",
        n_repeats=3,
        max_samples=min(len(y), 5000),
        random_state=seed,
    )
    return [
        {
            "feature": names[i],
            "importance": float(imp.importances_mean[i]),
            "std": float(imp.importances_std[i]),
        }
        for i in np.argsort(-imp.importances_mean)
    ]
