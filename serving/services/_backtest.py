"""Evidence from the store: a period of the inference log replayed through model versions.

A backtest replays it through one version; a comparison through the champion and a
challenger, joined with the reviews the service made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Bundle
from models._backtest import replay_logged
from models._logged_rows import row_map
from models._schema import FeatureSchema
from risk.clock import Clock
from risk.errors import RequestValidationError
from risk.settings import Settings
from serving.store import Score, raw_table

from ._encodings import logged_encodings
from ._export import reviews_frame
from ._monitoring import GROUP_COLUMNS

__all__ = [
    "LOGGED_SCHEMA",
    "Backtest",
    "backtest_store",
    "compare_store",
    "logged_scores",
    "period_bounds",
    "readable_encodings",
]

#: The inference log as a backtest reads it: ``features`` is the stored JSON text, null
#: where the readers take the encoded row instead (see :func:`logged_scores`).
LOGGED_SCHEMA: dict[str, Any] = {
    "score_id": pl.String,
    "application_id": pl.String,
    "model_version": pl.String,
    "scored_at": pl.Datetime("us"),
    "logged_margin": pl.Float64,
    "logged_score": pl.Float64,
    "logged_flag": pl.Boolean,
    "route": pl.String,
    "review_propensity": pl.Float64,
    **{g: pl.String for g in GROUP_COLUMNS},
    "features": pl.String,
    "encoded_features": pl.Binary,
    "feature_encoding": pl.String,
}


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00, the day after end 00:00)``: both days included.

    Raises
    ------
    RequestValidationError
        The period ends before it starts.
    """
    if end < start:
        raise RequestValidationError(f"the period ends ({end}) before it starts ({start})")
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(
        end + dt.timedelta(days=1), dt.time()
    )


def logged_scores(
    session: Session, start: dt.date, end: dt.date, *, readers: Sequence[Bundle] = ()
) -> pl.DataFrame:
    """Every score logged from ``start`` to ``end`` (both days included), in log order.

    Parameters
    ----------
    session
        A reading session of the store.
    start, end
        The period's first and last day.
    readers
        The models the rows are for.  A row's encoded bytes are read when some reader
        can read them, its JSON text unless every reader can read the bytes alone
        (:func:`readable_encodings`); without readers, the JSON text of every row.

    Raises
    ------
    RequestValidationError
        The period is backwards, or no score was logged in it (the log's first and
        last days are named).
    """
    lo, hi = period_bounds(start, end)
    apps = raw_table("applications")
    encodings = logged_encodings(session) if readers else {}
    bytes_alone, some = readable_encodings(encodings, readers)
    no_json, encoded = Score.feature_encoding.in_(bytes_alone), Score.feature_encoding.in_(some)
    query = (
        sa.select(
            Score.score_id,
            Score.application_id,
            Score.model_version,
            Score.created_at,
            Score.margin,
            Score.score,
            Score.model_flag,
            Score.route,
            Score.review_propensity,
            *(apps.c[g] for g in GROUP_COLUMNS),
            # the stored text itself, parsed once, in bulk, with the model's types; only
            # where the encoded row will not do
            sa.case((no_json, sa.null()), else_=sa.cast(Score.features, sa.Text)),
            sa.case((encoded, Score.encoded_features), else_=sa.null()),
            Score.feature_encoding,
        )
        .join(apps, apps.c.application_id == Score.application_id)
        .where(Score.created_at >= lo, Score.created_at < hi)
        .order_by(Score.created_at, Score.score_id)
    )
    rows = session.connection().execute(query).all()
    if not rows:
        raise RequestValidationError(_empty(session, start, end))
    columns = list(zip(*rows, strict=True))
    return pl.DataFrame(
        {name: list(col) for name, col in zip(LOGGED_SCHEMA, columns, strict=True)},
        schema=LOGGED_SCHEMA,
    )


def readable_encodings(
    encodings: Mapping[str, FeatureSchema], readers: Sequence[Bundle]
) -> tuple[list[str], list[str]]:
    """The encodings whose rows every reader reads from their bytes alone (no JSON
    needed), and those some reader reads at least partly from their bytes.

    A reader that needs a feature the encoding lacks reads the rows' JSON; one that
    knows a category the encoding did not reads the bytes, and the JSON of the rows
    holding that category as unknown.
    """
    alone, some = [], []
    for encoding, schema in encodings.items():
        maps = [row_map(schema, r.schema) for r in readers]
        if all(m is not None and not m.recheck for m in maps):
            alone.append(encoding)
        if any(m is not None for m in maps):
            some.append(encoding)
    return sorted(alone), sorted(some)


