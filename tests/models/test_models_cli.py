"""``risk train`` and ``risk score-batch`` on the spec path and on the synthetic world."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from risk.cli import app

SHAP_IMPORT = (
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning"
)


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.setenv("RISK_MODEL__NUM_THREADS", "1")
    monkeypatch.setenv("RISK_MODEL__MAX_ROUNDS", "60")
    monkeypatch.setenv("RISK_MODEL__LEARNING_RATE", "0.15")
    return CliRunner()


@pytest.mark.filterwarnings(SHAP_IMPORT)
def test_train_on_a_spec_table_writes_bundle_and_explanations(
    runner, table_files, tmp_path, monkeypatch
):
    table, spec = table_files
    out, expl = tmp_path / "bundle", tmp_path / "expl"
    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(
        app,
        [
            "train",
            "--table",
            str(table),
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--explanations",
            str(expl),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bundle.json", "model.txt", "reference.json"]
    manifest = json.loads((out / "bundle.json").read_text())
    assert manifest["source"] == "table" and manifest["model_settings"]["max_rounds"] == 60
    assert f"Model {manifest['version']} written to" in result.output
    names = {p.name for p in expl.iterdir()}
    assert {"beeswarm.png", "bar.png", "importance.csv", "test_scored.parquet"} <= names
    assert sum(n.startswith("dependence_") for n in names) == 3
    # Tracking is on by default: the run is logged and registered as the challenger.
    flat = " ".join(result.output.split())
    name = f"v1 ({manifest['fingerprint'][:8]})"
    assert f"registered version 1, {name}, as challenger" in flat
    assert (tmp_path / "data" / "mlflow.db").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: give either --data DIR or --table FILE --spec SPEC.toml"),
        (["--table", "x.csv"], "error: --table needs --spec SPEC.toml describing its columns"),
    ],
)
def test_train_argument_errors(runner, tmp_path, args, message):
    result = runner.invoke(app, ["train", "--out", str(tmp_path / "b"), *args])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("explain", "explained"), [("flagged", "flag"), ("all", "all"), ("none", "none")]
)
def test_score_batch_on_a_table(
    runner, saved_bundle, table_files, trained, tmp_path, explain, explained
):
    table = tmp_path / "recent.parquet"
    pl.read_csv(table_files[0]).tail(1500).write_parquet(table)
    out = tmp_path / "scored.csv"
    result = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(saved_bundle),
            "--data",
            str(table),
            "--out",
            str(out),
            "--explain",
            explain,
            "--chunk-size",
            "400",
        ],
    )
    assert result.exit_code == 0, result.output
    got = pl.read_csv(out)
    rows = pl.read_parquet(table)
    assert got.columns == ["case_id", "score", "band", "flag", "reasons_raised", "reasons_lowered"]
    assert got["case_id"].to_list() == rows["case_id"].to_list()
    expected = trained.bundle.score(rows)
    assert got["flag"].to_list() == expected.flag.tolist()
    assert got["score"].to_list() == pytest.approx(expected.probability.tolist(), abs=1e-12)
    has_reasons = got["reasons_raised"].is_not_null()
    if explained == "flag":
        assert has_reasons.to_list() == got["flag"].to_list()
    elif explained == "all":
        assert has_reasons.sum() > got["flag"].sum()
    else:
        assert has_reasons.sum() == 0
    assert f"{int(got['flag'].sum()):,} flagged for review" in " ".join(result.output.split())


def test_score_batch_reasons_match_explain(runner, saved_bundle, table_files, trained, tmp_path):
    out = tmp_path / "scored.parquet"
    result = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(saved_bundle),
            "--data",
            str(table_files[0]),
            "--out",
            str(out),
            "--lang",
            "id",
            "--top",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(out).filter(pl.col("flag")).head(5)
    rows = pl.read_csv(table_files[0]).join(got.select("case_id"), on="case_id", how="semi")
    for expl, text in zip(
        trained.bundle.explain(rows, top=2, lang="id"), got["reasons_raised"].to_list(), strict=True
    ):
        assert text == "; ".join(r.text for r in expl.raised)


def test_score_batch_refuses_bad_explain_and_output(runner, saved_bundle, table_files, tmp_path):
    bad = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(saved_bundle),
            "--data",
            str(table_files[0]),
            "--out",
            str(tmp_path / "o.csv"),
            "--explain",
            "some",
        ],
    )
    assert bad.exit_code == 1
    assert "--explain must be all, flagged or none, got 'some'" in bad.output
    bad = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(saved_bundle),
            "--data",
            str(table_files[0]),
            "--out",
            str(tmp_path / "o.json"),
        ],
    )
    assert bad.exit_code == 1
    assert "must end in .parquet or .csv" in bad.output


def test_score_batch_with_a_missing_bundle(runner, table_files, tmp_path):
    result = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(tmp_path / "none"),
            "--data",
            str(table_files[0]),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "does not exist" in result.output


@pytest.mark.filterwarnings(SHAP_IMPORT)
def test_train_and_score_batch_on_the_world(runner, world_dir, tmp_path):
    out = tmp_path / "bundle"
    result = runner.invoke(
        app, ["train", "--data", str(world_dir), "--out", str(out), "--no-track"]
    )
    assert result.exit_code == 0, result.output
    assert "baseline vs truth" in " ".join(result.output.split())
    scored = tmp_path / "scored.parquet"
    result = runner.invoke(
        app,
        [
            "score-batch",
            "--model",
            str(out),
            "--data",
            str(world_dir),
            "--out",
            str(scored),
            "--chunk-size",
            "5000",
        ],
    )
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(scored)
    assert got.height == 20_000 and got["application_id"].is_unique().all()
    assert got["flag"].mean() == pytest.approx(0.05, abs=0.02)
    assert set(got["band"].unique().to_list()) == {"low", "medium", "high"}
