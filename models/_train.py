"""Training entry points: the synthetic world (contract tables) and a spec'd feature table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from models._core import Prepared, TrainResult, fit_prepared
from models._spec import load_spec_table, read_spec
from risk.settings import Settings, get_settings

__all__ = ["TABLE_LABEL_POLICY", "train_table"]

Progress = Callable[[str, float], None]

TABLE_LABEL_POLICY = (
    "Labels are the spec's label column as given (0/1 or true/false; missing labels are"
    " refused). If your labels come only from investigated cases, they carry the selection"
    " bias of past investigations: the model learns who was found, not who offended."
)


def train_table(
    table_path: str | Path,
    spec_path: str | Path,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Train on an analyst's own feature table described by a dataset spec (TOML).

    Parameters
    ----------
    table_path
        CSV or Parquet file, one row per case.
    spec_path
        The dataset spec naming id, time (optional), label, protected, categorical and
        feature columns (see :func:`models.read_spec`).
    settings
        Split fractions, model parameters, capacity; default :func:`get_settings`.
    progress
        Called with ``(stage, fraction_done)`` as training goes.

    Returns
    -------
    TrainResult
        Bundle, test metrics, scored test split, split summary and global explanation.
    """
    settings = settings or get_settings()
    spec = read_spec(spec_path)
    if progress:
        progress("loading", 0.0)
    frame, labels = load_spec_table(table_path, spec)
    prepared = Prepared(
        frame=frame,
        labels=labels,
        id=spec.id,
        time=spec.time,
        kinds=spec.kinds,
        texts=spec.texts,
        catalogue_hash=spec.hash(),
        source="table",
        label_policy=TABLE_LABEL_POLICY,
        protected=list(spec.protected),
        extra_meta={"table": str(table_path), "spec": str(spec_path), "label_column": spec.label},
    )
    return fit_prepared(prepared, settings, progress)
