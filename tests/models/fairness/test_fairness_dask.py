"""The fairness report on Dask (``local:2``): partition summaries combined on the driver."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from models.fairness import fairness_report, read_scores
from models.fairness._dask import fairness_report_dask
from risk.errors import RequestValidationError


def _scores(folder: Path, n: int = 6000, parts: int = 4) -> Path:
    rng = np.random.default_rng(16)
    sex = rng.choice(["F", "M", None], size=n, p=[0.48, 0.48, 0.04])
    nat = rng.choice(["IDN", "MYS", "PHL", "TLS"], size=n, p=[0.6, 0.2, 0.17, 0.03])
    y = rng.random(n) < 0.2
    # rounded scores: many ties, within and across partitions
    score = np.round(np.clip(0.35 * y + rng.beta(2, 5, size=n), 0, 1), 2)
    frame = pl.DataFrame({"id": np.arange(n), "sex": sex, "nationality": nat,
                          "label": y.astype(np.int8), "score": score,
                          "flag": (score >= 0.5).astype(np.int8)})  # fmt: skip
    investigated = (rng.random(n) < 0.3 + 0.3 * y).astype(np.int8)
    confirmed = np.where(investigated == 1, y.astype(np.float64), np.nan)
    confirmed[(investigated == 1) & (rng.random(n) < 0.1)] = np.nan  # pending
    frame = frame.with_columns(investigated=investigated,
                               confirmed=pl.Series(confirmed).fill_nan(None))  # fmt: skip
    for i, piece in enumerate(np.array_split(np.arange(n), parts)):
        (folder / f"month=2024-0{i + 1}").mkdir(parents=True)
        frame[piece].write_parquet(folder / f"month=2024-0{i + 1}" / "part-0.parquet")
    return folder


def _same(a, b, path: str = "") -> None:
    """Equal structures: ints and text exactly, floats to 1e-12."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, z) in enumerate(zip(a, b, strict=True)):
            _same(x, z, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool):
        assert isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), path
    else:
        assert a == b and type(a) is type(b), path


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["score", "flag"])
def test_report_on_dask_equals_one_machine(dask_client, tmp_path: Path, mode: str) -> None:
    folder = _scores(tmp_path / "scores")
    kwargs = {"label": "label", "groups": ["sex", "nationality"], "intersections": True}
    if mode == "score":
        kwargs |= {"score": "score", "threshold": 0.5}
    else:
        kwargs |= {"flag": "flag", "score": "score"}
    one = fairness_report(read_scores(folder), source=str(folder), **kwargs)
    dask = fairness_report_dask(dask_client, folder, **kwargs)
    _same(dask.to_dict(), one.to_dict())
    # the figures are real: counts of a group equal a brute-force count
    frame = read_scores(folder)
    f_idn = frame.filter(pl.col("nationality") == "IDN")
    tp = int(((f_idn["label"] == 1) & (f_idn["score"] >= 0.5)).sum())
    assert dask.to_dict()["attributes"]["nationality"]["groups"]["IDN"]["tp"] == tp


@pytest.mark.slow
def test_report_on_dask_without_score_and_with_reference(dask_client, tmp_path: Path) -> None:
    folder = _scores(tmp_path / "scores")
    kwargs = {"label": "label", "groups": ["sex"], "flag": "flag", "reference": {"sex": "M"}}
    one = fairness_report(read_scores(folder), source=str(folder), **kwargs)
    _same(fairness_report_dask(dask_client, folder, **kwargs).to_dict(), one.to_dict())


@pytest.mark.slow
def test_a_part_without_the_label_is_named(dask_client, tmp_path: Path) -> None:
    folder = _scores(tmp_path / "scores", parts=2)
    part = folder / "month=2024-02" / "part-0.parquet"
    pl.read_parquet(part, hive_partitioning=False).drop("label").write_parquet(part)
    with pytest.raises(RequestValidationError) as info:
        fairness_report_dask(dask_client, folder, label="label", groups=["sex"], flag="flag")
    assert info.value.message.startswith(f"{part}: ")
    assert "'label'" in info.value.message


