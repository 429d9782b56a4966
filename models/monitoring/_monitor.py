"""Monitoring a model on current data, chunk by chunk, against its reference profile."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from risk.errors import MonitorError, SpecError
from risk.settings import FairnessSettings, MonitorSettings
from risk.text import listing, noun

from ._alerts import AlertPolicy
from ._drift import chunk_drift, missing_feature, prepare_feature
from ._estimate import estimate
from ._fairness import live_fairness
from ._profile import ReferenceProfile, reference_profile
from ._stats import bin_counts, js_distance, psi

__all__ = ["MonitorReport", "monitor"]

_EVERY = {"week": "1w", "month": "1mo"}


@dataclass
class MonitorReport:
    """What a monitoring run found: one entry per chunk (the ``monitor.json`` shape)."""

    model: str
    reference: dict[str, Any]
    chunks: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)

    @property
    def alerts(self) -> list[dict[str, Any]]:
        """Every alert of every chunk, in chunk order."""
        return [a for c in self.chunks for a in c.get("alerts", [])]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "model": self.model,
            "reference": self.reference,
            "settings": self.settings,
            "policy": self.policy,
            "chunks": self.chunks,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """``monitor.json``."""
        return json.dumps(self.to_dict(), indent=indent)


def monitor(
    bundle: Any,
    current: pl.DataFrame,
    *,
    settings: MonitorSettings | None = None,
    time: str | None = None,
    by: str | None = None,
    label: str | None = None,
    weight: str | None = None,
    groups: Sequence[str] = (),
    fairness: FairnessSettings | None = None,
    policy: AlertPolicy | None = None,
) -> MonitorReport:
    """Monitor ``current`` rows against the bundle's reference profile.

    Parameters
    ----------
    bundle
        The model version; its reference profile is the baseline.
    current
        The rows: every model feature (a missing one is reported and counted as drifted),
        and optionally ``margin`` (else the bundle scores them), ``flag`` (else the margin
        against the bundle's threshold), ``time``, ``label``, ``weight`` and ``groups``.
    settings
        Tests, thresholds, minimum chunk size, sample sizes.
    time, by
        Chunk by ``week`` or ``month`` of the ``time`` column; without ``by``, one chunk.
    label, weight
        Outcome (0/1, null where unknown) and its inverse review probability, for the
        realised figures beside the estimate.
    groups
        Protected attribute columns for live fairness.
    fairness
        Minimum group size, tolerance band and bootstrap of the live fairness.
    policy
        Alert rules (default: :data:`DEFAULT_RULES`).

    Raises
    ------
    MonitorError
        If the model has no reference profile, ``current`` has no rows, or a named
        column is absent.
    """
    settings = settings or MonitorSettings()
    fairness = fairness or FairnessSettings()
    policy = policy or AlertPolicy()
    profile = reference_profile(bundle)
    _check_input(bundle, current, time, by, label, weight, groups, policy)
    current = _with_scores(bundle, current)
    current, parts = _chunks(current, time, by)
    run = _Run(bundle, profile, settings, fairness, label, weight, list(groups))
    run.prepare(current)
    chunks = []
    for i, (start, end, rows) in enumerate(parts):
        chunk = run.chunk(i, start, end, current, rows)
        chunk["alerts"] = policy.check(chunk)
        chunks.append(chunk)
    return MonitorReport(
        model=bundle.version,
        reference={
            "rows": profile.rows,
            "start": profile.start,
            "end": profile.end,
            "flag_rate": profile.flag_rate,
            "score_mean": profile.score_mean,
            "estimate": profile.estimate,
        },
        chunks=chunks,
        settings=settings.model_dump(mode="json"),
        policy=policy.to_dict(),
    )


def _check_input(bundle, current, time, by, label, weight, groups, policy) -> None:
    if current.height == 0:
        raise MonitorError("the current data has no rows (an empty period?): nothing to monitor")
    for what, col in (("time", time), ("label", label), ("weight", weight)):
        if col is not None and col not in current.columns:
            raise MonitorError(f"the current data lacks the {what} column {col!r}")
    absent = [g for g in groups if g not in current.columns]
    if absent:
        raise MonitorError(
            f"the current data lacks the protected attribute {noun(len(absent), 'column')}"
            f" {listing(absent)}"
        )
    if by is not None and (by not in _EVERY or time is None):
        raise MonitorError(
            f"chunking by {by!r} needs a time column and one of {listing(_EVERY, conjunction='or')}"
        )
    for rule in policy.rules:
        if rule.feature is not None and rule.feature not in bundle.schema.names:
            raise SpecError(
                f"{policy.source}: rule {rule.name!r} names feature {rule.feature!r},"
                f" which model {bundle.version} lacks"
            )


def _with_scores(bundle: Any, current: pl.DataFrame) -> pl.DataFrame:
    if "margin" not in current.columns:
        scores = bundle.score(current)
        current = current.with_columns(pl.Series("margin", scores.margin))
    margin = current.get_column("margin").cast(pl.Float64).to_numpy()
    extra = [pl.Series("__prob", bundle.calibrator.predict(margin))]
    if "flag" not in current.columns:
        extra.append(pl.Series("flag", margin >= bundle.threshold_margin))
    return current.with_columns(extra)


def _chunks(frame: pl.DataFrame, time: str | None, by: str | None):
    """The frame (sorted by time when chunked) and its chunks as ``(start, end, rows)``."""
    if time is None:
        return frame, [(None, None, slice(0, frame.height))]
    t = frame.get_column(time)
    if t.dtype == pl.String:
        t = t.str.to_datetime(strict=False)
    if not isinstance(t.dtype, pl.Datetime | pl.Date):
        raise MonitorError(f"time column {time!r} holds {t.dtype}, not dates or datetimes")
    frame = frame.with_columns(t.cast(pl.Datetime).alias("__time"))
    if by is None:
        whole = slice(0, frame.height)
        return frame, [(_iso(frame["__time"].min()), _iso(frame["__time"].max()), whole)]
    every = _EVERY[by]
    frame = frame.sort("__time").with_columns(pl.col("__time").dt.truncate(every).alias("__chunk"))
    starts = frame["__chunk"]
    edges = np.flatnonzero(starts.ne_missing(starts.shift(1)).to_numpy()).tolist()
    bounds = [*edges, frame.height]
    out = []
    for lo, hi in itertools.pairwise(bounds):
        start = starts[lo]
        end = pl.Series([start]).dt.offset_by(every)[0]
        out.append((_iso(start), _iso(end), slice(lo, hi)))
    return frame, out


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


@dataclass
class _Run:
    bundle: Any
    profile: ReferenceProfile
    settings: MonitorSettings
    fairness: FairnessSettings
    label: str | None
    weight: str | None
    groups: list[str]
    prepared: dict[str, Any] = field(default_factory=dict)

    def prepare(self, frame: pl.DataFrame) -> None:
        """Convert every feature once; chunks then only slice arrays."""
        self.prepared = {
            name: prepare_feature(ref, frame.get_column(name))
            for name, ref in self.profile.features.items()
            if name in frame.columns
        }

    def chunk(
        self, i: int, start: Any, end: Any, frame: pl.DataFrame, rows: slice
    ) -> dict[str, Any]:
        n = rows.stop - rows.start
        out: dict[str, Any] = {"start": start, "end": end, "n": n}
        if n < self.settings.min_rows:
            out["status"] = "too few"
            out["why"] = f"{n} rows, fewer than the minimum {self.settings.min_rows}"
            return out
        part = frame[rows]
        out["status"] = "tested"
        out["features"] = self._features(rows)
        drifted = sum(f["drifted"] for f in out["features"].values())
        out["drift_share"] = drifted / len(out["features"])
        out["dataset_drift"] = out["drift_share"] >= self.settings.dataset_drift_share
        prob = part.get_column("__prob").to_numpy()
        flag = part.get_column("flag").cast(pl.Boolean).to_numpy()
        out["score"] = self._score(prob)
        out["flag_rate"] = float(flag.mean())
        out.update(self._attribution(i, part))
        out["estimate"] = self._estimate(part, prob, flag)
        out["fairness"] = live_fairness(
            part.select(self.groups),
            prob,
            flag,
            min_group_size=self.fairness.min_group_size,
            band=(self.fairness.ratio_low, self.fairness.ratio_high),
            n_boot=self.fairness.bootstrap,
            seed=self.fairness.seed,
        )
        return out

    def _features(self, rows: slice) -> dict[str, dict[str, Any]]:
        out = {}
        for name in self.profile.features:
            prepared = self.prepared.get(name)
            if prepared is None:
                out[name] = missing_feature()
            else:
                out[name] = chunk_drift(prepared, rows, self.profile.rows, self.settings)
        return out

    def _score(self, prob: np.ndarray) -> dict[str, Any]:
        edges = np.asarray(self.profile.score_edges, dtype=np.float64)
        counts = bin_counts(prob, edges)
        ref = np.asarray(self.profile.score_counts)
        return {
            "psi": psi(ref, counts, epsilon=self.settings.psi_epsilon),
            "js": js_distance(ref, counts),
            "mean": float(prob.mean()),
            "mean_reference": self.profile.score_mean,
        }

    def _attribution(self, i: int, part: pl.DataFrame) -> dict[str, Any]:
        """Mean SHAP now minus in the reference, per feature: sums to the margin shift."""
        names = self.bundle.schema.names
        if any(n not in part.columns for n in names):
            return {"attribution": None, "margin_shift": None, "attribution_rows": 0}
        rng = np.random.default_rng([self.settings.seed, i])
        idx = np.sort(rng.permutation(part.height)[: self.settings.attribution_rows])
        contrib = self.bundle.contributions(part[idx])
        now = contrib.mean(axis=0)
        diff = {n: float(now[j] - self.profile.features[n].mean_shap) for j, n in enumerate(names)}
        ranked = dict(sorted(diff.items(), key=lambda kv: -abs(kv[1])))
        shift = float(contrib.sum(axis=1).mean() - self.profile.margin_mean)
        return {"attribution": ranked, "margin_shift": shift, "attribution_rows": int(idx.size)}

    def _estimate(self, part: pl.DataFrame, prob: np.ndarray, flag: np.ndarray) -> dict[str, Any]:
        labels = weights = None
        if self.label is not None:
            labels = part.get_column(self.label).cast(pl.Float64).fill_null(np.nan).to_numpy()
        if self.weight is not None:
            weights = part.get_column(self.weight).cast(pl.Float64).fill_null(1.0).to_numpy()
        return estimate(prob, flag, labels=labels, weights=weights, seed=self.settings.seed)
