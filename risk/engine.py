"""The engine the heavy verbs run on: polars on one machine, or a Dask cluster.

``--engine dask --scheduler local:2`` starts a ``dask.distributed.LocalCluster`` of two
worker processes with a memory limit each, on free ports; ``--scheduler tcp://host:8786``
connects to a running scheduler (dask-kubernetes, dask-jobqueue, a cloud service) and
fails within ``connect_timeout`` with the address named if it does not answer.  Dask is
imported only here and only when the Dask engine is chosen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from risk.errors import ConfigError, EngineError
from risk.settings import EngineSettings, Settings

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = [
    "ENGINES",
    "Scheduler",
    "compute",
    "dask_client",
    "engine_settings",
    "gather",
    "parse_scheduler",
    "worker_memory",
    "write_part",
]

#: The engines a heavy verb accepts.
ENGINES = ("polars", "dask")
_LOCAL = re.compile(r"^local(?::(\d+))?$")


@dataclass(frozen=True)
class Scheduler:
    """Where a Dask job runs: ``workers`` local processes, or a scheduler ``address``."""

    address: str | None = None
    workers: int = 2

    @property
    def local(self) -> bool:
        """Whether a LocalCluster is started for the job."""
        return self.address is None


def parse_scheduler(text: str) -> Scheduler:
    """Read ``local``, ``local:N`` or a scheduler address.

    Raises
    ------
    ConfigError
        For ``local:0`` or a local count that is not a number; names the value.
    """
    text = text.strip()
    match = _LOCAL.match(text)
    if match:
        workers = int(match.group(1) or 2)
        if not 1 <= workers <= 256:
            raise ConfigError(f"--scheduler {text!r}: local needs 1 to 256 workers")
        return Scheduler(workers=workers)
    if text.startswith("local"):
        raise ConfigError(f"--scheduler {text!r}: expected local, local:N or an address")
    if "://" not in text and ":" not in text:
        raise ConfigError(
            f"--scheduler {text!r}: expected local, local:N or an address such as"
            " tcp://scheduler:8786"
        )
    return Scheduler(address=text)


def engine_settings(
    settings: Settings, engine: str | None = None, scheduler: str | None = None
) -> Settings:
    """``settings`` with the command line's ``--engine`` and ``--scheduler`` applied."""
    changes: dict[str, Any] = {}
    if engine is not None:
        if engine not in ENGINES:
            raise ConfigError(f"--engine must be one of {list(ENGINES)}, got {engine!r}")
        changes["name"] = engine
    if scheduler is not None:
        parse_scheduler(scheduler)
        changes["scheduler"] = scheduler
    if not changes:
        return settings
    return settings.with_overrides(engine=settings.engine.model_copy(update=changes))


@contextmanager
def dask_client(engine: EngineSettings) -> Iterator[Client]:
    """A ``distributed.Client`` for the job, closed (and its local cluster stopped) after.

    Raises
    ------
    EngineError
        If Dask is not installed, or the scheduler does not answer within
        ``engine.connect_timeout`` seconds (the message names the address).
    """
    where = parse_scheduler(engine.scheduler)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - the dask extra is in dev
        raise EngineError(
            "the Dask engine needs the 'dask' extra: pip install 'amanah[dask]'"
        ) from exc
    from risk import _arrow_pickle

    _arrow_pickle.register()  # polars frames leave this process as Arrow streams
    # A task lost with its worker is retried this many times, then the job fails.  No work
    # stealing: LightGBM's parts must stay on the worker each block was placed on, or a
    # worker may train on two blocks and another on none (a different model, or a hang).
    config = {"distributed.scheduler.allowed-failures": engine.retries,
              "distributed.scheduler.work-stealing": False}  # fmt: skip
    with dask.config.set(config):
        if where.local:
            cluster = LocalCluster(
                n_workers=where.workers, threads_per_worker=engine.worker_threads,
                processes=True, memory_limit=engine.worker_memory, scheduler_port=0,
                dashboard_address=":0", silence_logs=logging.ERROR,  # free ports only
            )  # fmt: skip
            client = Client(cluster)
        else:
            cluster = None
            try:
                client = Client(where.address, timeout=engine.connect_timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise EngineError(
                    f"cannot reach the Dask scheduler at {where.address} within"
                    f" {engine.connect_timeout:g} s ({exc})",
                    detail={"scheduler": where.address, "timeout": engine.connect_timeout},
                ) from None
        try:
            _arrow_pickle.on_every_worker(client)
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def worker_memory(client: Client) -> int | None:
    """The smallest memory limit of the client's workers in bytes (None: unlimited)."""
    limits = [w.get("memory_limit") or 0 for w in client.scheduler_info()["workers"].values()]
    return min(limits) if limits and all(limits) else None


def compute(client: Client, tasks: Sequence[Any], *, what: str) -> list[Any]:
    """Compute delayed ``tasks`` on ``client`` (see :func:`gather`)."""
    return gather(client, client.compute(list(tasks)), what=what)


def gather(client: Client, futures: Sequence[Any], *, what: str) -> list[Any]:
    """Gather ``futures``; a task lost with its workers becomes a clear EngineError.

    Parameters
    ----------
    what
        What the job computes, for the message ("features of 36 partitions").
    """
    from distributed import KilledWorker

    limit = worker_memory(client)
    try:
        return client.gather(list(futures))
    except KilledWorker as exc:
        held = f"{limit / 2**30:.2f} GiB" if limit else "no limit"
        raise EngineError(
            f"{what}: a task was lost with its worker too many times ({exc.args[0]});"
            f" the most likely cause is a partition larger than a worker's memory"
            f" ({held}). Raise RISK_ENGINE__WORKER_MEMORY, lower"
            " RISK_ENGINE__PARTITION_ROWS, or write the data with --partition-by month",
            detail={"task": str(exc.args[0]), "worker_memory": limit},
        ) from None


def write_part(frame: Any, folder: str, name: str) -> dict[str, Any]:
    """Write one partition's frame to ``folder/NAME.parquet`` (on a worker).

    Returns its row count and null count per column, so the driver can summarise the
    job without reading the output again.
    """
    from pathlib import Path

    from risk.io import write_table

    path = Path(folder) / f"{name}.parquet"
    write_table(frame, path)
    nulls = frame.null_count().row(0, named=True) if frame.width else {}
    return {"rows": frame.height, "nulls": nulls, "part": f"{name}.parquet"}
