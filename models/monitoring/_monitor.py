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
    check_input(bundle, current.columns, current.height, time, by, label, weight, groups, policy)
    current = _with_scores(bundle, current)
    current, parts = chunk_rows(current, time, by)
    run = _Run(bundle, profile, settings, fairness, label, weight, list(groups))
    run.prepare(current)
    chunks = [run.chunk(i, start, end, current, rows) for i, (start, end, rows) in enumerate(parts)]
    return make_report(bundle, profile, chunks, settings, policy)


def make_report(
    bundle: Any,
    profile: ReferenceProfile,
    chunks: list[dict[str, Any]],
    settings: MonitorSettings,
    policy: AlertPolicy,
) -> MonitorReport:
    """The report of monitored chunks, each checked against the alert rules."""
    for chunk in chunks:
        chunk["alerts"] = policy.check(chunk)
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


def check_input(bundle, columns, height, time, by, label, weight, groups, policy) -> None:
    """Refuse what cannot be monitored: no rows, a named column absent, a bad rule."""
    if height == 0:
        raise MonitorError("the current data has no rows (an empty period?): nothing to monitor")
    for what, col in (("time", time), ("label", label), ("weight", weight)):
        if col is not None and col not in columns:
            raise MonitorError(f"the current data lacks the {what} column {col!r}")
    absent = [g for g in groups if g not in columns]
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


def chunk_rows(frame: pl.DataFrame, time: str | None, by: str | None):
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
    # a stable sort: rows of the same time keep their order (the attribution sample and
    # the bootstrap draw rows by position, so the order must not depend on threads)
    frame = frame.sort("__time", maintain_order=True).with_columns(
        pl.col("__time").dt.truncate(every).alias("__chunk")
    )
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
        out = untested_chunk(start, end, n, self.settings)
        if out is not None:
            return out
        part = frame[rows]
        prob = part.get_column("__prob").to_numpy()
        flag = part.get_column("flag").cast(pl.Boolean).to_numpy()
        edges = np.asarray(self.profile.score_edges, dtype=np.float64)
        fairness = live_fairness(
            part.select(self.groups),
            prob,
            flag,
            min_group_size=self.fairness.min_group_size,
            band=(self.fairness.ratio_low, self.fairness.ratio_high),
            n_boot=self.fairness.bootstrap,
            seed=self.fairness.seed,
        )
        return tested_chunk(
            (start, end, n),
            features=self._features(rows),
            score=score_figures(
                self.profile, bin_counts(prob, edges), float(prob.mean()), self.settings
            ),
            flag_rate=float(flag.mean()),
            attribution=self._attribution(i, part),
            estimate=self._estimate(part, prob, flag),
            fairness=fairness,
            settings=self.settings,
        )

    def _features(self, rows: slice) -> dict[str, dict[str, Any]]:
        out = {}
        for name in self.profile.features:
            prepared = self.prepared.get(name)
            if prepared is None:
                out[name] = missing_feature()
            else:
                out[name] = chunk_drift(prepared, rows, self.profile.rows, self.settings)
        return out

    def _attribution(self, i: int, part: pl.DataFrame) -> dict[str, Any]:
        names = self.bundle.schema.names
        if any(n not in part.columns for n in names):
            return attribution_figures(self.bundle, self.profile, None)
        idx = attribution_sample(part.height, i, self.settings)
        return attribution_figures(self.bundle, self.profile, self.bundle.contributions(part[idx]))

    def _estimate(self, part: pl.DataFrame, prob: np.ndarray, flag: np.ndarray) -> dict[str, Any]:
        labels = weights = None
        if self.label is not None:
            labels = part.get_column(self.label).cast(pl.Float64).fill_null(np.nan).to_numpy()
        if self.weight is not None:
            weights = part.get_column(self.weight).cast(pl.Float64).fill_null(1.0).to_numpy()
        return estimate(prob, flag, labels=labels, weights=weights, seed=self.settings.seed)


def untested_chunk(start: Any, end: Any, n: int, settings: MonitorSettings) -> dict | None:
    """The entry of a chunk too small to test, or ``None`` if it is tested."""
    if n >= settings.min_rows:
        return None
    why = f"{n} rows, fewer than the minimum {settings.min_rows}"
    return {"start": start, "end": end, "n": n, "status": "too few", "why": why}


def tested_chunk(
    when: tuple[Any, Any, int], *, features: dict[str, dict[str, Any]], score: dict[str, Any],
    flag_rate: float, attribution: dict[str, Any], estimate: dict[str, Any],
    fairness: dict[str, Any], settings: MonitorSettings,
) -> dict[str, Any]:  # fmt: skip
    """A tested chunk's entry (the ``monitor.json`` shape) from its figures."""
    start, end, n = when
    out: dict[str, Any] = {"start": start, "end": end, "n": n, "status": "tested"}
    out["features"] = features
    drifted = sum(f["drifted"] for f in features.values())
    out["drift_share"] = drifted / len(features)
    out["dataset_drift"] = out["drift_share"] >= settings.dataset_drift_share
    out["score"] = score
    out["flag_rate"] = flag_rate
    out.update(attribution)
    out["estimate"] = estimate
    out["fairness"] = fairness
    return out


def score_figures(
    profile: ReferenceProfile, counts: np.ndarray, mean: float, settings: MonitorSettings
) -> dict[str, Any]:
    """The score's shift: PSI and Jensen-Shannon over the reference's score bins, the mean."""
    ref = np.asarray(profile.score_counts)
    return {
        "psi": psi(ref, counts, epsilon=settings.psi_epsilon),
        "js": js_distance(ref, counts),
        "mean": mean,
        "mean_reference": profile.score_mean,
    }


def attribution_sample(n: int, i: int, settings: MonitorSettings) -> np.ndarray:
    """Positions (sorted) of the rows of chunk ``i`` (of ``n`` rows) whose SHAP is computed."""
    rng = np.random.default_rng([settings.seed, i])
    return np.sort(rng.permutation(n)[: settings.attribution_rows])


def attribution_figures(
    bundle: Any, profile: ReferenceProfile, contrib: np.ndarray | None
) -> dict[str, Any]:
    """Mean SHAP now minus in the reference, per feature: sums to the margin shift.

    ``contrib`` holds the contributions of the sampled rows in their order (``None``: a
    model feature is absent, so nothing is attributed).
    """
    if contrib is None:
        return {"attribution": None, "margin_shift": None, "attribution_rows": 0}
    names = bundle.schema.names
    now = contrib.mean(axis=0)
    diff = {n: float(now[j] - profile.features[n].mean_shap) for j, n in enumerate(names)}
    ranked = dict(sorted(diff.items(), key=lambda kv: -abs(kv[1])))
    shift = float(contrib.sum(axis=1).mean() - profile.margin_mean)
    return {"attribution": ranked, "margin_shift": shift, "attribution_rows": len(contrib)}
