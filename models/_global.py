"""Global explanations: mean |SHAP| ranking and the shap library's plots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

__all__ = ["GlobalExplanation", "global_explanation"]


@dataclass(frozen=True)
class GlobalExplanation:
    """Which features drive the model overall, on a sample of rows.

    Attributes
    ----------
    names
        Feature names in model order.
    values
        SHAP contributions ``(rows, features)`` (log-odds).
    base_value
        The model's expected margin.
    data
        The encoded feature values of the same rows (category codes for categoricals).
    """

    names: tuple[str, ...]
    values: np.ndarray
    base_value: float
    data: np.ndarray

    @property
    def mean_abs(self) -> np.ndarray:
        """Mean absolute SHAP value per feature, in model order."""
        return np.abs(self.values).mean(axis=0)

    def ranking(self) -> list[tuple[str, float]]:
        """Features with their mean |SHAP|, most important first."""
        m = self.mean_abs
        order = np.argsort(-m, kind="stable")
        return [(self.names[j], float(m[j])) for j in order]

    def to_frame(self) -> pl.DataFrame:
        """The ranking as a table (``rank, feature, mean_abs_shap``)."""
        rank = self.ranking()
        return pl.DataFrame(
            {
                "rank": list(range(1, len(rank) + 1)),
                "feature": [r[0] for r in rank],
                "mean_abs_shap": [r[1] for r in rank],
            }
        )

    def save_plots(
        self, directory: str | Path, *, top: int = 3, max_display: int = 15
    ) -> list[Path]:
        """Save shap's beeswarm and bar plots, and dependence plots of the ``top`` features.

        Returns the PNG paths written (``beeswarm.png``, ``bar.png``,
        ``dependence_<feature>.png``).  Uses matplotlib's Agg backend; nothing is shown.
        """
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
        import shap

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        expl = shap.Explanation(
            values=self.values,
            base_values=np.full(self.values.shape[0], self.base_value),
            data=self.data,
            feature_names=list(self.names),
        )
        written = []
        for name, draw in (
            ("beeswarm", lambda: shap.plots.beeswarm(expl, max_display=max_display, show=False)),
            ("bar", lambda: shap.plots.bar(expl, max_display=max_display, show=False)),
        ):
            written.append(_save(plt, draw, out / f"{name}.png"))
        for feature, _ in self.ranking()[:top]:
            j = self.names.index(feature)
            draw = lambda j=j: shap.plots.scatter(expl[:, j], color=expl, show=False)  # noqa: E731
            written.append(_save(plt, draw, out / f"dependence_{feature}.png"))
        return written


def _save(plt: Any, draw: Any, path: Path) -> Path:
    plt.figure()
    draw()
    plt.gcf().savefig(path, dpi=100, bbox_inches="tight")
    plt.close("all")
    return path


def global_explanation(
    bundle: Any, X: pl.DataFrame | np.ndarray, *, max_rows: int = 2000, seed: int = 0
) -> GlobalExplanation:
    """Exact SHAP values of up to ``max_rows`` rows of ``X`` (a seeded sample) for ``bundle``."""
    matrix = bundle.matrix(X)
    if matrix.shape[0] > max_rows:
        idx = np.sort(np.random.default_rng(seed).choice(matrix.shape[0], max_rows, replace=False))
        matrix = matrix[idx]
    contrib = bundle.contributions(matrix)
    base = float(contrib[0, -1]) if contrib.shape[0] else 0.0
    return GlobalExplanation(
        names=tuple(bundle.feature_names), values=contrib[:, :-1], base_value=base, data=matrix
    )
