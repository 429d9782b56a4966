"""``risk features``: the catalogue listings and a feature run over a written world."""

from __future__ import annotations

import json

import polars as pl
from feature_world import random_world
from typer.testing import CliRunner

from features import ID_COLUMNS, build_features, catalogue
from risk.cli import app
from risk.io import write_table


def _run(*args: str):
    return CliRunner().invoke(app, ["features", *args], terminal_width=200)


def test_catalogue_as_json_markdown_and_table():
    cat = catalogue()
    result = _run("--catalogue", "--format", "json")
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.output)
    assert parsed["hash"] == cat.hash()
    assert [f["name"] for f in parsed["features"]] == cat.names
    result = _run("--catalogue", "--format", "markdown")
    assert result.exit_code == 0 and result.output.startswith("# Feature catalogue")
    assert result.output.count("\n| `") == len(cat)
    result = _run("--catalogue")
    assert result.exit_code == 0
    assert f"{len(cat)} features, hash {cat.hash()[:12]}" in result.output
    assert "agent_issuing_states" in result.output


def test_features_written_for_a_world(tmp_path):
    world = random_world(120, seed=4)
    data = tmp_path / "world"
    data.mkdir()
    for name in ("applications", "documents", "travel_history", "prior_decisions", "sponsors",
                 "outcomes"):  # fmt: skip
        write_table(getattr(world, name).collect(), data / f"{name}.parquet")
    out = tmp_path / "out" / "features.parquet"
    result = _run("--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "120 applications x 47 features" in result.output
    written = pl.read_parquet(out)
    assert written.columns == [*ID_COLUMNS, *catalogue().names]
    assert written.equals(build_features(world).collect())
    assert "network" in result.output and "null cells" in result.output


def test_bad_invocations_are_one_clear_line(tmp_path):
    result = _run()
    assert result.exit_code == 1
    assert "needs --catalogue, or both --data DIR and --out FILE.parquet" in result.output
    result = _run("--data", str(tmp_path), "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 1 and "--out must be a .parquet file" in result.output
    result = _run("--data", str(tmp_path / "none"), "--out", str(tmp_path / "f.parquet"))
    assert result.exit_code == 1
    assert "table 'applications' not found" in result.output
    assert "Traceback" not in result.output
