"""The store's records as the data contract: what analysts retrain on.

``export_store`` writes the six contract tables as the service knows them on a
date, plus ``reviews.parquet`` (one row per score: how likely its application
was to be reviewed, whether it was, and what the officer found), so the
training and the estimates know how every label was made.

What the service adds to the loaded history:

- an officer's current decision becomes the application's **outcome**
  (investigated; ``violation_confirmed`` true for a confirmed violation, false for
  no violation, missing for insufficient evidence; the types ``;``-separated;
  ``known_at`` the decision's time).  The trigger says why it was reviewed:
  ``checklist`` for a model flag, ``random`` for the blind sample, missing under
  the kill switch (the contract has no word for manual review of everything);
- the same decision becomes a **prior decision** of the applicant, so the next
  application's history sees it: a confirmed violation as ``refused`` with the
  reason code of its first type, anything else as ``granted``.  Amanah never
  refuses anyone; this is how the contract records an officer's adverse finding.

Everything is cut at the end of the ``until`` day: applications submitted, trips
entered, decisions taken and outcomes known after it are left out (an outcome
known later is exported as investigated and pending).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.contract import TABLES
from risk.errors import ConflictError
from risk.io import write_table
from serving.store import Case, Decision, Score, raw_table

from ._audit import append_audit
from ._auth import Principal, require

__all__ = ["REVIEWS_SCHEMA", "ExportResult", "export_store", "reviews_frame"]

#: ``reviews.parquet``: one row per score.
REVIEWS_SCHEMA: dict[str, Any] = {
    "score_id": pl.String,
    "application_id": pl.String,
    "model_version": pl.String,
    "scored_at": pl.Datetime("us"),
    "flagged": pl.Boolean,
    "blind_sample": pl.Boolean,
    "review_propensity": pl.Float64,
    "reviewed": pl.Boolean,
    "finding": pl.String,
    "decided_at": pl.Datetime("us"),
}

_REASON = {
    "overstay": "prior_overstay",
    "document_fraud": "document_irregularity",
    "misrepresentation": "misrepresentation",
}
_TRIGGER = {"model_flag": "checklist", "blind_sample": "random"}
_DATED = {"applications": "submitted_at", "travel_history": "entry_date"}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: rows per file and the cut-off instant."""

    out: Path
    until: dt.datetime
    rows: dict[str, int]


def _schema(name: str) -> dict[str, Any]:
    return {c.name: c.dtype for c in TABLES[name].columns}


def _read(session: Session, query: sa.Select, schema: dict[str, Any]) -> pl.DataFrame:
    result = session.connection().execute(query)
    rows = result.all()
    data = {k: [r[i] for r in rows] for i, k in enumerate(result.keys())}
    return pl.DataFrame(data, schema=schema, orient="col") if rows else pl.DataFrame(schema=schema)


def _current_decisions(session: Session, cut: dt.datetime) -> pl.DataFrame:
    """The latest decision of each case taken before ``cut`` (amendments replace)."""
    later = sa.orm.aliased(Decision)
    newer = (
        sa.select(later.decision_id)
        .where(later.case_id == Decision.case_id, later.decision_id > Decision.decision_id)
        .where(later.created_at < cut)
        .exists()
    )
    query = (
        sa.select(
            Decision.decision_id,
            Decision.case_id,
            Decision.outcome.label("finding"),
            Decision.violation_types,
            Decision.created_at.label("decided_at"),
        )
        .where(Decision.created_at < cut)
        .where(~newer)
    )
    schema = {
        "decision_id": pl.Int64,
        "case_id": pl.Int64,
        "finding": pl.String,
        "violation_types": pl.Object,
        "decided_at": pl.Datetime("us"),
    }
    frame = _read(session, query, schema)
    types = [";".join(sorted(v)) if v else None for v in frame["violation_types"].to_list()]
    return frame.with_columns(violation_types=pl.Series(types, dtype=pl.String))


def reviews_frame(session: Session, cut: dt.datetime) -> pl.DataFrame:
    """One row per score made before ``cut`` (:data:`REVIEWS_SCHEMA`)."""
    scores = _read(
        session,
        sa.select(
            Score.score_id,
            Score.application_id,
            Score.model_version,
            Score.created_at.label("scored_at"),
            Score.model_flag.label("flagged"),
            Score.route,
            Score.review_propensity,
            Case.case_id,
        )
        .outerjoin(Case, Case.score_id == Score.score_id)
        .where(Score.created_at < cut),
        {
            "score_id": pl.String,
            "application_id": pl.String,
            "model_version": pl.String,
            "scored_at": pl.Datetime("us"),
            "flagged": pl.Boolean,
            "route": pl.String,
            "review_propensity": pl.Float64,
            "case_id": pl.Int64,
        },
    )
    decisions = _current_decisions(session, cut).select("case_id", "finding", "decided_at")
    return (
        scores.join(decisions, on="case_id", how="left")
        .with_columns(
            blind_sample=pl.col("route") == "blind_sample",
            reviewed=pl.col("finding").is_not_null(),
        )
        .select(list(REVIEWS_SCHEMA))
        .cast(REVIEWS_SCHEMA)
        .sort("scored_at", "score_id")
    )


