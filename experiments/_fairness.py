"""The fairness evidence of a training run: the fairness report, the proxy and label-bias views.

The report itself is ``models.fairness``'s; this module prepares the test split
(age bands from birth dates) and writes the evidence files a run logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from risk.errors import DataContractError
from risk.settings import Settings

__all__ = ["AGE_BANDS", "FairnessEvidence", "training_fairness_report", "with_age_band"]

#: Columns carried beside the protected attributes for the label-bias view.
LABEL_BOOKKEEPING = frozenset({"investigated", "label_known"})

#: Age bands (lower bound inclusive, upper bound exclusive) used in fairness reports.
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 25, "<25"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65+"),
)


def _month_day(expr: pl.Expr) -> pl.Expr:
    return expr.dt.month().cast(pl.Int32) * 100 + expr.dt.day().cast(pl.Int32)


def with_age_band(
    frame: pl.DataFrame, *, time_col: str | None = "submitted_at", as_of: date | None = None
) -> pl.DataFrame:
    """Add ``age_band`` from ``birth_date``: the age on ``time_col`` (else on ``as_of``/today).

    Raises
    ------
    DataContractError
        If ``birth_date`` is missing, or a birth date lies after the reference date.
    """
    if "birth_date" not in frame.columns:
        raise DataContractError("test split has no 'birth_date' column to derive 'age_band' from")
    if time_col is not None and time_col in frame.columns:
        ref = pl.col(time_col).cast(pl.Date)
    else:
        ref = pl.lit(as_of or date.today())
    birth = pl.col("birth_date").cast(pl.Date)
    # Month and day come back as Int8: widen before combining them, or 12 * 100 wraps.
    before_birthday = _month_day(ref) < _month_day(birth)
    years = (
        ref.dt.year().cast(pl.Int32)
        - birth.dt.year().cast(pl.Int32)
        - before_birthday.cast(pl.Int32)
    )
    bad = frame.with_row_index("_row").filter(years < 0)
    if bad.height:
        row = bad.row(0, named=True)
        raise DataContractError(
            f"test split row {row['_row']}: birth_date {row['birth_date']} is after the"
            f" application date ({bad.height} such rows)"
        )
    band = pl.lit(None, dtype=pl.String)
    for low, high, name in reversed(AGE_BANDS):
        band = pl.when((years >= low) & (years < high)).then(pl.lit(name)).otherwise(band)
    return frame.with_columns(band.fill_null("unknown").alias("age_band"))


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, pl.DataFrame):
        return value.to_dicts()
    return value


@dataclass
class FairnessEvidence:
    """A fairness report with its optional proxy test and label-bias view.

    Parameters
    ----------
    report
        A ``models.fairness.FairnessReport`` (``verdict``, ``to_dict``, ``key_ratios``).
    proxy, label_bias
        Results of ``proxy_test`` and ``label_bias`` (anything with ``to_dict``, a
        polars frame, or plain JSON), or ``None`` when not computed.
    attributes
        The protected attributes, e.g. ``["nationality", "sex", "age_band", "marital_status"]``.
    """

    report: Any
    proxy: Any = None
    label_bias: Any = None
    attributes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``"pass"`` or ``"fail"`` (the report's overall verdict, lower-cased)."""
        verdict = getattr(self.report, "verdict", None)
        return str(getattr(verdict, "value", verdict)).lower()

    def key_ratios(self) -> dict[str, float]:
        """The report's flat key figures, for logging as metrics."""
        return {k: float(v) for k, v in self.report.key_ratios().items()}

    def write(self, directory: Path) -> list[Path]:
        """Write ``report.json``, ``report.html`` and, when present, ``proxy.json`` and
        ``label_bias.json`` into ``directory``; returns the paths written."""
        from models.fairness import write_html

        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / "report.json", directory / "report.html"]
        written[0].write_text(self.report.to_json(), encoding="utf-8")
        write_html(self.report, written[1], proxy=self.proxy, label_bias=self.label_bias)
        for name, value in (("proxy", self.proxy), ("label_bias", self.label_bias)):
            if value is not None:
                path = directory / f"{name}.json"
                path.write_text(json.dumps(_plain(value), indent=2, default=str), encoding="utf-8")
                written.append(path)
        return written


