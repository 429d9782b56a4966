"""Training a world's model on Dask, the training split kept on the workers.

Each partition of the features (the folder ``risk features --engine dask`` wrote, or
features computed on the cluster for this run) is labelled on a worker by the
single-machine code (:func:`models._world.label_rows`), reading only its applications'
outcomes, protected attributes and truth.  Then, as :func:`models._core.fit_prepared`
does on one machine:

- **split**: the driver gathers the submission times (of the weighted rows under
  ``reviewed-ipw``), cuts them by :func:`models._split.split_instants` and every
  partition is split by the same two instants;
- **encoding**: the categories of an undeclared categorical feature are the distinct
  values each partition's training rows hold, united on the driver
  (:meth:`FeatureSchema.from_seen`: the codes :meth:`FeatureSchema.learn` gives);
- **blocks**: the training rows are numbered in world order and row ``g`` goes to the
  ``g mod n``-th worker (sorted addresses), each block assembled on its worker from the
  partitions' pieces: the blocks, hence the trees, are those of dealing the gathered
  rows, and every worker holds a sample of the whole period;
- the validation and test splits come to the driver, which picks the best prefix of
  trees, calibrates, sets the capacity threshold, evaluates, explains and bundles them
  with :func:`models._core.finish_fit`.

What the driver holds: the two splits it needs (by default 40% of the rows, each with
its feature columns, labels and protected attributes, and encoded as float64), the
submission times of every row (8 bytes a row) while it cuts them, the labels and
splits of every row (2 bytes a row) and one partition's encoded rows at a time while
it fingerprints the data: the two splits are about 0.21 GiB per million applications
(180 bytes of frame and 376 encoded per held row), and the one-machine finishing code
adds its working copies.  ``benchmarks/bench_dask_train_memory.py`` measured the driver's
peak at about 0.3 GiB plus 0.79 GiB per million applications (0.67 GiB at 400,000),
against 1.53 GiB per million when the features were gathered (``docs/scale.md``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from models._core import TrainResult, check_labelled, finish_fit
from models._dask_train import DaskRiskModel
from models._model import Progress
from models._schema import FeatureSchema, seen_categories, undeclared
from models._split import SPLITS, split_expr, split_instants
from risk.errors import DataContractError, DataFileError
from risk.settings import Settings

__all__ = ["train_world_dask"]

_TIME = "submitted_at"


@dataclass(frozen=True)
class _Plan:
    """What every partition's tasks need to know (sent with each task)."""

    data_dir: str
    cutoff: Any
    present: list[str]
    weighted: bool
    kinds: dict[str, str]
    undeclared: list[str]


def train_world_dask(
    client: Any,
    data_dir: Any,
    *,
    features: Path | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    labels: str | None = None,
) -> TrainResult:
    """:func:`models.train_world` on a Dask cluster, the training rows on the workers.

    Parameters
    ----------
    client
        A ``distributed.Client``.
    data_dir
        The world (contract tables, files or partitioned folders).
    features
        The folder ``risk features --engine dask`` wrote for this world (one part per
        partition of the applications); default: compute the features on the cluster.
    settings, progress, labels
        As for :func:`models.train_world`.

    Raises
    ------
    DataFileError
        If ``features`` lacks a partition of the applications, or a part's rows differ.
    """
    from features import catalogue
    from models._labels import choose_label_policy, reviewed_ipw_labels
    from models._world import _cutoff
    from risk.contract import protected_columns
    from risk.io import load_tables
    from risk.settings import get_settings

    settings = settings or get_settings()
    note = progress or (lambda stage, frac: None)
    data_dir = Path(data_dir)
    policy = choose_label_policy(data_dir, labels)
    tables = load_tables(data_dir)
    names = tables.applications.collect_schema().names()
    cat = catalogue()
    kinds = {s.name: s.kind for s in cat.specs}
    declared = {s.name: list(s.categories) for s in cat.specs if s.categories}
    plan = _Plan(
        str(data_dir), _cutoff(tables, settings),
        [c for c in sorted(protected_columns(settings.protected.columns)) if c in names],
        policy != "naive", kinds, undeclared(kinds, declared),
    )  # fmt: skip
    reviewed = None if policy == "naive" else client.scatter(reviewed_ipw_labels(data_dir),
                                                             broadcast=True)  # fmt: skip
    note("features on Dask", 0.0)
    parts = _feature_parts(client, data_dir, features, settings)
    job = _Job(client, [client.submit(_label, f, plan, reviewed, n, pure=False)
                        for n, f in parts], plan)  # fmt: skip
    note("splitting on Dask", 0.0)
    t1, t2 = job.instants(settings)
    summary = job.summarise(t1, t2)
    schema = FeatureSchema.from_seen(kinds, declared, summary["seen"])
    job.encode(schema, t1, t2)
    result = _fit(job, summary, schema, policy, settings, note)
    result.bundle.meta["engine"] = {"name": "dask", "workers": len(job.workers),
                                    "partitions": len(parts)}  # fmt: skip
    return result


