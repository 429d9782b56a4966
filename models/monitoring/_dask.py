"""The monitor of partitioned current data on Dask, with the single-machine figures.

Each worker summarises its partitions; the driver adds the summaries and builds every
figure with the code :func:`models.monitoring.monitor` uses, so the report is the same:

- combined from per-partition summaries: rows per chunk, bin counts against the
  reference's edges (features and score), category counts, the score's sum, flag
  counts, the sums behind the label-free estimate, and per group value the rows,
  flagged rows and probability sums of live fairness.  Counts are exact; sums differ
  from one machine's only in rounding (1e-12).
- brought to the driver one column at a time, because they need whole samples: a
  numeric feature's present values per chunk (Kolmogorov-Smirnov and Wasserstein go
  through scipy on the sorted values, as on one machine), the labelled rows' label,
  flag and weight (the bootstrap draws rows by position) and the SHAP contributions of
  the attribution sample (its rows are chosen by position in the chunk).

Positions follow one machine's row order (parts in path order, then stably by time),
which the driver learns from the time column alone.  So the driver holds the time
column and the row order (about 20 bytes a row), then one feature column at a time,
never the table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from risk.errors import DataFileError
from risk.settings import FairnessSettings, MonitorSettings
from risk.text import listing, noun

from ._alerts import AlertPolicy
from ._dask_parts import Job, column, contributions, present, summarise
from ._drift import categorical_drift, missing_feature, numeric_drift
from ._estimate import estimate_from_sums
from ._fairness import live_fairness_from_sums
from ._monitor import (
    MonitorReport,
    attribution_figures,
    attribution_sample,
    check_input,
    chunk_rows,
    make_report,
    score_figures,
    tested_chunk,
    untested_chunk,
)
from ._profile import ReferenceProfile, reference_profile

__all__ = ["monitor_dask"]

# per chunk: rows, sum of probabilities, then :func:`expected_sums` (flagged first)
_ROWS, _PROB, _EXPECTED = 0, 1, slice(2, 7)


@dataclass
class _Plan:
    """The chunks and where each row of the parts falls in one machine's order."""

    chunks: list[tuple[Any, Any, int, int]]  # start, end, first and last position
    order: np.ndarray  # global row at each position
    rank: np.ndarray  # position of each global row
    chunk_of: np.ndarray  # chunk of each global row
    offsets: np.ndarray  # first global row of each part, then the total
    # chunk of each row, per part: sent with each task (4 bytes a row), not scattered, so
    # a task lost with its worker can run again elsewhere
    ids: list[np.ndarray] = field(default_factory=list)


def monitor_dask(
    client: Any,
    bundle_path: str | Path,
    current: str | Path,
    *,
    bundle: Any = None,
    settings: MonitorSettings | None = None,
    time: str | None = None,
    by: str | None = None,
    label: str | None = None,
    weight: str | None = None,
    groups: list[str] | tuple[str, ...] = (),
    fairness: FairnessSettings | None = None,
    policy: AlertPolicy | None = None,
) -> MonitorReport:
    """:func:`models.monitoring.monitor` of a folder of Parquet parts, on Dask.

    Parameters
    ----------
    client
        A ``distributed.Client``.
    bundle_path
        The model bundle's folder; every worker loads it from there (shared storage).
    current
        A folder of Parquet parts (or one Parquet file) with the columns ``monitor``
        reads; empty parts are skipped.
    bundle
        The loaded bundle, if the caller replaced its reference profile (default: loaded
        from ``bundle_path``).
    settings, time, by, label, weight, groups, fairness, policy
        As :func:`models.monitoring.monitor`.

    Raises
    ------
    DataFileError
        ``current`` is not Parquet, or a part lacks a column that other parts hold
        (the part and the column are named).
    MonitorError
        As :func:`models.monitoring.monitor`.
    EngineError
        A task lost with its worker too many times.
    """
    from models._load import load_bundle

    settings = settings or MonitorSettings()
    fairness = fairness or FairnessSettings()
    policy = policy or AlertPolicy()
    bundle = bundle if bundle is not None else load_bundle(bundle_path)
    profile = reference_profile(bundle)
    wanted = [*profile.features, "margin", "flag", time, label, weight, *groups]
    parts, rows, columns = _layout(Path(current), [c for c in wanted if c is not None])
    check_input(bundle, columns, int(rows.sum()), time, by, label, weight, groups, policy)
    plan = _plan(client, parts, rows, time, by)
    job = _job(str(bundle_path), profile, columns, len(plan.chunks), label, weight, groups)
    run = _DaskRun(client, parts, plan, job, profile, settings)
    return make_report(bundle, profile, run.chunks(bundle, fairness), settings, policy)


