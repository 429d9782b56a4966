"""Bad input to an report gets a clear error naming the table, column, row and value."""

from __future__ import annotations

import polars as pl
import pytest

from models.fairness import FairnessPolicy, fairness_report, read_scores
from risk.errors import DataFileError, RequestValidationError

P = FairnessPolicy(bootstrap=0)


def _frame(**over) -> pl.DataFrame:
    cols = {
        "y": [0, 1, 0, 1],
        "s": [0.1, 0.9, 0.4, 0.6],
        "f": [0, 1, 0, 1],
        "g": ["a", "a", "b", "b"],
    }
    cols.update(over)
    return pl.DataFrame(cols)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (
            _frame(),
            {"label": "truth", "score": "s", "threshold": 0.5},
            "scores.csv: label column 'truth' not found; columns are ['y', 's', 'f', 'g']",
        ),
        (
            _frame(),
            {"label": "y", "score": "s", "threshold": 0.5, "groups": ["nationality"]},
            "scores.csv: group column 'nationality' not found",
        ),
        (
            _frame(y=[0, 1, 2, 1]),
            {"label": "y", "flag": "f"},
            "scores.csv: label column 'y' must be binary (0/1), row 2 has 2",
        ),
        (
            _frame(y=["no", "yes", "no", "yes"]),
            {"label": "y", "flag": "f"},
            "scores.csv: label column 'y' must be binary (0/1 or true/false), got type String",
        ),
        (
            _frame(y=[0, None, 0, 1]),
            {"label": "y", "flag": "f"},
            "scores.csv: label column 'y' must be binary (0/1), row 1 has None",
        ),
        (
            _frame(s=[0.1, 1.5, 0.4, 0.6]),
            {"label": "y", "score": "s", "threshold": 0.5},
            "scores.csv: score column 's' must lie in [0, 1], row 1 has 1.5",
        ),
        (
            _frame(s=[0.1, 0.5, -0.1, 0.6]),
            {"label": "y", "score": "s", "flag": "f"},
            "scores.csv: score column 's' must lie in [0, 1], row 2 has -0.1",
        ),
        (
            _frame(),
            {"label": "y", "score": "s", "threshold": 0.5, "flag": "f"},
            "scores.csv: give either a score with a threshold or a flag column, not both "
            "(threshold=0.5, flag='f')",
        ),
        (
            _frame(),
            {"label": "y"},
            "scores.csv: give either a score column with a threshold, or a flag column "
            "(score=None, threshold=None, flag=None)",
        ),
        (
            _frame(),
            {"label": "y", "score": "s"},
            "scores.csv: give either a score column with a threshold, or a flag column "
            "(score='s', threshold=None, flag=None)",
        ),
        (
            _frame(),
            {"label": "y", "score": "s", "threshold": 1.5},
            "scores.csv: threshold must lie in [0, 1], got 1.5",
        ),
        (
            _frame(),
            {"label": "y", "flag": "f", "reference": {"g": "c"}},
            "scores.csv: reference value 'c' does not occur in attribute 'g' (values: ['a', 'b'])",
        ),
        (
            _frame(),
            {"label": "y", "flag": "f", "reference": {"sex": "F"}},
            "scores.csv: reference given for 'sex', which is not a reported attribute (g)",
        ),
        (
            _frame(),
            {"label": "y", "flag": "f", "groups": []},
            "scores.csv: name at least one group (protected attribute) column",
        ),
        (
            _frame(),
            {"label": "y", "flag": "f", "groups": ["y"]},
            "scores.csv: group column 'y' is also the label/score/flag",
        ),
    ],
)
def test_bad_input_is_named(frame, kwargs, message):
    kwargs = {"groups": ["g"], "policy": P, "source": "scores.csv"} | kwargs
    with pytest.raises(RequestValidationError) as err:
        fairness_report(frame, **kwargs)
    assert err.value.message.startswith(message), err.value.message


def test_a_group_column_that_is_not_text_like_is_named():
    frame = _frame().with_columns(g=pl.Series([[1], [2], [1], [2]]))
    with pytest.raises(RequestValidationError) as err:
        fairness_report(frame, label="y", flag="f", groups=["g"], policy=P)
    assert err.value.message == (
        "table: group column 'g' of type List(Int64) cannot serve as groups; "
        "use text, categories, integers or booleans"
    )


def test_integer_and_boolean_groups_become_text():
    frame = _frame(g=[1, 1, 2, 2], h=[True, False, True, None])
    report = fairness_report(frame, label="y", flag="f", groups=["g", "h"], policy=P)
    assert list(report.attributes["g"].groups) == ["1", "2"]
    assert list(report.attributes["h"].groups) == ["<missing>", "false", "true"]


def test_boolean_label_and_flag_are_accepted():
    frame = _frame(y=[False, True, False, True], f=[False, True, True, True])
    report = fairness_report(frame, label="y", flag="f", groups=["g"], policy=P)
    assert report.overall["positives"] == 2 and report.overall["flagged"] == 3


def test_read_scores_parquet_and_csv_give_the_same_report(tmp_path):
    frame = _frame()
    frame.write_parquet(tmp_path / "s.parquet")
    frame.write_csv(tmp_path / "s.csv")
    results = [
        fairness_report(read_scores(tmp_path / name), label="y", flag="f", groups=["g"], policy=P)
        for name in ("s.parquet", "s.csv")
    ]
    assert results[0].attributes["g"].groups == results[1].attributes["g"].groups


def test_read_scores_errors(tmp_path):
    with pytest.raises(DataFileError, match=r"missing\.parquet: scores file not found"):
        read_scores(tmp_path / "missing.parquet")
    (tmp_path / "s.xlsx").write_text("x")
    with pytest.raises(DataFileError, match=r"s\.xlsx: unsupported format '\.xlsx'"):
        read_scores(tmp_path / "s.xlsx")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(DataFileError, match=r"bad\.parquet: cannot read scores file"):
        read_scores(tmp_path / "bad.parquet")