def _feature_parts(client: Any, data_dir: Path, folder: Path | None, settings: Settings):
    """``(name, future of the features)`` per partition of the applications, in order."""
    from features._dask import feature_partitions, input_slices, path_slices

    if folder is None:
        return [(s.name, f) for s, f in feature_partitions(client, data_dir, settings)]
    apps = input_slices(data_dir, "applications", settings.engine.partition_rows)
    found = {s.name: s for s in path_slices(Path(folder), 2**62)}
    extra = sorted(set(found) - {s.name for s in apps})
    missing = [s.name for s in apps if s.name not in found]
    if missing or extra:
        raise DataFileError(
            f"{folder}: the feature parts do not match the partitions of {data_dir}/applications"
            f" (no part for {missing[:3]}, parts of no partition {extra[:3]}); write them with"
            " `risk features --engine dask` for this world and the same"
            " RISK_ENGINE__PARTITION_ROWS"
        )
    return [(s.name, client.submit(_read_part, found[s.name].file, s, pure=False)) for s in apps]


def _read_part(file: str, piece: Any) -> pl.DataFrame:
    """A feature part, checked against its partition of the applications by id."""
    frame = pl.read_parquet(file)
    ids = piece.read("applications").get_column("application_id")
    if not frame.get_column("application_id").equals(ids):
        raise DataFileError(
            f"{file}: its applications differ from partition {piece.name} of {piece.root}"
            f" ({frame.height} rows, the partition {ids.len()}); the features are of another"
            " world or an older version of it: write them again"
        )
    return frame


def _label(features: pl.DataFrame, plan: _Plan, reviewed: Any, name: str) -> pl.DataFrame:
    """A partition's features labelled as on one machine (its applications' rows only)."""
    from models._world import WorldSources, _truth_table, label_rows
    from risk.io import scan_table

    ids = features.select("application_id").lazy()
    data_dir = Path(plan.data_dir)

    def mine(table: pl.LazyFrame | None) -> pl.LazyFrame | None:
        return None if table is None else table.join(ids, on="application_id", how="semi")

    sources = WorldSources(mine(scan_table(data_dir, "outcomes")),
                           mine(scan_table(data_dir, "applications")),
                           mine(_truth_table(data_dir)))  # fmt: skip
    frame = label_rows(features, sources, plan.cutoff, plan.present, reviewed)
    col = frame.get_column(_TIME)
    if col.null_count():
        row = int(col.is_null().arg_true()[0]) + 1
        raise DataContractError(
            f"partition {name}: column {_TIME!r} row {row} is missing; the split needs every time"
        )
    return frame


def _times(frame: pl.DataFrame, weighted: bool) -> pl.Series:
    if weighted:
        frame = frame.filter(pl.col("__weight") > 0)
    return frame.get_column(_TIME)


def _summary(frame: pl.DataFrame, t1: Any, t2: Any, plan: _Plan) -> dict[str, Any]:
    """Per split: rows, positives, first and last time, weighted rows; categories seen."""
    frame = frame.with_columns(split_expr(_TIME, t1, t2))
    out: dict[str, Any] = {}
    for s in SPLITS:
        rows = frame.filter(pl.col("split") == s)
        t = rows.get_column(_TIME)
        weighted = int((rows["__weight"] > 0).sum()) if plan.weighted else rows.height
        out[s] = {"rows": rows.height, "positives": int(rows["label"].cast(pl.Int64).sum()),
                  "time_min": t.min(), "time_max": t.max(), "weighted": weighted}  # fmt: skip
    train = frame.filter(pl.col("split") == "train")
    out["seen"] = {n: seen_categories(train.get_column(n)) for n in plan.undeclared}
    out["weights"] = (frame.filter(pl.col("__weight") > 0)["__weight"].to_numpy()
                      if plan.weighted else None)  # fmt: skip
    return out


def _encode(frame: pl.DataFrame, schema: FeatureSchema, t1: Any, t2: Any) -> dict[str, Any]:
    split = frame.select(split_expr(_TIME, t1, t2)).get_column("split").to_numpy()
    weights = frame["__weight"].to_numpy() if "__weight" in frame.columns else None
    return {"X": schema.encode(frame), "y": frame["label"].to_numpy().astype(np.int8),
            "w": weights, "split": split}  # fmt: skip