def _layout(path: Path, wanted: list[str]) -> tuple[list[Path], np.ndarray, list[str]]:
    """The parts, their row counts (from the footers) and the wanted columns they hold.

    A column some non-empty parts hold and another lacks is an error naming that part.
    """
    import pyarrow.parquet as pq

    from risk.io import is_partitioned, partition_files

    if is_partitioned(path):
        parts = partition_files(path)
    elif path.is_file() and path.suffix.lower() in {".parquet", ".pq"}:
        parts = [path]
    else:
        raise DataFileError(
            f"{path}: the Dask engine reads Parquet (a folder of parts or one .parquet file);"
            " this is not one (read CSV with the polars engine)"
        )
    rows, held = [], []
    for part in parts:
        try:
            meta = pq.read_metadata(part)
        except OSError as exc:
            raise DataFileError(f"cannot read Parquet part {part}: {exc}") from exc
        rows.append(meta.num_rows)
        held.append(set(meta.schema.names))
    full = [h for h, n in zip(held, rows, strict=True) if n] or held
    union = set().union(*full)
    columns = [c for c in dict.fromkeys(wanted) if c in union]
    for part, have, n in zip(parts, held, rows, strict=True):
        lacks = [c for c in columns if c not in have]
        if n and lacks:
            raise DataFileError(
                f"{part} lacks the {noun(len(lacks), 'column')} {listing(lacks)}, which"
                f" other parts of {path} hold",
                detail={"part": str(part), "columns": lacks},
            )
    return parts, np.asarray(rows, dtype=np.int64), columns


def _plan(client: Any, parts: list[Path], rows: np.ndarray, time: str | None, by: str | None):
    """Chunks and row positions as one machine finds them (from the time column alone)."""
    from risk.engine import gather

    total = int(rows.sum())
    offsets = np.concatenate([[0], np.cumsum(rows)])
    if time is None:
        order = np.arange(total)
        chunks = [(None, None, 0, total)]
    else:
        # empty parts hold no time (and may lack the column)
        futures = [client.submit(column, str(p), time, pure=False)
                   for p, n in zip(parts, rows, strict=True) if n]  # fmt: skip
        times = gather(client, futures, what=f"the time column of {len(parts)} partitions")
        _same_dtype([p for p, n in zip(parts, rows, strict=True) if n], times)
        frame = pl.DataFrame([pl.concat(times), pl.Series("__row", np.arange(total))])
        frame, found = chunk_rows(frame, time, by)
        order = frame.get_column("__row").to_numpy()
        del frame
        chunks = [(s, e, sl.start, sl.stop) for s, e, sl in found]
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)
    chunk_of = np.empty(total, dtype=np.int32)
    for c, (_, _, lo, hi) in enumerate(chunks):
        chunk_of[order[lo:hi]] = c
    plan = _Plan(chunks, order, rank, chunk_of, offsets)
    pieces = [chunk_of[offsets[k] : offsets[k + 1]] for k in range(len(parts))]
    plan.ids = pieces
    return plan


def _same_dtype(parts: list[Path], times: list[pl.Series]) -> None:
    """Refuse time columns of different types, naming the first part that differs."""
    for part, t in zip(parts[1:], times[1:], strict=True):
        if t.dtype != times[0].dtype:
            raise DataFileError(
                f"{part}: time column {t.name!r} holds {t.dtype}, but {parts[0]} holds"
                f" {times[0].dtype}",
                detail={"part": str(part), "column": t.name},
            )


def _job(bundle, profile: ReferenceProfile, columns, chunks, label, weight, groups) -> Job:
    numeric = {n: f.edges for n, f in profile.features.items()
               if f.treated_as == "numeric" and n in columns}  # fmt: skip
    categorical = {n: f.kind for n, f in profile.features.items()
                   if f.treated_as != "numeric" and n in columns}  # fmt: skip
    return Job(bundle, columns, numeric, categorical, profile.score_edges, chunks, label,
               weight, list(groups))  # fmt: skip


