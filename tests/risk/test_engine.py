"""The engine option: parsing --scheduler, reaching a scheduler, losing workers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from risk.engine import Scheduler, dask_client, engine_settings, gather, parse_scheduler
from risk.errors import ConfigError, EngineError
from risk.io import replace_folder
from risk.settings import EngineSettings, Settings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local", Scheduler(workers=2)),
        ("local:1", Scheduler(workers=1)),
        ("local:8", Scheduler(workers=8)),
        ("tcp://10.0.0.5:8786", Scheduler(address="tcp://10.0.0.5:8786")),
        ("scheduler:8786", Scheduler(address="scheduler:8786")),
    ],
)
def test_parse_scheduler(text: str, expected: Scheduler) -> None:
    assert parse_scheduler(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("local:0", "--scheduler 'local:0': local needs 1 to 256 workers"),
        ("local:two", "--scheduler 'local:two': expected local, local:N or an address"),
        ("somewhere", "--scheduler 'somewhere': expected local, local:N or an address such as"
                      " tcp://scheduler:8786"),
    ],
)  # fmt: skip
def test_bad_scheduler_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_scheduler(text)
    assert info.value.message == message


def test_engine_settings_apply_the_command_line() -> None:
    base = Settings()
    assert base.engine.name == "polars"
    assert engine_settings(base) is base
    chosen = engine_settings(base, "dask", "local:3")
    assert (chosen.engine.name, chosen.engine.scheduler) == ("dask", "local:3")
    assert chosen.engine.worker_memory == base.engine.worker_memory
    with pytest.raises(
        ConfigError, match=r"--engine must be one of \['polars', 'dask'\], got 'spark'"
    ):
        engine_settings(base, "spark")


def test_engine_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISK_ENGINE__NAME", "dask")
    monkeypatch.setenv("RISK_ENGINE__SCHEDULER", "tcp://sched:8786")
    monkeypatch.setenv("RISK_ENGINE__WORKER_MEMORY", "6GiB")
    engine = Settings().engine
    assert (engine.name, engine.scheduler, engine.worker_memory) == (
        "dask", "tcp://sched:8786", "6GiB"
    )  # fmt: skip


def test_unreachable_scheduler_is_named_within_the_timeout() -> None:
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens
    started = time.monotonic()
    with (
        pytest.raises(EngineError) as info,
        dask_client(EngineSettings(scheduler=address, connect_timeout=2)),
    ):
        pass
    waited = time.monotonic() - started
    assert info.value.message.startswith(
        "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s ("
    )
    assert info.value.detail == {"scheduler": address, "timeout": 2.0}
    assert info.value.status_code == 503
    assert waited < 30  # bounded by the timeout plus start-up, not Dask's default minutes


def _lose_my_worker(_: int) -> None:
    os._exit(1)  # the worker process dies as if killed by the OS


@pytest.mark.slow
def test_a_lost_worker_fails_the_job_cleanly(dask_client, tmp_path: Path) -> None:
    out = tmp_path / "scores"
    with pytest.raises(EngineError) as info, replace_folder(out) as tmp:
        (tmp / "part-0.parquet").write_bytes(b"a finished part")
        future = dask_client.submit(_lose_my_worker, 1, pure=False)
        gather(dask_client, [future], what="scores of 2 partitions")
    message = info.value.message
    assert message.startswith("scores of 2 partitions: a task was lost with its worker too many")
    assert message.endswith(
        "the most likely cause is a partition larger than a worker's memory (1.00 GiB). Raise"
        " RISK_ENGINE__WORKER_MEMORY, lower RISK_ENGINE__PARTITION_ROWS, or write the data"
        " with --partition-by month"
    )
    assert list(tmp_path.iterdir()) == []  # nothing that looks complete, nothing half-done
    dask_client.wait_for_workers(2, timeout=60)  # the nannies restart the workers


def _lose_my_worker_once(marker: str) -> str:
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return "done on a second worker"


@pytest.mark.slow
def test_a_task_lost_once_is_retried(dask_client, tmp_path: Path) -> None:
    future = dask_client.submit(_lose_my_worker_once, str(tmp_path / "lost"), pure=False)
    assert gather(dask_client, [future], what="one task") == ["done on a second worker"]
    dask_client.wait_for_workers(2, timeout=60)


def _frame_of(rows: int):
    import numpy as np
    import polars as pl

    return pl.DataFrame({"a": np.arange(rows, dtype=np.int64), "b": np.zeros(rows)})


def test_polars_frames_are_measured_by_their_buffers() -> None:
    from importlib.metadata import entry_points

    from dask.sizeof import sizeof

    frame = _frame_of(1000)
    assert [e.value for e in entry_points(group="dask.sizeof") if e.name == "polars"] == [
        "risk._dask_sizeof:register"
    ]
    assert sizeof(frame) == 16_000  # two 8-byte columns; Dask alone said 56 for any size
    assert sizeof(frame["a"]) == 8_000


def test_workers_count_the_polars_frames_they_hold(dask_client) -> None:
    from distributed import wait

    future = dask_client.submit(_frame_of, 100_000, pure=False)
    wait(future)
    # what the scheduler believes the worker holds: it decides spilling and placement
    assert dask_client.nbytes(summary=False)[future.key] == 1_600_000
    del future
