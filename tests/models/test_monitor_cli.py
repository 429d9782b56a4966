"""``risk monitor`` over two feature tables: monitor.json, monitor.html, the MLflow run."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from models_tables import make_table
from typer.testing import CliRunner

from risk.cli import app


@pytest.fixture
def tables(tmp_path: Path) -> tuple[Path, Path]:
    table = make_table(6000, seed=3)
    reference, current = tmp_path / "reference.parquet", tmp_path / "current.csv"
    table.head(3000).write_parquet(reference)
    shifted = table.tail(3000).with_columns(pl.col("amount") + 2.0)
    shifted.write_csv(current)
    return reference, current


def test_monitor_two_tables_writes_reports_and_a_monitoring_run(
    saved_bundle: Path, tables: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path / "data"))
    reference, current = tables
    out = tmp_path / "out"
    args = ["monitor", "--model", str(saved_bundle), "--reference", str(reference)]
    args += ["--current", str(current), "--time", "opened_at", "--by", "month"]
    args += ["--label", "violation", "--groups", "gender", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "monitor.json").read_text())
    # hourly rows 3000 to 5999 after 2024-01-01: 2024-05-06 to 2024-09-06
    months = ["2024-05", "2024-06", "2024-07", "2024-08", "2024-09"]
    assert [c["start"][:7] for c in report["chunks"]] == months
    assert sum(c["n"] for c in report["chunks"]) == 3000
    first = report["chunks"][0]
    assert set(first) >= {
        "start",
        "end",
        "n",
        "features",
        "drift_share",
        "score",
        "flag_rate",
        "attribution",
        "estimate",
        "fairness",
        "alerts",
    }
    assert first["features"]["amount"]["drifted"] is True
    assert set(first["features"]["amount"]) >= {"psi", "js", "wasserstein_norm", "p_value", "test"}
    assert "monitoring run" in result.output
    html = (out / "monitor.html").read_text()
    assert "Monitoring of model" in html

    from experiments import client_for
    from risk.settings import get_settings

    client = client_for(get_settings())
    exp = client.get_experiment_by_name("amanah-monitoring")
    (run,) = client.search_runs([exp.experiment_id])
    assert run.data.tags["amanah.kind"] == "monitoring"
    assert run.data.tags["amanah.model_version"] == report["model"]
    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert names == {"monitor.html", "monitor.json"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --current FILE --model BUNDLE, or --from DAY --to DAY"),
        (["--current", "x.csv"], "--current needs --model BUNDLE"),
        (["--from", "2025-13-01", "--to", "2025-02-01"], "--from must be a day like 2025-01-31"),
        (
            ["--current", "x.csv", "--from", "2025-01-01"],
            "give either --current FILE or --from/--to",
        ),
    ],
)
def test_monitor_refuses_unclear_requests(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["monitor", "--out", str(tmp_path / "o"), "--no-track", *args])
    assert result.exit_code == 1
    assert message in result.output
