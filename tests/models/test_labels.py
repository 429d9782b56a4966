"""Training that knows how its labels were made: naive, or reviewed cases weighted."""

from __future__ import annotations

import datetime as dt
import json
import os

import numpy as np
import polars as pl
import pytest

from models import Calibrator, train_world
from models._labels import REVIEWED_IPW_POLICY, choose_label_policy, reviewed_ipw_labels
from models._world import WORLD_LABEL_POLICY
from risk.errors import ConfigError, DataContractError, DataFileError

T = dt.datetime(2024, 1, 1)


def _reviews(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "score_id": pl.String,
            "application_id": pl.String,
            "review_propensity": pl.Float64,
            "reviewed": pl.Boolean,
            "finding": pl.String,
            "decided_at": pl.Datetime("us"),
        },
        orient="row",
    )


def test_the_default_policy_follows_the_reviews_file(tmp_path):
    assert choose_label_policy(tmp_path, None) == "naive"
    with pytest.raises(
        DataFileError, match=f"--labels reviewed-ipw needs {tmp_path}/reviews.parquet"
    ):
        choose_label_policy(tmp_path, "reviewed-ipw")
    with pytest.raises(ConfigError, match="labels 'smart' is not one of naive, reviewed-ipw"):
        choose_label_policy(tmp_path, "smart")
    _reviews([]).write_parquet(tmp_path / "reviews.parquet")
    assert choose_label_policy(tmp_path, None) == "reviewed-ipw"
    assert choose_label_policy(tmp_path, "naive") == "naive"


def test_reviewed_cases_weigh_one_over_their_propensity(tmp_path):
    _reviews(
        [
            ("s1", "A1", 1.0, True, "violation_confirmed", T),
            ("s2", "A2", 0.02, True, "no_violation", T),
            ("s3", "A3", 0.02, False, None, None),  # not reviewed: no label, no weight
            ("s4", "A4", 0.0, False, None, None),  # never had a chance: fine while unreviewed
            ("s5", "A2", 1.0, True, "insufficient_evidence", T + dt.timedelta(days=1)),
        ]
    ).write_parquet(tmp_path / "reviews.parquet")
    got = reviewed_ipw_labels(tmp_path).sort("application_id")
    # A2 was reviewed twice: its latest decided review counts
    assert got.rows() == [("A1", 1, 1.0), ("A2", 0, 1.0)]


def test_a_reviewed_case_with_propensity_zero_names_its_score(tmp_path):
    _reviews([("s9", "A9", 0.0, True, "no_violation", T)]).write_parquet(
        tmp_path / "reviews.parquet"
    )
    with pytest.raises(
        DataContractError, match=r"score s9 was reviewed but its review propensity is 0\.0"
    ):
        reviewed_ipw_labels(tmp_path)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_weighted_calibration_equals_repeating_the_rows(method):
    """Independent oracle: an integer weight is the row repeated that many times."""
    rng = np.random.default_rng(3)
    margin = rng.normal(size=300)
    y = (rng.random(300) < 1 / (1 + np.exp(-margin))).astype(float)
    w = rng.integers(0, 4, size=300).astype(float)  # 0: left out
    weighted = Calibrator(method).fit(margin, y, w)
    repeated = Calibrator(method).fit(np.repeat(margin, w.astype(int)), np.repeat(y, w.astype(int)))
    grid = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(weighted.predict(grid), repeated.predict(grid), atol=1e-9)


@pytest.mark.slow
def test_reviewed_ipw_training_records_its_policy_and_weights(world_dir, fast_settings, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for f in world_dir.iterdir():
        os.symlink(f, data / f.name)
    outcomes = pl.read_parquet(world_dir / "outcomes.parquet").filter(
        pl.col("violation_confirmed").is_not_null()
    )
    random = pl.col("investigation_trigger") == "random"
    reviews = outcomes.select(
        score_id=pl.format("s-{}", "application_id"),
        application_id="application_id",
        review_propensity=pl.when(random).then(0.5).otherwise(1.0),
        reviewed=pl.lit(True),
        finding=pl.when(pl.col("violation_confirmed"))
        .then(pl.lit("violation_confirmed"))
        .otherwise(pl.lit("no_violation")),
        decided_at=pl.col("known_at"),
    )
    reviews.write_parquet(data / "reviews.parquet")
    n_half = int(outcomes.filter(random).height)
    n_one = outcomes.height - n_half
    result = train_world(data, settings=fast_settings)  # the default: reviews.parquet is there
    labels = result.bundle.meta["labels"]
    assert labels["policy"] == "reviewed-ipw"
    assert labels["weights"] == {
        "rows_weighted": outcomes.height,
        "rows_zero_weight": 20_000 - outcomes.height,
        "weight_total": float(n_one + 2 * n_half),
        "by_weight": {"1": n_one, "2": n_half},
    }
    assert result.bundle.meta["label_policy"] == REVIEWED_IPW_POLICY
    saved = json.loads((result.bundle.save(tmp_path / "b") / "bundle.json").read_text())
    assert (saved["labels"], saved["label_policy"]) == (labels, REVIEWED_IPW_POLICY)
    naive = train_world(data, settings=fast_settings, labels="naive")
    assert naive.bundle.meta["labels"] == {"policy": "naive", "weights": None}
    assert naive.bundle.meta["label_policy"] == WORLD_LABEL_POLICY