def _x_bytes(enc: dict[str, Any]) -> bytes:
    return np.ascontiguousarray(enc["X"]).tobytes()


def _y_split(enc: dict[str, Any]) -> tuple[bytes, bytes]:
    y = np.ascontiguousarray(enc["y"], dtype=np.int8).tobytes()
    return y, "".join(s[0] for s in enc["split"].tolist()).encode()


def _held(frame: pl.DataFrame, enc: dict[str, Any]) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """The validation and test rows (frame, encoded, split), for the driver."""
    keep = enc["split"] != "train"
    return frame.filter(pl.Series(keep)), enc["X"][keep], enc["split"][keep]


def _deal(enc: dict[str, Any], offset: int, workers: int) -> list[tuple]:
    """A partition's training rows cut by worker: global row ``offset + r`` to worker
    ``(offset + r) mod workers``."""
    train = enc["split"] == "train"
    X, y = enc["X"][train], enc["y"][train]
    w = None if enc["w"] is None else enc["w"][train]
    out = []
    for i in range(workers):
        rows = slice((i - offset) % workers, None, workers)
        out.append((X[rows], y[rows], None if w is None else w[rows]))
    return out


def _piece(dealt: list[tuple], i: int) -> tuple:
    return dealt[i]


def _block(k: int, *pieces: tuple) -> np.ndarray:
    """A worker's block of item ``k`` (0 features, 1 labels, 2 weights) from its pieces."""
    return np.ascontiguousarray(np.concatenate([p[k] for p in pieces]))


