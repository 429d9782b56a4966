"""Backtests: a period of the inference log replayed through a model version, exactly."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
import sqlalchemy as sa
from evidence_helpers import train_other_catalogue
from serving_helpers import as_json, auth

from models._backtest import logged_matrix
from risk.errors import FeatureError, RequestValidationError
from risk.settings import Settings
from serving.services import backtest_store, logged_scores
from serving.store import Score

pytestmark = pytest.mark.xdist_group("serving_model")

DAY = dt.date(2024, 3, 1)  # the simulated clock's day (CLOCK_START)


def _score(client, tokens, payloads) -> list[dict]:
    # a threshold override low enough that this small world's payloads get some flags
    client.put("/v1/settings/review", headers=auth(tokens["admin"]), json={"threshold": 0.007})
    return [
        client.post(
            "/v1/applications/score", headers=auth(tokens["officer"]), json=as_json(p)
        ).json()
        for p in payloads
    ]


@pytest.fixture
def scored(clocked_client, tokens, world, store):
    return _score(clocked_client, tokens, world["payloads"][:25])


def test_replaying_the_champions_own_period_gives_its_logged_scores_bit_for_bit(
    scored, store, holder
):
    with store.reading() as session:
        result = backtest_store(session, holder.bundle, DAY, DAY, label="v1")
        logged = dict(session.execute(sa.select(Score.score_id, Score.margin)).all())
    rows = result.rows
    assert rows.height == 25
    assert sorted(rows["score_id"]) == sorted(s["score_id"] for s in scored)
    # bit for bit: equality of floats, no tolerance
    by_id = {s["score_id"]: s for s in scored}
    for row in rows.iter_rows(named=True):
        assert row["margin"] == logged[row["score_id"]]
        assert row["score"] == row["logged_score"] == by_id[row["score_id"]]["score"]
    assert result.summary["own_scores"] == 25
    assert result.summary["own_scores_exact"] == 25
    assert result.summary["own_scores_max_difference"] == 0.0
    assert result.summary["logged_by"] == {holder.bundle.version: 25}
    assert result.summary["period"] == ["2024-03-01", "2024-03-01"]


def test_the_flag_is_the_models_own_at_capacity(scored, store, holder):
    with store.reading() as session:
        rows = backtest_store(session, holder.bundle, DAY, DAY, label="v1").rows
    margins = rows["margin"].to_numpy()
    assert rows["flag"].to_list() == (margins >= holder.bundle.threshold_margin).tolist()


def test_batch_encoding_of_logged_rows_equals_the_one_row_encoding(scored, store, holder):
    bundle = holder.bundle
    with store.reading() as session:
        frame = logged_scores(session, DAY, DAY)
        stored = session.execute(sa.select(Score.score_id, Score.features)).all()
    matrix = logged_matrix(bundle, frame["features"])
    order = {sid: i for i, sid in enumerate(frame["score_id"])}
    for sid, features in stored:
        one = bundle.schema.encode_row(features)[0]
        np.testing.assert_array_equal(matrix[order[sid]], one)  # NaN == NaN here


def test_decoding_in_chunks_gives_the_same_matrix_and_reports_progress(scored, store, holder):
    bundle = holder.bundle
    with store.reading() as session:
        texts = logged_scores(session, DAY, DAY)["features"]
    whole = logged_matrix(bundle, texts)
    seen: list[tuple[int, int]] = []
    chunked = logged_matrix(bundle, texts, chunk_rows=7, progress=lambda d, t: seen.append((d, t)))
    np.testing.assert_array_equal(chunked, whole)  # NaN == NaN here
    assert seen == [(7, 25), (14, 25), (21, 25), (25, 25)]
    with pytest.raises(ValueError, match="chunk_rows must be at least 1, got 0"):
        logged_matrix(bundle, texts, chunk_rows=0)


def test_the_cli_reports_reading_progress_only_over_several_chunks(capsys):
    from risk.cli._evidence import _reading_progress

    one = _reading_progress()
    one(25, 25)
    several = _reading_progress()
    several(100_000, 150_000)
    several(150_000, 150_000)
    assert capsys.readouterr().err == (
        "read 100,000 of 150,000 logged rows\nread 150,000 of 150,000 logged rows\n"
    )


def test_an_empty_period_is_refused_naming_what_the_log_holds(scored, store, holder):
    with store.reading() as session, pytest.raises(RequestValidationError) as err:
        backtest_store(
            session, holder.bundle, dt.date(2023, 1, 1), dt.date(2023, 1, 31), label="v1"
        )
    assert err.value.message == (
        "no application was scored from 2023-01-01 to 2023-01-31;"
        " the inference log holds scores from 2024-03-01 to 2024-03-01"
    )


def test_an_empty_log_says_so(store, holder):
    with store.reading() as session, pytest.raises(RequestValidationError) as err:
        backtest_store(session, holder.bundle, DAY, DAY, label="v1")
    assert err.value.message == (
        "no application was scored from 2024-03-01 to 2024-03-01; the inference log is empty"
    )


def test_a_backwards_period_is_refused(store, holder):
    with store.reading() as session, pytest.raises(RequestValidationError) as err:
        backtest_store(session, holder.bundle, DAY, DAY - dt.timedelta(days=1), label="v1")
    assert err.value.message == "the period ends (2024-02-29) before it starts (2024-03-01)"


def test_a_model_on_another_catalogue_is_refused_naming_the_missing_features(
    scored, store, holder, other_catalogue_bundle
):
    with store.reading() as session, pytest.raises(FeatureError) as err:
        backtest_store(session, other_catalogue_bundle, DAY, DAY, label="v9 (abcdef12)")
    assert err.value.message == (
        "v9 (abcdef12) needs feature(s) that the inference log of model"
        f" {holder.bundle.version} does not hold: employer_score, region; it was trained on"
        " another feature catalogue, so these applications cannot be replayed through it"
    )


@pytest.fixture(scope="session")
def other_catalogue_bundle(tmp_path_factory):
    """A model on a dataset spec whose features are partly outside the world's catalogue."""
    return train_other_catalogue(tmp_path_factory.mktemp("other"))


