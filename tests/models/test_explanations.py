"""Exact TreeSHAP: additivity, agreement with shap, and a brute-force Shapley reference."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import polars as pl
import pytest
from models_shapley import brute_force_shapley

from models import TrainResult, global_explanation
from risk.settings import ModelSettings

# shap 0.51 calls a matplotlib colormap method that matplotlib 3.11 marks for deprecation.
SHAP_IMPORT = (
    "ignore:The set_(bad|over|under) function will be deprecated:PendingDeprecationWarning"
)
pytestmark = pytest.mark.filterwarnings(SHAP_IMPORT)


@pytest.fixture(scope="module")
def test_matrix(trained: TrainResult, table_files) -> tuple[pl.DataFrame, np.ndarray]:
    rows = pl.read_csv(table_files[0]).tail(300)
    return rows, trained.bundle.matrix(rows)


def test_contributions_plus_base_value_equal_raw_margin(trained, test_matrix):
    rows, X = test_matrix
    contrib = trained.bundle.contributions(X)
    margin = trained.bundle.booster.predict(X, raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1), margin, rtol=0, atol=1e-9)
    for expl, m in zip(trained.bundle.explain(rows), margin, strict=True):
        assert abs(expl.base_value + sum(expl.contributions.values()) - m) < 1e-9


def test_contributions_equal_shap_tree_explainer(trained, test_matrix):
    import shap

    _, X = test_matrix
    explainer = shap.TreeExplainer(trained.bundle.booster)
    ours = trained.bundle.contributions(X)
    theirs = explainer(X)  # the call API: shap_values() warns about its output shape
    np.testing.assert_allclose(ours[:, :-1], theirs.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours[:, -1], theirs.base_values, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def small_model() -> tuple[lgb.Booster, np.ndarray]:
    """Four features, one categorical, deep enough trees for interactions."""
    rng = np.random.default_rng(11)
    n = 3000
    X = np.column_stack(
        [rng.normal(size=n), rng.normal(size=n), rng.integers(0, 5, n), rng.uniform(size=n)]
    )
    logit = X[:, 0] * X[:, 1] + (X[:, 2] == 3) * 1.5 - (X[:, 2] == 1) + 2 * X[:, 3] - 1
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    params = {
        "objective": "binary",
        "num_leaves": 8,
        "min_data_in_leaf": 20,
        "num_threads": 1,
        "deterministic": True,
        "force_col_wise": True,
        "seed": 1,
        "verbosity": -1,
        "min_data_per_group": 10,
        "cat_smooth": 1.0,
    }
    data = lgb.Dataset(X, label=y, categorical_feature=[2], params=params)
    return lgb.train(params, data, num_boost_round=15), X


def test_small_model_has_categorical_splits(small_model):
    booster, _ = small_model
    kinds = {
        n.get("decision_type")
        for t in booster.dump_model()["tree_info"]
        for n in _nodes(t["tree_structure"])
    }
    assert {"==", "<="} <= kinds


def test_pred_contrib_equals_brute_force_shapley(small_model):
    booster, X = small_model
    contrib = booster.predict(X[:25], pred_contrib=True)
    for row, got in zip(X[:25], contrib, strict=True):
        phi, base = brute_force_shapley(booster, row)
        np.testing.assert_allclose(got[:-1], phi, rtol=0, atol=1e-9)
        assert abs(got[-1] - base) < 1e-9


def test_brute_force_reference_detects_a_wrong_attribution(small_model):
    booster, X = small_model
    phi, base = brute_force_shapley(booster, X[0])
    assert abs(phi.sum() + base - booster.predict(X[:1], raw_score=True)[0]) < 1e-9
    swapped = phi[[1, 0, 2, 3]]
    assert not np.allclose(swapped, booster.predict(X[:1], pred_contrib=True)[0, :-1])


def _nodes(node):
    yield node
    for key in ("left_child", "right_child"):
        if key in node:
            yield from _nodes(node[key])


def test_explain_ranks_raised_and_lowered_by_contribution(trained, test_matrix):
    rows, _ = test_matrix
    for expl in trained.bundle.explain(rows.head(50), top=3):
        assert len(expl.raised) <= 3 and len(expl.lowered) <= 3
        ups = [r.contribution for r in expl.raised]
        downs = [r.contribution for r in expl.lowered]
        assert ups == sorted(ups, reverse=True) and all(c > 0 for c in ups)
        assert downs == sorted(downs) and all(c < 0 for c in downs)
        positive = sorted((c for c in expl.contributions.values() if c > 0), reverse=True)
        assert ups == positive[:3]


def test_score_one_matches_batch_score_and_explain(trained, test_matrix):
    rows, _ = test_matrix
    bundle = trained.bundle
    batch = bundle.score(rows.head(20))
    expl = bundle.explain(rows.head(20))
    for i, row in enumerate(rows.head(20).iter_rows(named=True)):
        case = bundle.score_one(row)
        assert abs(case.margin - batch.margin[i]) < 1e-9
        assert case.probability == pytest.approx(batch.probability[i], abs=1e-12)
        assert (case.band, case.flag) == (batch.band[i], bool(batch.flag[i]))
        assert [r.text for r in case.raised] == [r.text for r in expl[i].raised]


def test_score_many_equals_score_one_bit_for_bit(trained, test_matrix):
    rows, _ = test_matrix
    bundle = trained.bundle
    cases = list(rows.head(40).iter_rows(named=True))
    cases[3] = cases[3] | {"region": None}  # a missing value on the way too
    for lang in ("en", "id"):
        many = bundle.score_many(cases, lang=lang, top=4)
        assert many == [bundle.score_one(row, lang=lang, top=4) for row in cases]
    assert bundle.score_many([]) == []


def test_global_explanation_ranks_by_mean_abs_shap_and_saves_pngs(trained, test_matrix, tmp_path):
    _, X = test_matrix
    glob = global_explanation(trained.bundle, X)
    contrib = trained.bundle.contributions(X)[:, :-1]
    expected = np.abs(contrib).mean(axis=0)
    ranking = glob.ranking()
    assert [name for name, _ in ranking] == [
        trained.bundle.feature_names[j] for j in np.argsort(-expected, kind="stable")
    ]
    assert ranking[0][1] == pytest.approx(expected.max(), abs=1e-12)
    paths = glob.save_plots(tmp_path, top=2)
    names = sorted(p.name for p in paths)
    top2 = [f"dependence_{ranking[i][0]}.png" for i in range(2)]
    assert names == sorted(["bar.png", "beeswarm.png", *top2])
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_model_settings_are_not_mutated_by_training(fast_settings):
    assert fast_settings.model == ModelSettings(**fast_settings.model.model_dump())