class _Job:
    """The labelled partitions (futures, in world order) and what is done with them."""

    def __init__(self, client: Any, labelled: list[Any], plan: _Plan) -> None:
        self.client, self.labelled, self.plan = client, labelled, plan
        self.workers = sorted(client.scheduler_info()["workers"])
        self.encoded: list[Any] = []
        self.basis = 0

    def gather(self, futures: list[Any], what: str) -> list[Any]:
        from risk.engine import gather

        return gather(self.client, futures, what=f"training: {what}")

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def instants(self, settings: Settings) -> tuple[Any, Any]:
        """The split's two instants, from every row's time (the weighted rows' when weighted)."""
        weighted = self.plan.weighted
        times = self.gather([self.submit(_times, f, weighted) for f in self.labelled],
                            "submission times")  # fmt: skip
        times = pl.concat(times)
        if weighted and times.len() < len(SPLITS):
            raise DataContractError(
                f"only {times.len()} weighted rows: a time split needs at least one per split"
            )
        self.basis = times.len()
        return split_instants(times, settings.split)

    def summarise(self, t1: Any, t2: Any) -> dict[str, Any]:
        """Rows, positives and times per split; categories seen in training; weights."""
        plan = self.plan
        parts = self.gather([self.submit(_summary, f, t1, t2, plan) for f in self.labelled],
                            "split summaries")  # fmt: skip
        out: dict[str, Any] = {"splits": {}, "train_rows": [p["train"]["rows"] for p in parts],
                               "held_rows": [p["valid"]["rows"] + p["test"]["rows"]
                                             for p in parts]}  # fmt: skip
        for s in SPLITS:
            mine = [p[s] for p in parts]
            mins = [m["time_min"] for m in mine if m["time_min"] is not None]
            maxs = [m["time_max"] for m in mine if m["time_max"] is not None]
            out["splits"][s] = {"rows": sum(m["rows"] for m in mine),
                                "positives": sum(m["positives"] for m in mine),
                                "time_min": str(min(mins)) if mins else "None",
                                "time_max": str(max(maxs)) if maxs else "None"}  # fmt: skip
        counted = {s: sum(p[s]["weighted"] for p in parts) for s in SPLITS}
        if min(counted.values()) == 0:
            suffix = f" (of the {self.basis} weighted rows)" if plan.weighted else ""
            raise DataContractError(f"column {_TIME!r} is too coarse for a time split: got"
                                    f" {counted} rows per split{suffix}")  # fmt: skip
        if plan.weighted:
            check_labelled(counted["train"], counted["valid"])
            used = np.concatenate([p["weights"] for p in parts])
            zeros = sum(p[s]["rows"] for p in parts for s in SPLITS) - used.size
            out["weights"] = np.concatenate([used, np.zeros(zeros)])
        out["seen"] = {n: pl.concat([p["seen"][n] for p in parts]) for n in plan.undeclared}
        return out

    def encode(self, schema: FeatureSchema, t1: Any, t2: Any) -> None:
        self.encoded = [self.submit(_encode, f, schema, t1, t2) for f in self.labelled]

    def fingerprint(self) -> str:
        """:func:`models._core._fingerprint` of every row, one partition at a time."""
        h = hashlib.sha256()
        for enc in self.encoded:
            h.update(self.gather([self.submit(_x_bytes, enc)], "fingerprint")[0])
        ys = self.gather([self.submit(_y_split, e) for e in self.encoded], "fingerprint")
        for y, _ in ys:
            h.update(y)
        for _, split in ys:
            h.update(split)
        return h.hexdigest()

    def held(self, rows: list[int]) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
        """The validation and test rows of every partition (``rows`` each), in order.

        Each partition's rows are copied into place as they arrive, and the frames are
        joined without copying, so the driver holds them once.
        """
        from distributed import as_completed

        futures = [self.submit(_held, f, e) for f, e in
                   zip(self.labelled, self.encoded, strict=True)]  # fmt: skip
        starts = np.concatenate([[0], np.cumsum(rows)]).astype(int)
        X = np.empty((int(starts[-1]), len(self.plan.kinds)), dtype=np.float64)
        frames: list[Any] = [None] * len(futures)
        splits: list[Any] = [None] * len(futures)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            i = index[future.key]
            frames[i], part, splits[i] = self.gather([future], "validation and test")[0]
            X[starts[i] : starts[i + 1]] = part
            del part
        frame = pl.concat(frames, how="vertical", rechunk=False)
        return frame, X, np.concatenate(splits)

    def blocks(self, train_rows: list[int]) -> tuple[Any, Any, Any]:
        """The training rows as dask arrays, chunk ``i`` built on (and held by) worker ``i``."""
        import dask.array as da

        n = len(self.workers)
        offsets = np.concatenate([[0], np.cumsum(train_rows)[:-1]]).tolist()
        dealt = [self.submit(_deal, e, int(o), n) for e, o in
                 zip(self.encoded, offsets, strict=True)]  # fmt: skip
        pieces = [[self.submit(_piece, d, i) for d in dealt] for i in range(n)]
        sizes = [len(range(i, sum(train_rows), n)) for i in range(n)]
        width = len(self.plan.kinds)
        arrays: list[Any] = []
        for k, dtype in enumerate((np.float64, np.int8, np.float64)):
            if k == 2 and not self.plan.weighted:
                arrays.append(None)
                continue
            chunks = []
            for i, worker in enumerate(self.workers):
                block = self.submit(_block, k, *pieces[i], workers=[worker],
                                    allow_other_workers=False)  # fmt: skip
                shape = (sizes[i], width) if k == 0 else (sizes[i],)
                chunks.append(da.from_delayed(block, shape=shape, dtype=dtype))
            arrays.append(da.concatenate(chunks))
        return tuple(arrays)


def _fit(job: _Job, summary: dict[str, Any], schema: FeatureSchema, policy: str,
         settings: Settings, note: Progress) -> TrainResult:  # fmt: skip
    """Grow the trees on the workers' blocks; finish on the driver's two splits."""
    from models._labels import weight_summary
    from models._world import world_prepared

    plan = job.plan
    data, label, weight = job.blocks(summary["train_rows"])
    fingerprint = job.fingerprint()
    frame, X, split = job.held(summary["held_rows"])
    # the partitions' frames and encodings are released now: the blocks still to be built
    # keep what they need, and the workers need the memory for LightGBM's fit
    job.encoded = job.labelled = []
    weights = summary.get("weights")
    label_meta = {"policy": policy,
                  "weights": None if weights is None else weight_summary(weights)}  # fmt: skip
    p = world_prepared(frame, cutoff=plan.cutoff, policy=policy, present=plan.present,
                       data_dir=plan.data_dir, label_meta=label_meta)  # fmt: skip
    va = split == "valid"
    model = DaskRiskModel(
        settings.model,
        client=job.client,
        categorical=schema.categorical_indices,
        feature_names=schema.names,
    )
    w_valid = None if p.weights is None else p.weights[va]
    model.fit_blocks(data, label, weight, X[va], p.labels[va], weight_valid=w_valid,
                     progress=note)  # fmt: skip
    del data, label, weight
    return finish_fit(p, settings, model, schema, X, split, fingerprint=fingerprint,
                      splits=summary["splits"], progress=note)  # fmt: skip