def fairness_attributes(
    frame: pl.DataFrame, settings: Settings, declared: list[str] | tuple[str, ...] = ()
) -> list[str]:
    """The protected attributes present in ``frame``, birth date as age band.

    They are the configured protected attributes plus those a dataset spec declared
    (``declared``, from the bundle), so an analyst's own table is reported on too.
    """
    out: list[str] = []
    for col in [*settings.protected.columns, *declared]:
        name = "age_band" if col == "birth_date" else col
        if name in frame.columns and name not in out:
            out.append(name)
    return out


def training_fairness_report(
    result: Any, settings: Settings, *, proxy: bool = True
) -> FairnessEvidence:
    """The fairness report of a training result's test split over the protected attributes.

    Parameters
    ----------
    result
        A ``models.TrainResult``: its ``test_frame`` holds ``label``, ``score``,
        ``flag`` and the protected attributes of each test application.
    settings
        The fairness tolerance policy comes from ``settings.fairness``.
    proxy
        Also run the proxy test (cross-validated classifiers per attribute; it does not
        change the verdict).  A simulation's monthly retraining leaves it out: it was
        most of each retraining's cost.
    """
    from models.fairness import FairnessPolicy, fairness_report

    frame = result.test_frame
    if "birth_date" in frame.columns:
        frame = with_age_band(frame, time_col=result.bundle.meta.get("time_column"))
    # A dataset spec names its own protected attributes; the list may also carry the label
    # bookkeeping (investigated, label_known) for the label-bias view: not attributes.
    declared = [c for c in result.bundle.meta.get("protected") or [] if c not in LABEL_BOOKKEEPING]
    groups = fairness_attributes(frame, settings, declared)
    if not groups:
        raise DataContractError(
            "test split holds none of the protected attributes"
            f" {[*settings.protected.columns, *declared]}; cannot report on fairness"
        )
    policy = FairnessPolicy(**settings.fairness.model_dump())
    report = fairness_report(
        frame, label="label", groups=groups, score="score", flag="flag", policy=policy
    )
    return FairnessEvidence(
        report=report,
        proxy=_proxy(result, frame, groups, settings) if proxy else None,
        label_bias=_label_bias(frame, groups, settings),
        attributes=groups,
    )


def _proxy_features(result: Any, height: int) -> pl.DataFrame | None:
    """Encoded test features aligned with the test split's rows, when they can be had.

    ``result.test_features`` is used when the training result carries it; otherwise the
    global explanation's sample, when it holds the whole test split in order (or says
    which rows it sampled in ``rows``).
    """
    features = getattr(result, "test_features", None)
    if features is not None:
        return features
    glob = result.global_explanation
    names = list(result.bundle.feature_names)
    data = pl.DataFrame(glob.data, schema=names, orient="row")
    if data.height == height:
        return data
    return None


def _proxy(result: Any, frame: pl.DataFrame, groups: list[str], settings: Settings) -> Any:
    """How well the features predict each protected attribute (when features are at hand)."""
    features = _proxy_features(result, frame.height)
    if features is None:
        rows = getattr(result.global_explanation, "rows", None)
        if rows is None:
            return None
        features = pl.DataFrame(
            result.global_explanation.data, schema=list(result.bundle.feature_names), orient="row"
        )
        frame = frame[list(rows)]
    from models.fairness import proxy_test

    return proxy_test(features, frame.select(groups), seed=settings.fairness.seed)


def _label_bias(frame: pl.DataFrame, groups: list[str], settings: Settings) -> Any:
    """Investigation and confirmation rates by group (when the test split says who was
    investigated).  A label counts as confirmed only where it was known (``label_known``)."""
    if "investigated" not in frame.columns:
        return None
    from models.fairness import label_bias

    if "confirmed" not in frame.columns:
        known = pl.col("label_known") if "label_known" in frame.columns else pl.lit(True)
        confirmed = pl.when(known).then(pl.col("label")).otherwise(None).alias("confirmed")
        frame = frame.with_columns(confirmed)
    truth = "truth" if "truth" in frame.columns else None
    return label_bias(
        frame,
        groups,
        investigated="investigated",
        confirmed="confirmed",
        truth=truth,
        min_group_size=settings.fairness.min_group_size,
    )
