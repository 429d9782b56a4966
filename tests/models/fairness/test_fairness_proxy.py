"""The proxy test finds planted proxies and ignores noise."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from models.fairness import proxy_test
from risk.errors import RequestValidationError


@pytest.fixture(scope="module")
def proxy_world():
    rng = np.random.default_rng(5)
    n = 600
    sex = rng.choice(["F", "M"], n)
    nat = rng.choice(["IDN", "MYS", "PHL"], n)
    rare = np.where(np.arange(n) < 10, "TUV", nat)  # a class of 10 rows: pooled
    codes = {"IDN": 0.0, "MYS": 1.0, "PHL": 2.0}
    features = pl.DataFrame(
        {
            "sex_proxy": (sex == "F") + rng.normal(0, 0.2, n),
            "nat_proxy": np.array([codes[v] for v in nat]) + rng.normal(0, 0.2, n),
            "noise": rng.normal(size=n),
            "channel": rng.choice(["online", "agent", "embassy"], n).tolist(),
            "submitted": pl.date_range(
                pl.date(2024, 1, 1), pl.date(2024, 1, 1) + pl.duration(days=n - 1), eager=True
            ),
        }
    )
    protected = pl.DataFrame(
        {"sex": sex, "nationality": rare, "unrelated": rng.choice(["a", "b"], n)}
    )
    return features, protected, proxy_test(features, protected, seed=3)


def test_planted_binary_proxy_is_found(proxy_world):
    _, _, result = proxy_world
    sex = result.attributes["sex"]
    assert sex.auc > 0.95
    assert sex.top_features[0]["feature"] == "sex_proxy"
    assert sex.classes == ["F", "M"]


def test_planted_multiclass_proxy_uses_macro_one_vs_rest(proxy_world):
    _, _, result = proxy_world
    nat = result.attributes["nationality"]
    assert nat.auc > 0.95
    assert nat.top_features[0]["feature"] == "nat_proxy"
    assert nat.classes == ["<other>", "IDN", "MYS", "PHL"]  # the 10-row class is pooled


def test_independent_attribute_is_near_chance(proxy_world):
    _, _, result = proxy_world
    assert abs(result.attributes["unrelated"].auc - 0.5) < 0.08


def test_result_is_json_and_seeded(proxy_world):
    features, protected, result = proxy_world
    data = json.loads(result.to_json())
    assert data["rows"] == 600 and data["folds"] == 3 and data["seed"] == 3
    assert set(data["attributes"]) == {"sex", "nationality", "unrelated"}
    assert len(data["attributes"]["sex"]["top_features"]) == 5
    again = proxy_test(features.head(300), protected.head(300).select("sex"), seed=3)
    twice = proxy_test(features.head(300), protected.head(300).select("sex"), seed=3)
    assert again.to_dict() == twice.to_dict()


def test_single_class_and_sampling(proxy_world):
    features, _, _ = proxy_world
    protected = pl.DataFrame({"sex": ["F"] * features.height})
    result = proxy_test(features, protected, seed=1, max_rows=200)
    assert result.rows == 200
    assert result.attributes["sex"].auc is None
    assert result.attributes["sex"].reason == "only one class present"


def test_bad_input():
    features = pl.DataFrame({"x": [1.0, 2.0, 3.0]})
    with pytest.raises(RequestValidationError, match="features have 3 rows but protected"):
        proxy_test(features, pl.DataFrame({"sex": ["F", "M"]}), seed=1)
    listy = pl.DataFrame({"x": [[1], [2]]})
    with pytest.raises(RequestValidationError, match="feature column 'x' has unsupported type"):
        proxy_test(listy, pl.DataFrame({"sex": ["F", "M"]}), seed=1)


def test_feature_encoding_keeps_nulls_missing_and_marks_categoricals():
    from models.fairness._proxy import _encode_features

    frame = pl.DataFrame(
        {
            "text": ["x", None, "y", "x"],
            "number": [1.0, None, float("nan"), 2.0],
            "enum": pl.Series(["p", "q", "p", None], dtype=pl.Enum(["p", "q"])),
            "flag": [True, False, None, True],
        }
    )
    x, categorical = _encode_features(frame)
    assert categorical.tolist() == [True, False, True, False]
    expected = np.array(
        [[0, 1, 0, 1], [np.nan, np.nan, 1, 0], [1, np.nan, 0, np.nan], [0, 2, np.nan, 1]]
    )
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("dtype", [pl.Float64, pl.Boolean, pl.String])
def test_a_feature_missing_on_every_row_is_left_out(proxy_world, dtype):
    features, protected, _ = proxy_world
    empty = pl.Series("never_recorded", [None] * features.height, dtype=dtype)
    result = proxy_test(features.with_columns(empty), protected.select("sex"), seed=3)
    sex = result.attributes["sex"]
    assert sex.auc > 0.95
    assert "never_recorded" not in {f["feature"] for f in sex.top_features}