@pytest.mark.slow
def test_cli_fairness_on_a_scheduler_address(dask_client, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from risk.cli import app

    folder = _scores(tmp_path / "scores")
    common = ["fairness", "--scores", str(folder), "--label", "label", "--group", "sex",
              "--group", "nationality", "--score", "score", "--threshold", "0.5"]  # fmt: skip
    runner = CliRunner(env={"COLUMNS": "200"})
    one = runner.invoke(app, [*common, "--out", str(tmp_path / "one")])
    assert one.exit_code == 0, one.output
    args = [*common, "--out", str(tmp_path / "dask"), "--scheduler", dask_client.scheduler.address]
    dask = runner.invoke(app, args)
    assert dask.exit_code == 0, dask.output
    _same(json.loads((tmp_path / "dask" / "fairness.json").read_text()),
          json.loads((tmp_path / "one" / "fairness.json").read_text()))  # fmt: skip
    assert (tmp_path / "dask" / "fairness.html").is_file()
    bias = ["--investigated", "investigated", "--confirmed", "confirmed", "--truth", "label"]
    one = runner.invoke(app, [*common, *bias, "--out", str(tmp_path / "one-bias")])
    assert one.exit_code == 0, one.output
    dask = runner.invoke(app, [*args[:-4], *bias, "--out", str(tmp_path / "dask-bias"),
                               "--scheduler", dask_client.scheduler.address])  # fmt: skip
    assert dask.exit_code == 0, dask.output
    import re

    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    html = [uuid.sub("ID", (tmp_path / d / "fairness.html").read_text())
            for d in ("one-bias", "dask-bias")]  # fmt: skip
    assert "Label bias by nationality" in html[0]
    assert html[1] == html[0]  # plotly's div ids are random; everything else is the same


@pytest.mark.slow
def test_label_bias_on_dask_equals_one_machine(dask_client, tmp_path: Path) -> None:
    from models.fairness import label_bias, label_bias_dask

    folder = _scores(tmp_path / "scores", parts=3)
    kwargs = {"investigated": "investigated", "confirmed": "confirmed", "truth": "label",
              "min_group_size": 30}  # fmt: skip
    groups = ["sex", "nationality"]
    one = label_bias(read_scores(folder), groups, **kwargs)
    dask = label_bias_dask(dask_client, folder, groups, **kwargs)
    assert dask.to_dict() == one.to_dict()
    idn = read_scores(folder).filter(pl.col("nationality") == "IDN")
    assert one.to_dict()["attributes"]["nationality"]["IDN"]["investigated"] == int(
        idn["investigated"].sum()
    )
    part = folder / "month=2024-02" / "part-0.parquet"
    bad = pl.read_parquet(part, hive_partitioning=False)
    bad = bad.with_columns(confirmed=pl.when(pl.int_range(pl.len()) == 3).then(1)
                           .otherwise(pl.col("confirmed")),
                           investigated=pl.when(pl.int_range(pl.len()) == 3).then(0)
                           .otherwise(pl.col("investigated")))  # fmt: skip
    bad.write_parquet(part)
    with pytest.raises(RequestValidationError) as info:
        label_bias_dask(dask_client, folder, groups, **kwargs)
    assert info.value.message == (
        f"{part}: label bias: row 3 has 'confirmed' = 1 but 'investigated' = 0: "
        "a violation cannot be confirmed without an investigation"
    )


@pytest.mark.slow
def test_empty_partitions_add_nothing(dask_client, tmp_path: Path) -> None:
    folder = _scores(tmp_path / "scores", parts=2)
    part = folder / "month=2024-02" / "part-0.parquet"
    full = pl.read_parquet(part, hive_partitioning=False)
    (folder / "month=2024-03").mkdir()
    full.head(0).write_parquet(folder / "month=2024-03" / "part-0.parquet")
    kwargs = {"label": "label", "groups": ["sex"], "score": "score", "threshold": 0.5}
    one = fairness_report(read_scores(folder), source=str(folder), **kwargs)
    _same(fairness_report_dask(dask_client, folder, **kwargs).to_dict(), one.to_dict())
    for p in folder.rglob("*.parquet"):
        full.head(0).write_parquet(p)
    with pytest.raises(RequestValidationError) as info:
        fairness_report_dask(dask_client, folder, **kwargs)
    assert info.value.message == f"{folder}: the table has no rows"


def test_csv_or_missing_scores_are_refused_before_any_task(tmp_path: Path) -> None:
    from risk.errors import DataFileError

    csv = tmp_path / "scores.csv"
    csv.write_text("label,sex,flag\n1,F,1\n")
    for path in (csv, tmp_path / "absent"):
        with pytest.raises(DataFileError) as info:
            fairness_report_dask(None, path, label="label", groups=["sex"], flag="flag")
        assert info.value.message == (
            f"{path}: the Dask engine reads Parquet scores (a folder of parts or one .parquet"
            " file); this is not one (read CSV with the polars engine)"
        )
