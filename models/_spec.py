"""Dataset specs: analysts' own feature tables described in a small TOML file.

Example::

    [dataset]
    id = "case_id"
    time = "opened_at"              # optional: without it the split is a seeded shuffle
    label = "violation"             # 0/1 or true/false, no missing values
    protected = ["gender"]          # protected attributes: in fairness reports, never features
    categorical = ["region"]
    boolean = ["flagged_before"]    # optional; other features are numeric
    features = ["amount", "region", "flagged_before"]

``audit_only`` is the deprecated name of ``protected``: still read, with a
``FutureWarning``, until the next release.

    [feature.amount]                # optional wording of reasons
    description = "Declared amount"
    unit = "USD"
    reason_en = "Declared amount of {value} {unit}"
    reason_id = "Jumlah yang dinyatakan {value} {unit}"
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models._reasons import FeatureText
from models._schema import FeatureKind
from risk.errors import SpecError
from risk.text import listing

__all__ = ["DatasetSpec", "read_spec"]

_TEXT_KEYS = {"description", "unit", "reason_en", "reason_id"}


@dataclass(frozen=True)
class DatasetSpec:
    """What a feature table holds: id, time, label, protected and feature columns."""

    path: Path
    id: str
    label: str
    features: tuple[str, ...]
    time: str | None = None
    protected: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    boolean: tuple[str, ...] = ()
    texts: dict[str, FeatureText] = field(default_factory=dict)

    @property
    def kinds(self) -> dict[str, FeatureKind]:
        """Kind of every feature, in spec order."""
        return {
            f: "categorical"
            if f in self.categorical
            else "boolean"
            if f in self.boolean
            else "numeric"
            for f in self.features
        }

    def hash(self) -> str:
        """Hash of the features and their wording: the spec's "catalogue hash"."""
        body = {
            "features": self.kinds,
            "texts": {n: vars(t) for n, t in sorted(self.texts.items())},
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def read_spec(path: str | Path) -> DatasetSpec:
    """Read and check a dataset spec.

    Raises
    ------
    SpecError
        Naming the file and field when the spec is missing, not TOML, or inconsistent.
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"dataset spec {path} does not exist")
    try:
        raw = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path} is not valid TOML: {exc}") from exc
    ds = raw.get("dataset")
    if not isinstance(ds, dict):
        raise SpecError(f"{path}: table [dataset] is missing")
    spec = DatasetSpec(
        path=path,
        id=_str(ds, "id", path),
        label=_str(ds, "label", path),
        time=_str(ds, "time", path) if "time" in ds else None,
        features=_names(ds, "features", path, required=True),
        protected=_protected(ds, path),
        categorical=_names(ds, "categorical", path),
        boolean=_names(ds, "boolean", path),
        texts=_texts(raw.get("feature", {}), path),
    )
    _check_consistent(spec)
    return spec


def _str(ds: dict[str, Any], key: str, path: Path) -> str:
    value = ds.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(f"{path}: field 'dataset.{key}' must be a non-empty string, got {value!r}")
    return value


def _names(ds: dict[str, Any], key: str, path: Path, *, required: bool = False) -> tuple[str, ...]:
    value = ds.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SpecError(
            f"{path}: field 'dataset.{key}' must be a list of column names, got {value!r}"
        )
    if required and not value:
        raise SpecError(f"{path}: field 'dataset.{key}' must name at least one column")
    if len(set(value)) != len(value):
        raise SpecError(f"{path}: field 'dataset.{key}' repeats a column: {value}")
    return tuple(value)


def _protected(ds: dict[str, Any], path: Path) -> tuple[str, ...]:
    """``dataset.protected``, or its deprecated name ``dataset.audit_only``."""
    if "audit_only" not in ds:
        return _names(ds, "protected", path)
    if "protected" in ds:
        raise SpecError(
            f"{path}: fields 'dataset.protected' and 'dataset.audit_only' are both given;"
            " keep 'dataset.protected' ('dataset.audit_only' is its deprecated name)"
        )
    warnings.warn(
        f"{path}: field 'dataset.audit_only' is deprecated and will be removed in the next"
        " release; rename it 'dataset.protected'",
        FutureWarning,
        stacklevel=3,
    )
    return _names(ds, "audit_only", path)


def _texts(raw: Any, path: Path) -> dict[str, FeatureText]:
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: [feature] must be a table of per-feature tables")
    out: dict[str, FeatureText] = {}
    for name, body in raw.items():
        if not isinstance(body, dict) or set(body) - _TEXT_KEYS:
            extra = sorted(set(body) - _TEXT_KEYS) if isinstance(body, dict) else body
            raise SpecError(
                f"{path}: [feature.{name}] has unknown keys"
                f" ({listing(extra) if isinstance(extra, list) else extra}); use"
                f" {listing(sorted(_TEXT_KEYS), conjunction='or')}"
            )
        out[name] = FeatureText(
            description=str(body.get("description", name)),
            unit=str(body.get("unit", "")),
            reason_en=body.get("reason_en"),
            reason_id=body.get("reason_id"),
        )
    return out


def _check_consistent(spec: DatasetSpec) -> None:
    p = spec.path
    roles = {spec.id: "id", spec.label: "label", **({spec.time: "time"} if spec.time else {})}
    for f in spec.features:
        if f in roles:
            raise SpecError(
                f"{p}: field 'dataset.features' lists {f!r}, which is the {roles[f]} column"
            )
        if f in spec.protected:
            raise SpecError(
                f"{p}: field 'dataset.features' lists {f!r}, which is a protected attribute"
                " and never a feature"
            )
    for key in ("categorical", "boolean"):
        for f in getattr(spec, key):
            if f not in spec.features:
                raise SpecError(f"{p}: field 'dataset.{key}' lists {f!r}, which is not a feature")
    both = set(spec.categorical) & set(spec.boolean)
    if both:
        raise SpecError(
            f"{p}: {listing(sorted(both))} {'is' if len(both) == 1 else 'are'} both"
            " categorical and boolean"
        )
    for name in spec.texts:
        if name not in spec.features:
            raise SpecError(f"{p}: [feature.{name}] describes a column that is not a feature")
    for name in spec.features:
        spec.texts.setdefault(name, FeatureText(description=name))
    for name, text in spec.texts.items():
        for lang in ("reason_en", "reason_id"):
            template = getattr(text, lang)
            if template is not None and "{value}" not in template:
                raise SpecError(
                    f"{p}: [feature.{name}] {lang} must show the case's value with {{value}}"
                )


def load_spec_table(table_path: str | Path, spec: DatasetSpec) -> tuple:
    """Read the table a spec describes and check it; returns ``(frame, labels)``.

    Raises
    ------
    DataFileError
        If the file is missing or not CSV / Parquet.
    DataContractError
        Naming the file, row and column of a missing column, a repeated id, a missing
        or unparsable time, or a label that is not 0/1 or true/false.
    """
    import numpy as np
    import polars as pl

    from risk.errors import DataContractError, DataFileError
    from risk.io import is_partitioned, scan_parquet_path

    path = Path(table_path)
    if not path.is_file() and not is_partitioned(path):
        raise DataFileError(f"table {path} does not exist")
    try:
        if path.is_dir():
            frame = scan_parquet_path(path).collect()
        elif path.suffix.lower() == ".parquet":
            frame = pl.read_parquet(path)
        elif path.suffix.lower() == ".csv":
            frame = pl.read_csv(path, infer_schema_length=10_000)
        else:
            raise DataFileError(f"table {path} must be .csv or .parquet")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataFileError(f"table {path} could not be read: {exc}") from exc
    needed = [
        spec.id,
        spec.label,
        *([spec.time] if spec.time else []),
        *spec.features,
        *spec.protected,
    ]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataContractError(f"table {path} lacks column(s) {missing} named in {spec.path}")
    repeat = ~frame.get_column(spec.id).is_first_distinct()
    if repeat.any():
        row = int(repeat.arg_true()[0])
        raise DataContractError(
            f"table {path} row {row + 1} column {spec.id!r}: id {frame[spec.id][row]!r} is repeated"
        )
    if spec.time:
        frame = frame.with_columns(_parse_time(frame.get_column(spec.time), path))
    labels = _labels(frame.get_column(spec.label), path)
    return frame, np.asarray(labels, dtype=np.int8)


def _parse_time(col, path: Path):
    import polars as pl

    from risk.errors import DataContractError

    parsed = col
    if col.dtype == pl.String:
        parsed = col.str.to_datetime(strict=False, time_unit="us")
    elif col.dtype == pl.Date:
        parsed = col.cast(pl.Datetime("us"))
    if not parsed.dtype.is_temporal():
        raise DataContractError(f"table {path} column {col.name!r} is {col.dtype}, not a time")
    bad = parsed.is_null()
    if bad.any():
        row = int(bad.arg_true()[0])
        raise DataContractError(
            f"table {path} row {row + 1} column {col.name!r}: {col[row]!r} is not a date or time"
        )
    return parsed


def _labels(col, path: Path):
    import polars as pl

    from risk.errors import DataContractError

    if col.dtype == pl.Boolean:
        ok = col.is_not_null()
    elif col.dtype.is_numeric():
        ok = col.cast(pl.Float64).is_in([0.0, 1.0]).fill_null(False)
    else:
        ok = pl.Series([False] * len(col))
    if not ok.all():
        row = int((~ok).arg_true()[0])
        raise DataContractError(
            f"table {path} row {row + 1} column {col.name!r}: label {col[row]!r} is not 0/1 or"
            " true/false"
        )
    return col.cast(pl.Float64).cast(pl.Int8).to_numpy()
