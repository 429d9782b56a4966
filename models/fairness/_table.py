"""Reading and checking the scored table an report runs on."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl

from risk.errors import DataFileError, RequestValidationError

__all__ = ["MISSING", "SEP", "ReportInputs", "attribute_values", "check_inputs", "read_scores"]

#: Group value given to rows whose protected attribute is null (they are never dropped).
MISSING = "<missing>"
#: Joins attribute names and values of an intersection: ``"sex|nationality"``, ``"F|IDN"``.
SEP = "|"


@dataclass(frozen=True)
class ReportInputs:
    """The checked arrays of a fairness report: truth, flag, optional score."""

    y: np.ndarray
    f: np.ndarray
    score: np.ndarray | None


def read_scores(path: str | Path) -> pl.DataFrame:
    """Read a scored table from Parquet (``.parquet``, ``.pq``, a folder of parts) or CSV.

    Raises
    ------
    DataFileError
        The file is missing, unreadable or of another format.
    """
    from risk.io import is_partitioned, scan_parquet_path

    path = Path(path)
    if is_partitioned(path):
        return scan_parquet_path(path).collect()
    if not path.is_file():
        raise DataFileError(f"{path}: scores file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return pl.read_parquet(path)
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataFileError(f"{path}: cannot read scores file: {exc}") from exc
    raise DataFileError(f"{path}: unsupported format {suffix!r}; use .parquet or .csv")


def _need(frame: pl.DataFrame, col: str, role: str, source: str) -> pl.Series:
    if col not in frame.columns:
        raise RequestValidationError(
            f"{source}: {role} column {col!r} not found; columns are {frame.columns}"
        )
    return frame.get_column(col)


def _binary(s: pl.Series, role: str, source: str) -> np.ndarray:
    if s.dtype == pl.Boolean:
        s = s.cast(pl.Int8)
    elif not s.dtype.is_numeric():
        raise RequestValidationError(
            f"{source}: {role} column {s.name!r} must be binary (0/1 or true/false), "
            f"got type {s.dtype}"
        )
    values = s.cast(pl.Float64)
    bad = values.is_null() | values.is_nan() | ~values.is_in([0.0, 1.0])
    if bad.any():
        row = int(bad.arg_true()[0])
        raise RequestValidationError(
            f"{source}: {role} column {s.name!r} must be binary (0/1), row {row} has {s[row]!r}"
        )
    return values.to_numpy().astype(np.int8)


def _score(s: pl.Series, source: str) -> np.ndarray:
    if not s.dtype.is_numeric():
        raise RequestValidationError(
            f"{source}: score column {s.name!r} must be numeric, got type {s.dtype}"
        )
    values = s.cast(pl.Float64)
    bad = values.is_null() | values.is_nan() | (values < 0) | (values > 1)
    if bad.fill_null(True).any():
        row = int(bad.fill_null(True).arg_true()[0])
        raise RequestValidationError(
            f"{source}: score column {s.name!r} must lie in [0, 1], row {row} has {s[row]!r}"
        )
    return values.to_numpy()


def check_inputs(
    frame: pl.DataFrame,
    *,
    label: str,
    groups: list[str],
    score: str | None,
    threshold: float | None,
    flag: str | None,
    source: str,
) -> ReportInputs:
    """Check the columns and arguments of an report and return its arrays.

    Raises
    ------
    RequestValidationError
        A column is missing, a label or flag is not binary, a score is outside [0, 1],
        or the score/threshold/flag combination is not one of the two allowed.
    """
    if flag is not None and threshold is not None:
        raise RequestValidationError(
            f"{source}: give either a score with a threshold or a flag column, not both "
            f"(threshold={threshold!r}, flag={flag!r})"
        )
    if flag is None and (score is None or threshold is None):
        raise RequestValidationError(
            f"{source}: give either a score column with a threshold, or a flag column "
            f"(score={score!r}, threshold={threshold!r}, flag=None)"
        )
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise RequestValidationError(f"{source}: threshold must lie in [0, 1], got {threshold!r}")
    if not groups:
        raise RequestValidationError(
            f"{source}: name at least one group (protected attribute) column"
        )
    if len(set(groups)) != len(groups):
        raise RequestValidationError(f"{source}: group columns repeat: {groups}")
    for g in groups:
        _need(frame, g, "group", source)
        if g in {label, score, flag}:
            raise RequestValidationError(
                f"{source}: group column {g!r} is also the label/score/flag"
            )
    if frame.height == 0:
        raise RequestValidationError(f"{source}: the table has no rows")
    y = _binary(_need(frame, label, "label", source), "label", source)
    s = _score(_need(frame, score, "score", source), source) if score is not None else None
    if flag is not None:
        f = _binary(_need(frame, flag, "flag", source), "flag", source)
    else:
        f = (s >= threshold).astype(np.int8)  # a score at the threshold is flagged
    return ReportInputs(y=y, f=f, score=s)


def _as_text(s: pl.Series, source: str) -> pl.Series:
    try:
        return s.cast(pl.String).fill_null(MISSING)
    except pl.exceptions.PolarsError as exc:
        raise RequestValidationError(
            f"{source}: group column {s.name!r} of type {s.dtype} cannot serve as groups; "
            "use text, categories, integers or booleans"
        ) from exc


def attribute_values(
    frame: pl.DataFrame, groups: list[str], intersections: bool, source: str = "table"
) -> dict[str, pl.Series]:
    """Group value of every row for each protected attribute (and pair, with intersections).

    Values are strings; nulls become :data:`MISSING`.
    """
    single = {g: _as_text(frame.get_column(g), source) for g in groups}
    out = dict(single)
    if intersections:
        for a, b in combinations(groups, 2):
            name = f"{a}{SEP}{b}"
            pair = pl.DataFrame([single[a], single[b]])
            out[name] = pair.select(
                pl.concat_str([pl.col(a), pl.col(b)], separator=SEP).alias(name)
            ).to_series()
    return out
