"""Training on contract tables (the synthetic world or an agency's own raw tables)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

__all__ = [
    "WORLD_LABEL_POLICY",
    "WorldSources",
    "label_rows",
    "train_world",
    "world_labels",
    "world_prepared",
]

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
    cutoff = _cutoff(tables, settings)
    protected = sorted(protected_columns(settings.protected.columns))
    present = [c for c in protected if c in tables.applications.collect_schema().names()]
    if features_frame is None:
        features_frame = features.build_features(tables, settings=settings)
    reviewed = None if policy == "naive" else reviewed_ipw_labels(Path(data_dir))
    sources = WorldSources(tables.outcomes, tables.applications, _truth_table(Path(data_dir)))
    frame = label_rows(features_frame, sources, cutoff, present, reviewed)
    weights = None if reviewed is None else frame["__weight"].to_numpy().astype(np.float64)
    label_meta = {"policy": policy, "weights": None if weights is None else weight_summary(weights)}
    prepared = world_prepared(frame, cutoff=cutoff, policy=policy, present=present,
                              data_dir=data_dir, label_meta=label_meta)  # fmt: skip
    if model_factory is None:
        return fit_prepared(prepared, settings, progress)
    return fit_prepared(prepared, settings, progress, model_factory=model_factory)


@dataclass(frozen=True)
class WorldSources:
    """The tables :func:`label_rows` joins to the features (lazy; a partition's may be filtered
    to its applications)."""

    outcomes: pl.LazyFrame
    applications: pl.LazyFrame
    truth: pl.LazyFrame | None = None


def label_rows(
    features_frame: pl.LazyFrame | pl.DataFrame,
    sources: WorldSources,
    cutoff: datetime,
    present: list[str],
    reviewed: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The features with labels, protected attributes and the columns training reads apart.

    ``label``, ``label_known``, ``investigated`` and the ``present`` protected columns are
    joined by application; ``__weight`` (with ``reviewed``, :func:`reviewed_ipw_labels`),
    ``__truth`` (with a truth table) and ``__baseline`` (the checklist score) are added.
    Row by row: the whole world on one machine, or one partition on a worker, gives the
    same rows.
    """
    frame = (
        features_frame.lazy()
        .join(world_labels(sources.outcomes, cutoff), on="application_id", how="left",
              maintain_order="left")
        .join(sources.applications.select("application_id", *present), on="application_id",
              how="left", maintain_order="left")
        .with_columns(
            pl.col("label").fill_null(0), pl.col("label_known", "investigated").fill_null(False)
        )
        .collect()
    )  # fmt: skip
    if reviewed is not None:
        frame = frame.join(reviewed, on="application_id", how="left", maintain_order="left")
        frame = frame.with_columns(
            label=pl.coalesce("reviewed_label", "label").cast(pl.Int8),
            __weight=pl.col("weight").fill_null(0.0).cast(pl.Float64),
        ).drop("reviewed_label", "weight")
    if sources.truth is not None:
        truth = (
            frame.lazy().select("application_id")
            .join(sources.truth.select("application_id", "any_violation"), on="application_id",
                  how="left", maintain_order="left")
            .collect()["any_violation"]
        )  # fmt: skip
        frame = frame.with_columns(truth.fill_null(False).cast(pl.Int8).alias("__truth"))
    return frame.with_columns(pl.Series("__baseline", checklist_score(frame)))


def world_prepared(
    frame: pl.DataFrame, *, cutoff: datetime, policy: str, present: list[str], data_dir: Any,
    label_meta: dict[str, Any],
) -> Prepared:  # fmt: skip
    """:class:`Prepared` from :func:`label_rows`' output (all rows, or the rows a driver holds)."""
    import features

    cat = features.catalogue()
    extra = {c: frame[c].to_numpy() for c in ("__weight", "__truth", "__baseline")
             if c in frame.columns}  # fmt: skip
    frame = frame.drop(*extra)
    return Prepared(
        frame=frame,
        labels=frame["label"].to_numpy().astype(np.int8),
        id="application_id",
        time="submitted_at",
        kinds={s.name: s.kind for s in cat.specs},
        texts={s.name: FeatureText(description=s.description, unit=s.unit) for s in cat.specs},
        catalogue_hash=cat.hash(),
        source="world",
        label_policy=WORLD_LABEL_POLICY if policy == "naive" else REVIEWED_IPW_POLICY,
        weights=None if "__weight" not in extra else extra["__weight"].astype(np.float64),
        protected=[*present, "investigated", "label_known"],
        declared={s.name: list(s.categories) for s in cat.specs if s.categories},
        catalogue=cat,
        truth=None if "__truth" not in extra else extra["__truth"].astype(np.int8),
        baseline=extra["__baseline"].astype(np.float64),
        extra_meta={
            "data_dir": str(data_dir),
            "label_cutoff": cutoff.isoformat(),
            "baseline_rules": [d for d, _ in CHECKLIST],
            "labels": label_meta,
        },
    )


def _truth_table(data_dir: Path) -> pl.LazyFrame | None:
    """The world's truth table (evaluation only), or ``None`` when it has none."""
    from risk.errors import DataFileError
    from risk.io import scan_table, table_path

    try:
        table_path(data_dir, "truth")
    except DataFileError:
        return None
    return scan_table(data_dir, "truth")
