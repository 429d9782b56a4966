"""The training core shared by the synthetic-world and the dataset-spec paths."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl

from models._bundle import Bundle
from models._calibration import Calibrator
from models._global import GlobalExplanation, global_explanation
from models._metrics import score_metrics, top_k_mask
from models._model import RiskModel, lightgbm_params
from models._reasons import FeatureText
from models._schema import FeatureKind, FeatureSchema
from models._split import SPLITS, assign_splits
from models._threshold import Bands, band_evidence, capacity_threshold
from models.monitoring._profile import build_profile
from risk.errors import ConfigError, DataContractError
from risk.settings import Settings

__all__ = ["Prepared", "TrainResult", "check_labelled", "finish_fit", "fit_prepared"]

Progress = Callable[[str, float], None]


@dataclass
class Prepared:
    """One row per case, ready to train on, with everything the bundle must record."""

    frame: pl.DataFrame
    labels: np.ndarray
    id: str
    time: str | None
    kinds: dict[str, FeatureKind]
    texts: dict[str, FeatureText]
    catalogue_hash: str
    source: str
    label_policy: str
    protected: list[str] = field(default_factory=list)
    declared: dict[str, list[str]] = field(default_factory=dict)
    catalogue: Any = None
    truth: np.ndarray | None = None
    baseline: np.ndarray | None = None
    extra_meta: dict[str, Any] = field(default_factory=dict)
    #: Row weights (``None``: every row weighs 1; 0: the row is not learned from).
    weights: np.ndarray | None = None


@dataclass
class TrainResult:
    """What training produced.

    Attributes
    ----------
    bundle
        The calibrated, thresholded model with its reason wording.
    metrics
        Test metrics against the labels (``model``), at exact capacity for the checklist
        baseline (``baseline``), and against the synthetic truth when given (``*_truth``).
    test_frame
        The scored test split: id, time, label, margin, score, band, flag, truth (if any),
        baseline score (if any) and the protected attributes, for the fairness report.
    splits
        Rows, positives and time range per split.
    global_explanation
        Mean |SHAP| ranking and plots on a sample of the test split.
    test_features
        The test split's feature columns as the model saw them (before encoding), row for
        row with ``test_frame``: the fairness proxy test asks how well they predict each
        protected attribute.
    """

    bundle: Bundle
    metrics: dict[str, Any]
    test_frame: pl.DataFrame
    splits: dict[str, dict[str, Any]]
    global_explanation: GlobalExplanation
    test_features: pl.DataFrame | None = None


def fit_prepared(
    p: Prepared,
    settings: Settings,
    progress: Progress | None = None,
    *,
    model_factory: Callable[..., RiskModel] = RiskModel,
) -> TrainResult:
    """Split, fit, calibrate, threshold, evaluate and bundle.

    ``model_factory`` builds the booster's estimator from ``(settings.model,
    categorical=..., feature_names=...)``: :class:`RiskModel` on one machine, a
    :class:`models._dask_train.DaskRiskModel` bound to a client on Dask.
    """
    note = progress or (lambda stage, frac: None)
    note("splitting", 0.0)
    # Weighted rows place the time split: only they are learned from, and they may all be recent.
    basis = None if p.weights is None else p.weights > 0
    split = assign_splits(
        p.frame, p.time, settings.split, seed=settings.model.seed, basis=basis
    ).to_numpy()
    masks = {s: split == s for s in SPLITS}
    schema = FeatureSchema.learn(p.frame.filter(pl.Series(masks["train"])), p.kinds, p.declared)
    X = schema.encode(p.frame)
    y = p.labels
    model = model_factory(
        settings.model, categorical=schema.categorical_indices, feature_names=schema.names
    )
    tr, va = masks["train"], masks["valid"]
    w = p.weights
    _check_weighted(w, tr, va)
    model.fit(
        X[tr],
        y[tr],
        X[va],
        y[va],
        weight=None if w is None else w[tr],
        weight_valid=None if w is None else w[va],
        progress=note,
    )
    return finish_fit(
        p, settings, model, schema, X, split,
        fingerprint=_fingerprint(X, y, split), splits=_split_summary(p, split, y), progress=note,
    )  # fmt: skip


def finish_fit(
    p: Prepared,
    settings: Settings,
    model: RiskModel,
    schema: FeatureSchema,
    X: np.ndarray,
    split: np.ndarray,
    *,
    fingerprint: str,
    splits: dict[str, dict[str, Any]],
    progress: Progress | None = None,
) -> TrainResult:
    """Calibrate, threshold, evaluate, explain and bundle a fitted ``model``.

    Only the validation and test rows are read: ``p`` (and ``X``, ``split``, row for
    row) may hold every row, or only those two splits when the training rows stay on
    a cluster's workers.  ``fingerprint`` and ``splits`` describe every row.
    """
    note = progress or (lambda stage, frac: None)
    va, te = split == "valid", split == "test"
    y, w = p.labels, p.weights
    note("calibrating", 1.0)
    m_valid = model.decision_function(X[va])
    w_valid = None if w is None else w[va]
    calibrator = Calibrator(settings.model.calibration).fit(m_valid, y[va], w_valid)
    bands = _bands(m_valid, calibrator, settings)
    _check_ranking(m_valid, bands, model)
    meta = _meta(p, settings, model, fingerprint)
    bundle = Bundle(
        model.booster_,
        schema,
        calibrator,
        bands,
        p.texts,
        catalogue_hash=p.catalogue_hash,
        meta=meta,
        catalogue=p.catalogue,
    )
    note("evaluating", 1.0)
    test_frame = _test_frame(p, bundle, X[te], te)
    metrics = _evaluate(test_frame, m_valid, bands, settings)
    bundle.meta.update({"metrics": metrics, "splits": splits})
    # what each band means in observed terms, read by the case screen
    labelled = np.ones(m_valid.size, bool) if w_valid is None else w_valid > 0
    bundle.meta["band_evidence"] = band_evidence(bands, m_valid[labelled], y[va][labelled])
    glob = global_explanation(bundle, X[te], seed=settings.model.seed)
    bundle.meta["global_importance"] = glob.ranking()
    test_features = p.frame.filter(pl.Series(te)).select(schema.names)
    note("profiling", 1.0)
    bundle.reference = _reference(bundle, test_features, y[te], splits, settings)
    return TrainResult(bundle, metrics, test_frame, splits, glob, test_features)


def _check_weighted(w: np.ndarray | None, tr: np.ndarray, va: np.ndarray) -> None:
    """Weighted training needs weighted rows to learn from and to stop early on."""
    if w is None:
        return
    check_labelled(int(np.sum(w[tr] > 0)), int(np.sum(w[va] > 0)))


def check_labelled(train: int, validation: int) -> None:
    """Refuse weighted training with no labelled (weighted) row in ``train`` or ``validation``.

    Raises
    ------
    ConfigError
        Naming both counts and what to do.
    """
    if min(train, validation) == 0:
        raise ConfigError(
            "the label policy leaves no labelled row in a split (labelled rows: train"
            f" {train}, validation {validation}); the reviewed cases must"
            " span the time split (more months of reviews), or train with --labels naive"
        )


def _check_ranking(m_valid: np.ndarray, bands: Bands, model: RiskModel) -> None:
    """Refuse a model that cannot rank: flags are set by ``margin >= threshold``, so when
    the validation margins tie at the threshold (a model with no split) every tied case
    would be flagged, far beyond what officers can review."""
    flagged = float(np.mean(m_valid >= bands.flag_margin))
    if flagged > 2 * bands.capacity:
        raise DataContractError(
            f"the trained model cannot rank the validation cases: {flagged:.0%} of them"
            f" score at or above the capacity threshold (capacity {bands.capacity:.0%}),"
            f" {np.unique(m_valid).size} distinct scores from {model.booster_.num_trees()}"
            " tree(s); the labels do not support a model (too few labelled cases or"
            " positives)"
        )


def _reference(
    bundle: Bundle, test: pl.DataFrame, y: np.ndarray, splits: dict, settings: Settings
) -> dict[str, Any] | None:
    """The monitoring baseline: the held-out test split, the latest data the model saw."""
    if test.height == 0:
        return None
    period = (splits["test"].get("time_min"), splits["test"].get("time_max"))
    profile = build_profile(bundle, test, settings.monitor, labels=y, period=period)
    return profile.to_dict()


def _bands(m_valid: np.ndarray, calibrator: Calibrator, settings: Settings) -> Bands:
    cap = settings.review.capacity
    flag = capacity_threshold(m_valid, cap)
    high = max(flag, capacity_threshold(m_valid, cap * settings.review.high_band_share))
    return Bands(
        capacity=cap,
        flag_margin=flag,
        high_margin=high,
        flag_probability=float(calibrator.predict(flag)),
        high_probability=float(calibrator.predict(high)),
    )


def _test_frame(p: Prepared, bundle: Bundle, X_test: np.ndarray, te: np.ndarray) -> pl.DataFrame:
    sel = pl.Series(te)
    keep = [p.id, *([p.time] if p.time else []), *p.protected]
    frame = p.frame.filter(sel).select(keep)
    scores = bundle.score(X_test)
    extra: dict[str, Any] = {"label": p.labels[te]}
    if p.truth is not None:
        extra["truth"] = p.truth[te]
    if p.baseline is not None:
        extra["baseline_score"] = p.baseline[te]
    return pl.concat(
        [frame.with_columns(pl.Series(k, v) for k, v in extra.items()), scores.to_frame()],
        how="horizontal",
    )


def _evaluate(test: pl.DataFrame, m_valid: np.ndarray, bands: Bands, settings: Settings) -> dict:
    cap, seed = settings.review.capacity, settings.model.seed
    prob = test["score"].to_numpy()
    at_cap = top_k_mask(test["margin"].to_numpy(), cap, seed=seed)
    at_threshold = test["flag"].to_numpy()
    out: dict[str, Any] = {
        "capacity": cap,
        "valid_flag_rate": float(np.mean(m_valid >= bands.flag_margin)),
        "test_flag_rate_at_threshold": float(at_threshold.mean()) if at_threshold.size else None,
    }
    targets = {"label": test["label"].to_numpy()}
    if "truth" in test.columns:
        targets["truth"] = test["truth"].to_numpy().astype(np.int8)
    for name, y in targets.items():
        suffix = "" if name == "label" else "_truth"
        out[f"model{suffix}"] = score_metrics(y, prob, at_cap)
        if "baseline_score" in test.columns:
            base = test["baseline_score"].to_numpy().astype(np.float64)
            flagged = top_k_mask(base, cap, seed=seed)
            out[f"baseline{suffix}"] = score_metrics(y, base, flagged, probabilistic=False)
    return out


def _split_summary(p: Prepared, split: np.ndarray, y: np.ndarray) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for s in SPLITS:
        mask = split == s
        item: dict[str, Any] = {"rows": int(mask.sum()), "positives": int(y[mask].sum())}
        if p.time:
            t = p.frame.get_column(p.time).filter(pl.Series(mask))
            item["time_min"], item["time_max"] = str(t.min()), str(t.max())
        out[s] = item
    return out


def _meta(p: Prepared, settings: Settings, model: RiskModel, fingerprint: str) -> dict[str, Any]:
    return {
        "source": p.source,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "id_column": p.id,
        "time_column": p.time,
        "protected": p.protected,
        "label_policy": p.label_policy,
        "data_fingerprint": fingerprint,
        "seed": settings.model.seed,
        "num_threads": settings.model.num_threads,
        "best_iteration": model.best_iteration_,
        "num_trees": int(model.booster_.num_trees()),
        "lightgbm_params": lightgbm_params(settings.model),
        "model_settings": settings.model.model_dump(),
        "split_settings": settings.split.model_dump(),
        "versions": _versions(),
        **p.extra_meta,
    }


def _fingerprint(X: np.ndarray, y: np.ndarray, split: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(X).tobytes())
    h.update(np.ascontiguousarray(y, dtype=np.int8).tobytes())
    h.update("".join(s[0] for s in split.tolist()).encode())
    return h.hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("amanah", "lightgbm", "numpy", "polars", "scikit-learn", "shap"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