def _empty(session: Session, start: dt.date, end: dt.date) -> str:
    first, last = session.execute(
        sa.select(sa.func.min(Score.created_at), sa.func.max(Score.created_at))
    ).one()
    held = (
        "the inference log is empty"
        if first is None
        else f"the inference log holds scores from {first.date()} to {last.date()}"
    )
    return f"no application was scored from {start} to {end}; {held}"


@dataclass(frozen=True)
class Backtest:
    """A replayed period.

    Attributes
    ----------
    rows
        One row per logged score: the logged columns (without the features) and the
        replayed ``margin``, ``score``, ``band``, ``flag``.
    summary
        JSON-ready figures: the model, the period, counts, flag rate, the versions that
        made the logged scores and, for the model's own scores, how many replayed
        exactly (margin and score equal to the last bit).
    """

    rows: pl.DataFrame
    summary: dict[str, Any]


def backtest_store(
    session: Session,
    bundle: Bundle,
    start: dt.date,
    end: dt.date,
    *,
    label: str,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Replay the period's logged inputs through ``bundle``.

    Parameters
    ----------
    session
        A reading session of the store.
    bundle
        The model version to replay through (any registered version).
    start, end
        The period's first and last day (scores' log time).
    label
        The model's one name (e.g. ``"v3 (1a2b3c4d)"``) for messages and the summary.
    progress
        Called with ``(rows decoded, rows in all)`` as the logged rows are decoded.

    Raises
    ------
    RequestValidationError
        Backwards or empty period.
    FeatureError
        The model needs features the logged rows do not hold (named).
    """
    logged = logged_scores(session, start, end, readers=[bundle])
    encodings = logged_encodings(session)
    rows = replay_logged(bundle, logged, label=label, encodings=encodings, progress=progress)
    return Backtest(rows=rows, summary=_summary(rows, bundle, start, end, label))


def _summary(rows: pl.DataFrame, bundle: Bundle, start: dt.date, end: dt.date, label: str) -> dict:
    own = rows.filter(pl.col("model_version") == bundle.version)
    exact = own.filter(
        (pl.col("margin") == pl.col("logged_margin")) & (pl.col("score") == pl.col("logged_score"))
    )
    differ = (pl.col("score") - pl.col("logged_score")).abs().max()
    by_version = rows.group_by("model_version").len().sort("model_version")
    n = rows.height
    flagged = int(rows["flag"].sum())
    return {
        "model": label,
        "model_version": bundle.version,
        "period": [start.isoformat(), end.isoformat()],
        "n": n,
        "flagged": flagged,
        "flag_rate": flagged / n,
        "logged_by": dict(by_version.iter_rows()),
        "own_scores": own.height,
        "own_scores_exact": exact.height,
        "own_scores_max_difference": None if own.is_empty() else own.select(differ).item(),
    }


def compare_store(
    session: Session,
    champion: Any,
    challenger: Any,
    start: dt.date,
    end: dt.date,
    *,
    names: tuple[str, str],
    settings: Settings,
    clock: Clock,
) -> dict[str, Any]:
    """Compare two model versions on the period's logged applications and their reviews.

    Decisions recorded up to ``clock.now()`` count (labels arrive late; a comparison
    run later knows more).  Returns ``compare.json``'s content.

    Raises
    ------
    RequestValidationError
        Backwards or empty period.
    FeatureError
        The logged rows lack a feature of either model (named).
    """
    from models import compare_models, compare_verdicts

    logged = logged_scores(session, start, end, readers=[champion, challenger])
    reviews = reviews_frame(session, clock.now()).select("score_id", "reviewed", "finding")
    frame = logged.join(reviews, on="score_id", how="left").with_columns(
        logged_flag=pl.col("logged_flag"),
        selected=pl.col("route") != "none",
        reviewed=pl.col("reviewed").fill_null(False),
        confirmed=pl.col("finding") == "violation_confirmed",
    )
    report = compare_models(
        champion,
        challenger,
        frame,
        names=names,
        groups=list(GROUP_COLUMNS),
        fairness=settings.fairness,
        seed=settings.fairness.seed,
        encodings=logged_encodings(session),
    )
    band = (settings.fairness.ratio_low, settings.fairness.ratio_high)
    checks, verdict = compare_verdicts(report, band)
    return {
        "champion": names[0],
        "challenger": names[1],
        "champion_version": champion.version,
        "challenger_version": challenger.version,
        "period": [start.isoformat(), end.isoformat()],
        "made_at": clock.now().isoformat(timespec="seconds"),
        **{k: v for k, v in report.items() if k not in ("champion", "challenger")},
        "checks": checks,
        "verdict": verdict,
    }
