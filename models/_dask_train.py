"""Training on Dask with ``lightgbm.dask.DaskLGBMClassifier``.

The rest of training is the single-machine code (:mod:`models._dask_world` prepares a
world's partitions on the workers, :func:`models._core.finish_fit` calibrates, sets the
capacity threshold, evaluates, explains and bundles); only the booster is grown by
LightGBM's distributed data-parallel learner.  Pitfalls from its issue tracker, and
what this module does about each:

- every worker must hold training data: the training rows are dealt into one block per
  worker (every n-th row, so each block spans the whole period) and each block is held
  by its worker;
- bins are built per worker, so the trees differ slightly from one machine's (the
  tests hold ROC AUC within 0.01 of the polars engine);
- concurrent ``fit`` calls on one cluster hang: a cluster-wide ``distributed.Lock``
  lets one fit run at a time;
- ports must be free: each worker picks a free ``local_listen_port`` itself just before
  the fit, and ``machines`` lists the workers in a fixed order (sorted addresses), the
  ports checked against LightGBM's own port assignment, so block ``i`` is always
  LightGBM's rank ``i`` and the same partitions on the same number of workers grow the
  same trees;
- ``pred_contrib`` of a Dask model differs from its local copy with several workers,
  so the bundle holds ``to_local()``'s booster and scores and explains with it.

``lightgbm.dask`` has no early stopping: the model grows ``max_rounds`` trees and keeps
the prefix with the lowest validation log-loss, computed exactly on the driver from
each tree's leaf values (as early stopping would choose, without stopping early).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from models._model import Progress, RiskModel, lightgbm_params
from risk.errors import ConfigError, EngineError
from risk.settings import ModelSettings

__all__ = ["DaskRiskModel", "best_prefix"]

_LOCK = "amanah-lightgbm-fit"


class DaskRiskModel(RiskModel):
    """:class:`RiskModel` whose booster is grown by ``DaskLGBMClassifier`` on ``client``.

    Parameters
    ----------
    settings, categorical, feature_names
        As for :class:`RiskModel`.
    client
        A ``distributed.Client``; every worker receives one block of the training rows.
    """

    def __init__(
        self,
        settings: ModelSettings | None = None,
        *,
        client: Any,
        categorical: Sequence[int] = (),
        feature_names: Sequence[str] | None = None,
    ) -> None:
        super().__init__(settings, categorical=categorical, feature_names=feature_names)
        self.client = client

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
    ) -> DaskRiskModel:
        """Grow ``max_rounds`` trees on Dask; keep the best prefix on the validation split.

        The training rows are dealt from this process to the workers (every ``n``-th row
        to worker ``i``); :meth:`fit_blocks` takes blocks already on the workers.
        """
        _check_rows(X.shape[0], X_valid.shape[0])
        workers = sorted(self.client.scheduler_info()["workers"])
        data, label, w = _blocks(self.client, workers, X, y, weight)
        return self.fit_blocks(data, label, w, X_valid, y_valid, weight_valid=weight_valid,
                               progress=progress)  # fmt: skip

    def fit_blocks(
        self,
        data: Any,
        label: Any,
        weight: Any,
        X_valid: np.ndarray,
        y_valid: np.ndarray,
        *,
        weight_valid: np.ndarray | None = None,
        progress: Progress | None = None,
    ) -> DaskRiskModel:
        """Grow the trees on training rows held by the workers; returns ``self``.

        Parameters
        ----------
        data, label, weight
            ``dask.array`` s with one chunk per worker, chunk ``i`` held by the ``i``-th
            worker in sorted address order (``weight`` may be ``None``).
        X_valid, y_valid, weight_valid
            The validation split, here: the best prefix of trees is chosen on it.
        """
        import lightgbm as lgb
        from distributed import Lock
        from lightgbm.dask import DaskLGBMClassifier

        _check_rows(data.shape[0], X_valid.shape[0])
        workers = sorted(self.client.scheduler_info()["workers"])
        if data.shape[0] < len(workers):
            raise ConfigError(f"{data.shape[0]} training rows cannot give each of"
                              f" {len(workers)} workers data")  # fmt: skip
        params = lightgbm_params(self.settings)
        # LightGBM's Dask module gives each worker its own thread count (its nthreads)
        params.pop("num_threads")
        model = DaskLGBMClassifier(
            client=self.client, n_estimators=self.settings.max_rounds, tree_learner="data",
            machines=_machines(self.client, workers), **params,
        )  # fmt: skip
        names = self.feature_names or [f"f{i}" for i in range(data.shape[1])]
        if progress is not None:
            progress("training on Dask", 0.0)
        with Lock(_LOCK), warnings.catch_warnings(), _parts_in_order(self.client):
            # (the lock: two fits at once on one cluster hang.)  LightGBM's estimator
            # always passes n_jobs, then warns that it ignores it.
            warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
            model.fit(data, label, sample_weight=weight, feature_name=names,
                      categorical_feature=self.categorical)  # fmt: skip
        local = model.to_local().booster_
        self.best_iteration_ = best_prefix(local, X_valid, y_valid, weight_valid)
        text = local.model_to_string(num_iteration=self.best_iteration_)
        # the cluster's addresses and ports are no part of the model (nor of its hash)
        self.booster_ = lgb.Booster(model_str=_CLUSTER_PARAMS.sub("", text))
        return self


def _check_rows(train: int, valid: int) -> None:
    if train == 0 or valid == 0:
        raise ConfigError(
            f"training needs rows in both splits, got {train} train and {valid} validation rows"
        )


_CLUSTER_PARAMS = re.compile(r"^\[(machines|local_listen_port|num_machines): [^\n]*\]\n", re.M)


@contextmanager
def _parts_in_order(client: Any) -> Iterator[None]:
    """While LightGBM fits, ``client.who_has`` answers in the order the parts were given.

    LightGBM's Dask module ranks the workers in the order ``who_has`` lists the data
    parts, and ``distributed.Client.who_has`` builds that list from a set of task keys,
    so the ranks, the bins each rank finds and hence the trees changed from fit to fit.
    Answering in the parts' order makes worker ``i`` (holding block ``i``) rank ``i``.
    """
    original = client.who_has

    def who_has(futures=None, **kwargs):
        found = original(futures, **kwargs)
        if futures is None:
            return found
        return {f.key: found[f.key] for f in client.futures_of(futures) if f.key in found}

    client.who_has = who_has
    try:
        yield
    finally:
        del client.who_has  # the class's method again


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]


def _machines(client: Any, workers: list[str], *, tries: int = 50) -> str:
    """``host:port`` per worker, listed so that worker ``i`` becomes LightGBM's rank ``i``.

    Each port is free on its host.  LightGBM's Dask module gives the workers of one host
    their ports by popping a set built from the listed ports, and a worker's rank is its
    port's place in the list.  A set of integers comes out in the order of their hash
    slots, and two ports sharing a slot come out in an order that depends on which was
    inserted first (one time in eight for two workers): listing the ports in the order
    one set gave them out did not make the next set give them out in that order, so the
    ranks, the bins each rank finds and the trees changed from fit to fit.  The ports are
    now checked with LightGBM's own assignment and drawn again until each worker gets
    the port listed at its place.

    Raises
    ------
    EngineError
        If no such ports were found in ``tries`` draws.
    """
    from urllib.parse import urlparse

    # private, but it is exactly what the fit will do with the list
    from lightgbm.dask import _machines_to_worker_map

    hosts: dict[str, list[str]] = {}
    for worker in workers:
        hosts.setdefault(urlparse(worker).hostname or "", []).append(worker)
    for _ in range(tries):
        found = client.run(_free_port, workers=workers)
        port = {}
        for mine in hosts.values():  # the order a set gives them out, unless two collide
            port.update(zip(mine, list({found[w] for w in mine}), strict=False))
        text = ",".join(f"{urlparse(w).hostname}:{port[w]}" for w in workers)
        try:
            given = _machines_to_worker_map(machines=text, worker_addresses=workers)
        except ValueError:  # two workers of one host drew the same port
            continue
        if given == port:
            return text
    raise EngineError(
        f"could not find free ports that give {len(workers)} Dask workers LightGBM ranks in"
        f" their order in {tries} tries"
    )


def _blocks(client: Any, workers: list[str], X, y, weight):
    """One block of rows per worker, placed on that worker: every ``n``-th row.

    The rows arrive in time order; contiguous blocks would give one worker the oldest
    applications and another the newest, and each rank finds the bins of its features
    from its own block.  Interleaved blocks are each a sample of the whole period.
    """
    import dask.array as da

    arrays: list[list[Any]] = [[], [], []]
    for i, worker in enumerate(workers):
        for k, values in enumerate((X, y, weight)):
            if values is None:
                continue
            part = np.ascontiguousarray(values[i :: len(workers)])
            future = client.scatter(part, workers=[worker], direct=True, hash=False)
            arrays[k].append(da.from_delayed(future, shape=part.shape, dtype=part.dtype))
    return tuple(da.concatenate(a) if a else None for a in arrays)


def best_prefix(
    booster: Any, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
    *, chunk: int = 20_000,
) -> int:  # fmt: skip
    """The number of trees whose validation log-loss is lowest (the first on ties).

    Margins are accumulated tree by tree from each row's leaf values (``pred_leaf``), so
    every prefix is scored exactly, in chunks of ``chunk`` rows.
    """
    info = booster.dump_model()["tree_info"]
    trees = len(info)
    values = [np.array([booster.get_leaf_output(t, leaf) for leaf in range(tree["num_leaves"])])
              for t, tree in enumerate(info)]  # fmt: skip
    loss = np.zeros(trees)
    total = 0.0
    for start in range(0, X.shape[0], chunk):
        rows = slice(start, start + chunk)
        leaves = booster.predict(X[rows], pred_leaf=True).reshape(-1, trees)
        margins = np.cumsum(
            np.column_stack([values[t][leaves[:, t]] for t in range(trees)]), axis=1
        )
        w = np.ones(leaves.shape[0]) if weight is None else weight[rows]
        yy = y[rows].astype(np.float64)[:, None]
        # log-loss of a margin m: log(1 + e^m) - y m, computed stably
        loss += (w[:, None] * (np.logaddexp(0.0, margins) - yy * margins)).sum(axis=0)
        total += w.sum()
    return int(np.argmin(loss / max(total, 1e-300))) + 1