def _sorted_sums(by_value: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    names = sorted(by_value)
    return names, np.array([by_value[n] for n in names], dtype=np.float64).reshape(-1, 4)


@dataclass
class _DaskRun:
    client: Any
    parts: list[Path]
    plan: _Plan
    job: Job
    profile: ReferenceProfile
    settings: MonitorSettings

    def _gather(self, futures: list[Any], what: str) -> list[Any]:
        from risk.engine import gather

        return gather(self.client, futures, what=f"{what} of {len(self.parts)} partitions")

    def _nonempty(self) -> list[int]:
        return [
            k for k in range(len(self.parts)) if self.plan.offsets[k + 1] > self.plan.offsets[k]
        ]

    def chunks(self, bundle: Any, fairness: FairnessSettings) -> list[dict[str, Any]]:
        """Every chunk's entry, as :func:`models.monitoring.monitor` makes it."""
        settings, profile = self.settings, self.profile
        summaries = self.summaries()
        chunks = []
        for start, end, lo, hi in self.plan.chunks:
            chunk = untested_chunk(start, end, hi - lo, settings)
            chunks.append(
                chunk if chunk is not None else {"start": start, "end": end, "n": hi - lo}
            )
        tested = [i for i, c in enumerate(chunks) if "status" not in c]
        features = self.features(summaries, tested)
        attribution = self.attribution(bundle, tested)
        labelled = self.labelled(summaries, tested) if self.job.label is not None else {}
        band = (fairness.ratio_low, fairness.ratio_high)
        for i in tested:
            sums = summaries["sums"][i]
            fair = {a: _sorted_sums(summaries["groups"][a][i]) for a in self.job.groups}
            mean = float(sums[_PROB] / sums[_ROWS])
            chunks[i] = tested_chunk(
                (chunks[i]["start"], chunks[i]["end"], chunks[i]["n"]),
                features=features[i],
                score=score_figures(profile, summaries["score"][i], mean, settings),
                flag_rate=float(sums[_EXPECTED][0] / sums[_ROWS]),
                attribution=attribution_figures(bundle, profile, attribution.get(i)),
                estimate=estimate_from_sums(sums[_EXPECTED], labelled.get(i), seed=settings.seed),
                fairness=live_fairness_from_sums(
                    fair,
                    min_group_size=fairness.min_group_size,
                    band=band,
                    n_boot=fairness.bootstrap,
                    seed=fairness.seed,
                ),
                settings=settings,
            )
        return chunks

    def summaries(self) -> dict[str, Any]:
        """Every part's summary added up per chunk."""
        keep = self._nonempty()
        futures = [self.client.submit(summarise, str(self.parts[k]), self.plan.ids[k],
                                      int(self.plan.offsets[k]), self.job, pure=False)
                   for k in keep]  # fmt: skip
        k = self.job.chunks
        out: dict[str, Any] = {
            "sums": [np.zeros(7) for _ in range(k)],
            "score": [np.zeros(len(self.job.score_edges) + 2, dtype=np.int64) for _ in range(k)],
            "numeric": {n: [0] * k for n in self.job.numeric},
            "categorical": {n: [Counter() for _ in range(k)] for n in self.job.categorical},
            "groups": {a: [{} for _ in range(k)] for a in self.job.groups},
            "labelled": [],
        }
        for summary in self._gather(futures, "monitoring summaries"):
            for c, s in summary["chunks"].items():
                _add(out, c, s)
            if summary["labelled"] is not None:
                out["labelled"].append(summary["labelled"])
        return out

    def features(self, summaries: dict[str, Any], tested: list[int]) -> dict[int, dict]:
        """Each tested chunk's drift per feature; numeric values gathered one feature at a time."""
        out: dict[int, dict] = {i: {} for i in tested}
        rows = self.profile.rows
        for name, ref in self.profile.features.items():
            if name in self.job.numeric and tested:
                present = self._present(name, tested)
                for i in tested:
                    counts = summaries["numeric"][name][i]
                    out[i][name] = numeric_drift(ref, counts, present[i], rows, self.settings)
            elif name in self.job.categorical:
                per_chunk = summaries["categorical"][name]
                known = list(ref.categories or [])
                seen = set().union(*per_chunk)
                cats = known + sorted(c for c in seen if c not in set(known))
                padded = np.array([*ref.counts, *[0] * (len(cats) - len(ref.counts))], np.int64)
                for i in tested:
                    counts = np.array([per_chunk[i].get(c, 0) for c in cats], dtype=np.int64)
                    out[i][name] = categorical_drift(ref, padded, counts, rows, self.settings)
            else:
                for i in tested:
                    out[i][name] = missing_feature()
        return out

    def _present(self, name: str, tested: list[int]) -> dict[int, np.ndarray]:
        keep = self._nonempty()
        futures = [self.client.submit(present, str(self.parts[k]), name, self.plan.ids[k],
                                      tested, pure=False) for k in keep]  # fmt: skip
        pieces = self._gather(futures, f"the values of {name!r}")
        return {i: np.sort(np.concatenate([p[i] for p in pieces])) for i in tested}

    def attribution(self, bundle: Any, tested: list[int]) -> dict[int, np.ndarray]:
        """The contributions of each tested chunk's attribution sample, in position order."""
        if not tested or any(n not in self.job.columns for n in bundle.schema.names):
            return {}
        want = []
        for i in tested:
            _, _, lo, hi = self.plan.chunks[i]
            want.append(self.plan.order[lo + attribution_sample(hi - lo, i, self.settings)])
        matrix = contributions_of(
            self.client, self.parts, self.plan.offsets, self.job.bundle, np.concatenate(want)
        )
        ends = np.cumsum([w.size for w in want])
        return dict(zip(tested, np.split(matrix, ends[:-1]), strict=True))

    def labelled(self, summaries: dict[str, Any], tested: list[int]) -> dict[int, tuple]:
        """Label, flag and weight of each tested chunk's labelled rows, in position order."""
        pieces = summaries["labelled"]
        rows = np.concatenate([p[0] for p in pieces]) if pieces else np.empty(0, np.int64)
        cols = [np.concatenate([p[j] for p in pieces]) if pieces else np.empty(0)
                for j in (1, 2, 3)]  # fmt: skip
        order = np.argsort(self.plan.rank[rows], kind="stable")
        rows, cols = rows[order], [c[order] for c in cols]
        chunk = self.plan.chunk_of[rows]
        return {i: (cols[0][chunk == i], cols[1][chunk == i].astype(bool), cols[2][chunk == i])
                for i in tested}  # fmt: skip


def contributions_of(
    client: Any, parts: list[Path], offsets: np.ndarray, bundle: str, rows: np.ndarray
) -> np.ndarray:
    """SHAP contributions of the global ``rows`` (any order, no repeats), in that order.

    Each part is asked once for its rows; the driver holds only the asked rows' values.
    """
    from risk.engine import gather

    part_of = np.searchsorted(offsets, rows, side="right") - 1
    asked = {k: np.unique(rows[part_of == k] - offsets[k]) for k in np.unique(part_of).tolist()}
    futures = [client.submit(contributions, str(parts[k]), local, bundle, pure=False)
               for k, local in asked.items()]  # fmt: skip
    got = dict(zip(asked, gather(client, futures, what="SHAP contributions"), strict=True))
    out = np.empty((rows.size, next(iter(got.values())).shape[1]))
    for k, local in asked.items():
        mine = part_of == k
        out[mine] = got[k][np.searchsorted(local, rows[mine] - offsets[k])]
    return out


def _add(out: dict[str, Any], c: int, s: dict[str, Any]) -> None:
    """Add one part's summary of chunk ``c`` to the running totals."""
    out["sums"][c] = out["sums"][c] + s["sums"]
    out["score"][c] = out["score"][c] + s["score"]
    for n, counts in s["numeric"].items():
        out["numeric"][n][c] = out["numeric"][n][c] + counts
    for n, counts in s["categorical"].items():
        out["categorical"][n][c].update(counts)
    for a, (names, sums) in s["groups"].items():
        acc = out["groups"][a][c]
        for name, row in zip(names, sums, strict=True):
            acc[name] = acc[name] + row if name in acc else row
