"""Training on an analyst's own table through a dataset spec, and its error paths."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from models_tables import SPEC, make_table

from models import read_spec, train_table
from models._split import assign_splits
from risk.errors import DataContractError, DataFileError, SpecError
from risk.settings import SplitSettings


def test_spec_path_trains_a_useful_model(trained):
    m = trained.metrics["model"]
    assert m["n"] == 1200 and m["roc_auc"] > 0.85
    assert m["lift_at_capacity"] > 3
    assert set(trained.splits) == {"train", "valid", "test"}
    assert [trained.splits[s]["rows"] for s in ("train", "valid", "test")] == [3600, 1200, 1200]


def test_time_split_never_leaks(trained):
    s = trained.splits
    assert s["train"]["time_max"] < s["valid"]["time_min"]
    assert s["valid"]["time_max"] < s["test"]["time_min"]


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.integers(0, 30), min_size=12, max_size=200),
)
def test_time_split_is_strict_even_with_ties(days):
    frame = pl.DataFrame({"t": days}).with_columns(pl.col("t").cast(pl.Int64))
    try:
        split = assign_splits(frame, "t", SplitSettings())
    except DataContractError as exc:
        assert "too coarse for a time split" in exc.message
        return
    t = frame["t"].to_numpy()
    s = split.to_numpy()
    assert len(s) == len(days)
    assert t[s == "train"].max() < t[s == "valid"].min()
    assert t[s == "valid"].max() < t[s == "test"].min()


def test_test_frame_carries_audit_attributes_not_as_features(trained):
    frame = trained.test_frame
    assert frame.columns == [
        "case_id",
        "opened_at",
        "gender",
        "label",
        "margin",
        "score",
        "band",
        "flag",
    ]
    assert "gender" not in trained.bundle.feature_names
    assert frame["flag"].to_list() == (frame["band"] != "low").to_list()
    assert frame.height == 1200 and frame["case_id"].is_unique().all()


def test_reasons_render_values_in_english_and_indonesian(trained, table_files):
    rows = pl.read_csv(table_files[0]).tail(50)
    for lang in ("en", "id"):
        for expl, row in zip(
            trained.bundle.explain(rows, lang=lang), rows.iter_rows(named=True), strict=True
        ):
            for reason in expl.raised + expl.lowered:
                assert reason.text != reason.feature
                assert reason.value == row[reason.feature]
    row = rows.row(0, named=True) | {"amount": 1234.5, "region": "north", "prior_flag": True}
    en = {r.feature: r.text for r in _all(trained.bundle.score_one(row, top=7))}
    idn = {r.feature: r.text for r in _all(trained.bundle.score_one(row, top=7, lang="id"))}
    assert en["amount"] == "Declared amount of 1,234 USD"  # whole units from 1,000
    assert idn["amount"] == "Jumlah yang dinyatakan 1.234 USD"
    assert en["region"] == "Region of the office: north"
    assert (en["prior_flag"], idn["prior_flag"]) == ("Flagged before: yes", "Flagged before: ya")


def _all(case):
    return case.raised + case.lowered


def test_unseen_category_scores_as_missing(trained, table_files):
    row = pl.read_csv(table_files[0]).row(0, named=True)
    unseen = trained.bundle.score_one(row | {"region": "atlantis"})
    missing = trained.bundle.score_one(row | {"region": None})
    assert unseen.margin == missing.margin
    texts = [r.text for r in _all(unseen) if r.feature == "region"]
    assert texts in ([], ["Region of the office: atlantis"])


def test_unknown_language_is_refused(trained, table_files):
    from risk.errors import RequestValidationError

    row = pl.read_csv(table_files[0]).row(0, named=True)
    with pytest.raises(RequestValidationError, match="lang must be en or id, got 'fr'"):
        trained.bundle.score_one(row, lang="fr")


def test_untimed_spec_splits_by_seeded_shuffle(tmp_path, fast_settings):
    table, spec = tmp_path / "t.parquet", tmp_path / "s.toml"
    make_table(2000).drop("opened_at").write_parquet(table)
    spec.write_text(SPEC.replace('time = "opened_at"\n', ""))
    result = train_table(table, spec, settings=fast_settings)
    assert [result.splits[s]["rows"] for s in ("train", "valid", "test")] == [1200, 400, 400]
    assert "time_min" not in result.splits["train"]


def _spec(tmp_path, text):
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace('label = "violation"\n', ""),
            "field 'dataset.label' must be a non-empty string, got None",
        ),
        (
            lambda s: s.replace('"amount", "x2"', '"amount", "gender", "x2"'),
            "field 'dataset.features' lists 'gender', which is a protected attribute and never"
            " a feature",
        ),
        (
            lambda s: s.replace('"amount", "x2"', '"amount", "case_id", "x2"'),
            "field 'dataset.features' lists 'case_id', which is the id column",
        ),
        (
            lambda s: s.replace('categorical = ["region"]', 'categorical = ["zone"]'),
            "field 'dataset.categorical' lists 'zone', which is not a feature",
        ),
        (
            lambda s: s.replace("features = [", "features = 3 #"),
            "field 'dataset.features' must be a list of column names, got 3",
        ),
        (
            lambda s: s.replace(
                'reason_en = "Declared amount of {value} {unit}"', 'reason_en = "Declared amount"'
            ),
            "[feature.amount] reason_en must show the case's value with {value}",
        ),
        (
            lambda s: s.replace("[feature.region]", "[feature.zone]"),
            "[feature.zone] describes a column that is not a feature",
        ),
        (
            lambda s: s.replace('description = "Flagged before"', 'colour = "red"'),
            "[feature.prior_flag] has unknown keys (colour); use description, reason_en,"
            " reason_id or unit",
        ),
        (lambda s: s.replace("[dataset]", "[data]"), "table [dataset] is missing"),
    ],
)
def test_spec_errors_name_file_and_field(tmp_path, edit, message):
    path = _spec(tmp_path, edit(SPEC))
    with pytest.raises(SpecError) as err:
        read_spec(path)
    assert err.value.message == f"{path}: {message}"


def test_old_audit_only_key_is_read_as_protected_with_a_warning(tmp_path):
    path = _spec(tmp_path, SPEC.replace("protected = [", "audit_only = ["))
    message = (
        f"{path}: field 'dataset.audit_only' is deprecated and will be removed in the next"
        " release; rename it 'dataset.protected'"
    )
    with pytest.warns(FutureWarning) as caught:
        spec = read_spec(path)
    assert [str(w.message) for w in caught] == [message]
    assert spec.protected == ("gender",)


def test_spec_with_both_protected_and_audit_only_is_refused(tmp_path):
    path = _spec(tmp_path, SPEC.replace("protected = [", 'audit_only = ["x2"]\nprotected = ['))
    with pytest.raises(SpecError) as err:
        read_spec(path)
    assert err.value.message == (
        f"{path}: fields 'dataset.protected' and 'dataset.audit_only' are both given;"
        " keep 'dataset.protected' ('dataset.audit_only' is its deprecated name)"
    )


def test_spec_that_is_not_toml(tmp_path):
    path = _spec(tmp_path, "[dataset\n")
    with pytest.raises(SpecError, match=f"^{path} is not valid TOML: "):
        read_spec(path)


def test_missing_spec(tmp_path):
    with pytest.raises(SpecError) as err:
        read_spec(tmp_path / "none.toml")
    assert err.value.message == f"dataset spec {tmp_path / 'none.toml'} does not exist"


def _table_error(tmp_path, frame, fast_settings, exc=DataContractError):
    table = tmp_path / "cases.csv"
    frame.write_csv(table)
    with pytest.raises(exc) as err:
        train_table(table, _spec(tmp_path, SPEC), settings=fast_settings)
    return table, err.value.message


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    return make_table(300)


def test_table_missing_a_column(tmp_path, small, fast_settings):
    table, msg = _table_error(tmp_path, small.drop("x4"), fast_settings)
    assert msg == f"table {table} lacks column(s) ['x4'] named in {tmp_path / 'spec.toml'}"


def test_table_with_a_repeated_id(tmp_path, small, fast_settings):
    frame = small.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("c00002"))
        .otherwise("case_id")
        .alias("case_id")
    )
    table, msg = _table_error(tmp_path, frame, fast_settings)
    assert msg == f"table {table} row 8 column 'case_id': id 'c00002' is repeated"


def test_table_with_a_bad_label(tmp_path, small, fast_settings):
    labels = small["violation"].to_numpy().copy()
    labels[4] = 2
    table, msg = _table_error(tmp_path, small.with_columns(violation=labels), fast_settings)
    assert msg == f"table {table} row 5 column 'violation': label 2 is not 0/1 or true/false"


def test_table_with_a_bad_time(tmp_path, small, fast_settings):
    times = small["opened_at"].to_list()
    times[10] = "yesterday"
    table, msg = _table_error(
        tmp_path, small.with_columns(opened_at=pl.Series(times)), fast_settings
    )
    assert msg == f"table {table} row 11 column 'opened_at': 'yesterday' is not a date or time"


def test_table_with_text_in_a_numeric_feature(tmp_path, small, fast_settings):
    from risk.errors import FeatureError

    amounts = small["amount"].cast(pl.String).to_list()
    amounts[3] = "lots"
    _, msg = _table_error(
        tmp_path, small.with_columns(amount=pl.Series(amounts)), fast_settings, FeatureError
    )
    assert msg.startswith("feature column 'amount' is numeric but holds String values")


def test_missing_table_file(tmp_path, fast_settings):
    with pytest.raises(DataFileError) as err:
        train_table(tmp_path / "no.csv", _spec(tmp_path, SPEC), settings=fast_settings)
    assert err.value.message == f"table {tmp_path / 'no.csv'} does not exist"


def test_metrics_on_test_are_consistent_with_the_test_frame(trained):
    from sklearn.metrics import roc_auc_score

    frame = trained.test_frame
    auc = roc_auc_score(frame["label"].to_numpy(), frame["score"].to_numpy())
    assert trained.metrics["model"]["roc_auc"] == pytest.approx(auc, abs=1e-12)
    assert trained.metrics["model"]["positives"] == int(frame["label"].sum())
    assert np.isclose(trained.metrics["model"]["flag_rate"], 0.05, atol=1e-3)


def test_score_one_names_a_missing_or_malformed_feature(trained, table_files):
    from risk.errors import FeatureError

    row = pl.read_csv(table_files[0]).row(0, named=True)
    with pytest.raises(FeatureError) as err:
        trained.bundle.score_one({k: v for k, v in row.items() if k != "x3"})
    assert err.value.message == "case lacks feature 'x3'"
    with pytest.raises(FeatureError) as err:
        trained.bundle.score_one(row | {"amount": "lots"})
    assert err.value.message == "feature 'amount' is numeric but the case gives 'lots'"
