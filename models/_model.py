"""The LightGBM risk model as an estimator-like class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from risk.errors import ConfigError
from risk.settings import ModelSettings

__all__ = ["RiskModel", "lightgbm_params"]

Progress = Callable[[str, float], None]


def lightgbm_params(settings: ModelSettings) -> dict[str, Any]:
    """LightGBM parameters from settings: deterministic, thread count explicit."""
    return {
        "objective": "binary",
        "learning_rate": settings.learning_rate,
        "num_leaves": settings.num_leaves,
        "min_data_in_leaf": settings.min_data_in_leaf,
        "feature_fraction": settings.feature_fraction,
        "bagging_fraction": settings.bagging_fraction,
        "bagging_freq": settings.bagging_freq,
        "lambda_l2": settings.lambda_l2,
        "num_threads": settings.num_threads,
        "seed": settings.seed,
        "deterministic": True,
        "force_col_wise": True,
        "verbosity": -1,
        # Small categories are real signals here (e.g. a rare visa type), so let them split.
        "min_data_per_group": 20,
        "cat_smooth": 10.0,
        # On (LightGBM's default) it drops, before training, a feature whose rarer values
        # are fewer than min_data_in_leaf rows, though the learner (counting a leaf's rows
        # from hessians) splits on such features; on Dask each worker filters its own share.
        "feature_pre_filter": settings.feature_pre_filter,
    }


class RiskModel:
    """Gradient-boosted trees with early stopping on a validation split.

    Parameters
    ----------
    settings
        Model settings (LightGBM parameters, rounds, early stopping, seed, threads).
    categorical
        Column indices of categorical features (integer codes; NaN is missing).
    feature_names
        Column names stored in the model file.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The trained booster, truncated to its best iteration.
    best_iteration_ : int
        Number of trees kept (the best validation score).
    """

    def __init__(
        self,
        settings: ModelSettings | None = None,
        *,
        categorical: Sequence[int] = (),
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self.settings = settings or ModelSettings()
        self.categorical = list(categorical)
        self.feature_names = list(feature_names) if feature_names is not None else None

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        X_valid: np.ndarray,
        y_valid: np.ndarray,
        *,
        weight: np.ndarray | None = None,
        weight_valid: np.ndarray | None = None,
        progress: Progress | None = None,
    ) -> RiskModel:
        """Train with early stopping on ``(X_valid, y_valid)``; returns ``self``.

        ``weight``/``weight_valid`` weigh rows (a row of weight 0 is not learned from).
        """
        import lightgbm as lgb

        if X.shape[0] == 0 or X_valid.shape[0] == 0:
            raise ConfigError(
                f"training needs rows in both splits, got {X.shape[0]} train and"
                f" {X_valid.shape[0]} validation rows"
            )
        names = self.feature_names or [f"f{i}" for i in range(X.shape[1])]
        params = lightgbm_params(self.settings)
        kw = {"feature_name": names, "categorical_feature": self.categorical, "params": params}
        train = lgb.Dataset(X, label=y, weight=weight, free_raw_data=True, **kw)
        valid = lgb.Dataset(X_valid, label=y_valid, weight=weight_valid, reference=train, **kw)
        callbacks = [lgb.early_stopping(self.settings.early_stopping_rounds, verbose=False)]
        if progress is not None:
            callbacks.append(_progress_callback(progress, self.settings.max_rounds))
        booster = lgb.train(
            {**params, "metric": "binary_logloss"},
            train,
            num_boost_round=self.settings.max_rounds,
            valid_sets=[valid],
            valid_names=["valid"],
            callbacks=callbacks,
        )
        self.best_iteration_ = int(booster.best_iteration or booster.current_iteration())
        text = booster.model_to_string(num_iteration=self.best_iteration_)
        self.booster_ = lgb.Booster(model_str=text)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Raw margins (log-odds)."""
        return self.booster_.predict(X, raw_score=True, num_threads=self.settings.num_threads)


def _progress_callback(progress: Progress, total: int) -> Callable[[Any], None]:
    def _callback(env: Any) -> None:
        progress("training", (env.iteration + 1) / total)

    _callback.order = 40  # type: ignore[attr-defined]
    return _callback