def _raw(session: Session, name: str, cut: dt.datetime) -> pl.DataFrame:
    table = raw_table(name)
    query = sa.select(table)
    if name in _DATED:
        column = table.c[_DATED[name]]
        query = query.where(column < (cut if name == "applications" else cut.date()))
    if name == "documents":
        apps = raw_table("applications")
        query = query.join(apps, apps.c.application_id == table.c.application_id).where(
            apps.c.submitted_at < cut
        )
        query = query.with_only_columns(*table.c)
    if name == "prior_decisions":
        query = query.where(table.c.decided_at < cut.date())
    return _read(session, query.order_by(*table.primary_key.columns), _schema(name))


def _service_rows(session: Session, cut: dt.datetime) -> pl.DataFrame:
    """The current decisions with their application and route."""
    apps = raw_table("applications")
    cases = _read(
        session,
        sa.select(
            Case.case_id, Case.application_id, Case.route, apps.c.applicant_id,
            apps.c.submitted_at, apps.c.visa_type,
        ).join(apps, apps.c.application_id == Case.application_id),
        {
            "case_id": pl.Int64, "application_id": pl.String, "route": pl.String,
            "applicant_id": pl.String, "submitted_at": pl.Datetime("us"), "visa_type": pl.String,
        },
    )  # fmt: skip
    decided = cases.join(_current_decisions(session, cut), on="case_id", how="inner")
    # an application reviewed twice keeps its latest decision
    return decided.sort("decided_at", "decision_id").unique("application_id", keep="last")


def _outcomes(stored: pl.DataFrame, decided: pl.DataFrame, cut: dt.datetime) -> pl.DataFrame:
    pending = pl.col("known_at").is_null() | (pl.col("known_at") >= cut)
    stored = stored.with_columns(
        violation_confirmed=pl.when(pending).then(None).otherwise(pl.col("violation_confirmed")),
        violation_types=pl.when(pending).then(None).otherwise(pl.col("violation_types")),
        known_at=pl.when(pending).then(None).otherwise(pl.col("known_at")),
    )
    confirmed = pl.col("finding") == "violation_confirmed"
    service = decided.select(
        "application_id",
        investigated=pl.lit(True),
        investigation_trigger=pl.col("route").replace_strict(_TRIGGER, default=None),
        violation_confirmed=pl.when(pl.col("finding") == "insufficient_evidence")
        .then(None)
        .otherwise(confirmed),
        violation_types=pl.when(confirmed).then(pl.col("violation_types")),
        known_at=pl.col("decided_at"),
    ).cast(_schema("outcomes"))
    kept = stored.join(service.select("application_id"), on="application_id", how="anti")
    return pl.concat([kept, service]).sort("application_id")


def _prior_decisions(stored: pl.DataFrame, decided: pl.DataFrame) -> pl.DataFrame:
    confirmed = pl.col("finding") == "violation_confirmed"
    first_type = pl.col("violation_types").str.split(";").list.first()
    service = decided.select(
        decision_id=pl.format("AMANAH-{}", pl.col("decision_id")),
        applicant_id="applicant_id",
        applied_at=pl.col("submitted_at").dt.date(),
        decided_at=pl.col("decided_at").dt.date(),
        visa_type="visa_type",
        outcome=pl.when(confirmed).then(pl.lit("refused")).otherwise(pl.lit("granted")),
        reason=pl.when(confirmed).then(first_type.replace_strict(_REASON, default=None)),
    ).cast(_schema("prior_decisions"))
    return pl.concat([stored, service]).sort("decision_id")


def export_store(
    session: Session, principal: Principal, until: dt.date, out: Path, *, clock: Clock
) -> ExportResult:
    """Write the store's records up to the end of ``until`` into ``out`` (audited).

    Parameters
    ----------
    session
        A transaction (the export's audit entry commits with it).
    principal
        An analyst or admin.
    until
        The last day included.
    out
        An empty (or new) folder.

    Raises
    ------
    PermissionDeniedError
        ``principal`` may not export (``data.export``).
    ConflictError
        ``out`` holds files already.
    """
    require(principal, "data.export")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ConflictError(f"{out} is not empty; export into a new or empty folder")
    cut = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    decided = _service_rows(session, cut)
    frames = {name: _raw(session, name, cut) for name in TABLES}
    frames["outcomes"] = _outcomes(frames["outcomes"], decided, cut)
    frames["prior_decisions"] = _prior_decisions(frames["prior_decisions"], decided)
    frames["reviews"] = reviews_frame(session, cut)
    rows = {}
    for name, frame in frames.items():
        write_table(frame, out / f"{name}.parquet")
        rows[name] = frame.height
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="data.export",
        entity_type="store",
        entity_id="export",
        details={"until": until.isoformat(), "rows": rows},
    )
    return ExportResult(out=out, until=cut, rows=rows)
