"""Training on contract tables (the synthetic world or an agency's own raw tables)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models._baseline import CHECKLIST, checklist_score
from models._core import Prepared, TrainResult, fit_prepared
from models._labels import (
    REVIEWED_IPW_POLICY,
    choose_label_policy,
    reviewed_ipw_labels,
    weight_summary,
)
from models._reasons import FeatureText
from risk.contract import protected_columns
from risk.errors import ConfigError
from risk.settings import Settings, get_settings

__all__ = ["WORLD_LABEL_POLICY", "train_world", "world_labels"]

Progress = Callable[[str, float], None]

WORLD_LABEL_POLICY = (
    "Label 1: a violation confirmed in outcomes and known by the label cut-off. Label 0:"
    " everything else, including cases never investigated, investigations still pending"
    " and outcomes known only after the cut-off, which are treated as 'no violation found'."
    " Excluding them would train only on the investigated cases, a sample chosen by the old"
    " checklist rules and by intelligence that favoured some nationalities, so the model"
    " would learn that selection. Treating them as 0 keeps every application but means the"
    " model learns who was found, not who offended: violations among the uninvestigated are"
    " hidden negatives (label bias). The metrics against the synthetic truth show its size."
)


def world_labels(outcomes: pl.LazyFrame, cutoff: datetime) -> pl.LazyFrame:
    """``application_id, label, label_known, investigated`` per outcome row, as of ``cutoff``."""
    known = pl.col("violation_confirmed").is_not_null() & (
        pl.col("known_at").is_null() | (pl.col("known_at") <= cutoff)
    )
    return outcomes.select(
        "application_id",
        (known & pl.col("violation_confirmed").fill_null(False)).cast(pl.Int8).alias("label"),
        known.alias("label_known"),
        pl.col("investigated").fill_null(False),
    )


def _cutoff(tables, settings: Settings) -> datetime:
    if settings.model.label_cutoff:
        try:
            return datetime.fromisoformat(settings.model.label_cutoff)
        except ValueError as exc:
            raise ConfigError(
                f"setting model.label_cutoff {settings.model.label_cutoff!r} is not an ISO date"
            ) from exc
    # The snapshot: the latest instant the files know of.
    latest = pl.concat(
        [
            tables.applications.select(pl.col("submitted_at").max().alias("t")),
            tables.outcomes.select(pl.col("known_at").max().alias("t")),
        ]
    ).collect()["t"]
    return latest.max()


def train_world(
    data_dir: str | Path,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    labels: str | None = None,
    features_frame: pl.LazyFrame | pl.DataFrame | None = None,
    model_factory: Callable[..., Any] | None = None,
) -> TrainResult:
    """Train on the contract tables in ``data_dir`` (features from the catalogue).

    Parameters
    ----------
    data_dir
        Folder with the six contract tables (``risk synth`` writes one).  A
        ``truth`` table there is read for evaluation only, never for training.
    settings
        Split, model, capacity and label cut-off; default :func:`get_settings`.
    progress
        Called with ``(stage, fraction_done)``.
    labels
        ``"naive"`` or ``"reviewed-ipw"`` (see :mod:`models._labels`); default: the
        corrected one when ``data_dir`` holds ``reviews.parquet``, naive otherwise.
    features_frame
        The features of every application, already computed by another engine (Dask);
        default: :func:`features.build_features` on one machine.
    model_factory
        The booster's estimator (see :func:`models._core.fit_prepared`).

    Returns
    -------
    TrainResult
        Bundle, metrics (model, checklist baseline, and both against the truth when
        present), scored test split with protected attributes, splits, global explanation.
    """
    import features
    from risk.io import load_tables

    settings = settings or get_settings()
    policy = choose_label_policy(Path(data_dir), labels)
    note = progress or (lambda stage, frac: None)
    note("features", 0.0)
    tables = load_tables(Path(data_dir))
    cat = features.catalogue()
    cutoff = _cutoff(tables, settings)
    protected = sorted(protected_columns(settings.protected.columns))
    present = [c for c in protected if c in tables.applications.collect_schema().names()]
    if features_frame is None:
        features_frame = features.build_features(tables, settings=settings)
    frame = (
        features_frame.lazy()
        .join(
            world_labels(tables.outcomes, cutoff),
            on="application_id",
            how="left",
            maintain_order="left",
        )
        .join(
            tables.applications.select("application_id", *present),
            on="application_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.col("label").fill_null(0), pl.col("label_known", "investigated").fill_null(False)
        )
        .collect()
    )
    frame, weights, label_meta = _apply_label_policy(frame, Path(data_dir), policy)
    prepared = Prepared(
        frame=frame,
        labels=frame["label"].to_numpy().astype(np.int8),
        id="application_id",
        time="submitted_at",
        kinds={s.name: s.kind for s in cat.specs},
        texts={s.name: FeatureText(description=s.description, unit=s.unit) for s in cat.specs},
        catalogue_hash=cat.hash(),
        source="world",
        label_policy=WORLD_LABEL_POLICY if policy == "naive" else REVIEWED_IPW_POLICY,
        weights=weights,
        protected=[*present, "investigated", "label_known"],
        declared={s.name: list(s.categories) for s in cat.specs if s.categories},
        catalogue=cat,
        truth=_truth(Path(data_dir), frame),
        baseline=checklist_score(frame),
        extra_meta={
            "data_dir": str(data_dir),
            "label_cutoff": cutoff.isoformat(),
            "baseline_rules": [d for d, _ in CHECKLIST],
            "labels": label_meta,
        },
    )
    if model_factory is None:
        return fit_prepared(prepared, settings, progress)
    return fit_prepared(prepared, settings, progress, model_factory=model_factory)


def _apply_label_policy(
    frame: pl.DataFrame, data_dir: Path, policy: str
) -> tuple[pl.DataFrame, np.ndarray | None, dict]:
    """The frame's labels and weights under ``policy``, and what the bundle records of it."""
    if policy == "naive":
        return frame, None, {"policy": "naive", "weights": None}
    reviewed = reviewed_ipw_labels(data_dir)
    frame = frame.join(reviewed, on="application_id", how="left", maintain_order="left")
    frame = frame.with_columns(
        label=pl.coalesce("reviewed_label", "label").cast(pl.Int8),
        weight=pl.col("weight").fill_null(0.0),
    ).drop("reviewed_label")
    weights = frame["weight"].to_numpy().astype(np.float64)
    frame = frame.drop("weight")
    return frame, weights, {"policy": policy, "weights": weight_summary(weights)}


def _truth(data_dir: Path, frame: pl.DataFrame) -> np.ndarray | None:
    from risk.errors import DataFileError
    from risk.io import scan_table, table_path

    try:
        table_path(data_dir, "truth")
    except DataFileError:
        return None
    truth = scan_table(data_dir, "truth").select("application_id", "any_violation")
    joined = (
        frame.lazy()
        .select("application_id")
        .join(truth, on="application_id", how="left", maintain_order="left")
    )
    return joined.collect()["any_violation"].fill_null(False).to_numpy().astype(np.int8)