def test_logged_rows_keep_the_json_the_service_wrote(scored, store):
    """The backtest reads the stored text itself; it parses to the stored values."""
    with store.reading() as session:
        frame = logged_scores(session, DAY, DAY)
        stored = dict(session.execute(sa.select(Score.score_id, Score.features)).all())
    for sid, text in frame.select("score_id", "features").iter_rows():
        assert json.loads(text) == stored[sid]


def _cli(monkeypatch, tmp_path, store, *args):
    from typer.testing import CliRunner

    from risk.cli import app

    monkeypatch.setenv("RISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RISK_SERVING__DATABASE_URL", store.url)
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_risk_backtest_replays_a_registered_version(
    scored, store, holder, world, tmp_path, monkeypatch
):
    from evidence_helpers import register_bundle

    version = register_bundle(Settings(data_dir=tmp_path), world["bundle"])
    out = tmp_path / "bt"
    result = _cli(
        monkeypatch, tmp_path, store, "backtest", "--model", version,
        "--from", "2024-03-01", "--to", "2024-03-01", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "backtest.json").read_text())
    name = f"v{version} ({holder.bundle.fingerprint[:8]})"
    assert summary["model"] == name
    assert (summary["n"], summary["own_scores_exact"]) == (25, 25)
    rows = pl.read_parquet(out / "backtest.parquet")
    assert rows["margin"].to_list() == rows["logged_margin"].to_list()
    assert f"{name} over 2024-03-01 to 2024-03-01: 25 logged scores replayed" in result.output
    assert "25 of 25 replayed exactly" in result.output


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_risk_backtest_of_an_unknown_version_names_it(store, tmp_path, monkeypatch):
    result = _cli(
        monkeypatch, tmp_path, store, "backtest", "--model", "7",
        "--from", "2024-03-01", "--to", "2024-03-01", "--out", str(tmp_path / "bt"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        f"error: model 'amanah-risk' has no version '7' in sqlite:///{tmp_path.resolve()}/mlflow.db"
    )


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@pytest.mark.parametrize("verb", ["backtest", "compare"])
def test_a_backwards_period_is_refused_before_any_model_is_loaded(
    verb, store, tmp_path, monkeypatch
):
    # versions 7 and 8 do not exist: the period is refused first, by name
    models = ["--model", "7"] if verb == "backtest" else ["--champion", "7", "--challenger", "8"]
    result = _cli(
        monkeypatch, tmp_path, store, verb, *models,
        "--from", "2024-03-02", "--to", "2024-03-01", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        "error: the period ends (2024-03-01) before it starts (2024-03-02)"
    )
