"""Turn the generator's arrays into the contract tables (names, order and types)."""

from __future__ import annotations

import numpy as np
import polars as pl

from risk.contract import (
    APPLICATIONS,
    COMPLIANCE_RECORDS,
    DECISION_OUTCOMES,
    DOCUMENTS,
    INVESTIGATION_TRIGGERS,
    MARITAL_STATUSES,
    OUTCOMES,
    PRIOR_DECISIONS,
    PURPOSES,
    SEXES,
    SPONSOR_TYPES,
    SPONSORS,
    TRAVEL_HISTORY,
    TRUTH,
    VISA_TYPES,
)

from ._common import make_ids, str_series
from ._history import reason_names
from ._labels import types_string
from ._reference import CODES, COUNTRIES

_VISA = np.array(VISA_TYPES, dtype=object)
_CITY = np.array([[*c.cities, *[""] * (8 - len(c.cities))] for c in COUNTRIES], dtype=object)


def _ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    width = max(8, len(str(int(numbers.max()) + 1))) if len(numbers) else 8
    s = pl.Series(numbers.astype(np.int64) + 1).cast(pl.String).str.zfill(width)
    return pl.select(pl.lit(prefix) + s).to_series()


def _nullable_ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    ids = _ids(prefix, np.maximum(numbers, 0))
    return pl.select(pl.when(pl.lit(pl.Series(numbers >= 0))).then(ids)).to_series()


def _cast(df: pl.DataFrame, table) -> pl.DataFrame:
    return df.select([pl.col(c.name).cast(c.dtype) for c in table.columns])


def assemble(t0, days, a, p, reg, hist, contacts, docs, inv, known, decision, trip, truth):
    """All contract tables plus ``truth`` (declared order and types), and the application ids.

    The ids are in the generator's internal order (one per application index).
    """
    end = t0 + days
    order = np.lexsort((a["app"], a["seconds"]))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    app_id = _ids("A", rank)
    applicant = _ids("P", a["person"])
    tables = {
        "applications": _applications(a, app_id, applicant, contacts, t0).sort("application_id"),
        "documents": _cast(
            docs.with_columns(application_id=app_id.gather(docs["_app"])), DOCUMENTS
        ).sort("document_id"),
        "travel_history": _travel(hist, trip, a, end),
        "prior_decisions": _decisions(hist, decision, a, end),
        "sponsors": _cast(
            pl.DataFrame(
                {
                    "sponsor_id": _ids("S", np.arange(len(reg["type"]))),
                    "sponsor_type": np.array(SPONSOR_TYPES, dtype=object)[reg["type"]],
                    "registered_at": reg["registered"],
                    "invitations_issued": reg["invitations"],
                    "past_sponsored_overstays": reg["overstays"],
                    "compliance_record": np.array(COMPLIANCE_RECORDS, dtype=object)[
                        reg["compliance"]
                    ],
                    "as_of": reg["as_of"],
                },
                strict=False,
            ),
            SPONSORS,
        ),
        "outcomes": _outcomes(app_id, inv, known, t0, days * 86400).sort("application_id"),
        "truth": _cast(
            pl.DataFrame(
                {
                    "application_id": app_id,
                    "overstay": truth["overstay"],
                    "document_fraud": truth["document_fraud"],
                    "misrepresentation": truth["misrepresentation"],
                    "any_violation": truth["any"],
                }
            ),
            TRUTH,
        ).sort("application_id"),
    }
    return tables, app_id


def _applications(a, app_id, applicant, contacts, t0) -> pl.DataFrame:
    submitted = t0.astype("datetime64[s]") + a["seconds"]
    df = pl.DataFrame(
        {
            "application_id": app_id,
            "applicant_id": applicant,
            "submitted_at": submitted.astype("datetime64[us]"),
            "visa_type": _VISA[a["visa"]],
            "purpose": np.array(PURPOSES, dtype=object)[a["purpose"]],
            "intended_stay_days": a["stay"],
            "declared_funds_usd": a["funds"].astype(np.float64),
            "sponsor_id": _nullable_ids("S", a["sponsor"]),
            "agent_id": _nullable_ids("G", a["agent"]),
            "place_of_application": a["post"],
            "residence_country": CODES[a["res"]],
            "residence_city": _CITY[a["res"], a["city"]],
            "occupation": str_series(a["occupation"]),
            "employment_tenure_months": pl.Series(a["tenure"]).fill_nan(None),
            "phone_hash": contacts["phone"],
            "email_hash": contacts["email"],
            "address_hash": contacts["address"],
            "bank_account_hash": contacts["bank"],
            "nationality": CODES[a["nat"]],
            "sex": np.array(SEXES, dtype=object)[a["sex"]],
            "birth_date": a["birth"].astype("datetime64[D]"),
            "marital_status": np.array(MARITAL_STATUSES, dtype=object)[a["marital"]],
        },
        strict=False,
    )
    return _cast(df, APPLICATIONS)


def _travel(hist, trip, a, end) -> pl.DataFrame:
    before = hist["trips"]
    keep = trip["travel"] & (trip["entry"] < end)
    owner = np.concatenate([before["owner"], a["person"][keep]])
    entry = np.concatenate([before["entry"], trip["entry"][keep]])
    exit_ = np.concatenate([before["exit"], trip["exit"][keep]]).astype("datetime64[D]")
    df = pl.DataFrame(
        {
            "applicant_id": _ids("P", owner),
            "entry_date": entry.astype("datetime64[D]"),
            "authorised_until": np.concatenate([before["until"], trip["until"][keep]]).astype(
                "datetime64[D]"
            ),
            "exit_date": pl.Series(exit_).set(pl.Series(exit_ >= end), None),
            "visa_type": _VISA[np.concatenate([before["visa"], a["visa"][keep]])],
            "port_of_entry": np.concatenate([before["port"], a["port"][keep]]),
            "_owner": owner,
        },
        strict=False,
    ).sort(["_owner", "entry_date", "authorised_until"], maintain_order=True)
    return _cast(df.with_columns(make_ids("T", df.height, "trip_id")), TRAVEL_HISTORY)


def _decisions(hist, decision, a, end) -> pl.DataFrame:
    before = hist["decisions"]
    keep = decision["decided"] < end
    df = pl.DataFrame(
        {
            "_owner": np.concatenate([before["owner"], a["person"][keep]]),
            "applied_at": np.concatenate([before["applied"], a["day"][keep]]).astype(
                "datetime64[D]"
            ),
            "decided_at": np.concatenate([before["decided"], decision["decided"][keep]]).astype(
                "datetime64[D]"
            ),
            "visa_type": _VISA[np.concatenate([before["visa"], a["visa"][keep]])],
            "outcome": np.array(DECISION_OUTCOMES, dtype=object)[
                np.concatenate([before["outcome"], decision["outcome"][keep]])
            ],
            "reason": str_series(
                reason_names(np.concatenate([before["reason"], decision["reason"][keep]]))
            ),
        },
        strict=False,
    ).sort(["_owner", "applied_at", "decided_at"], maintain_order=True)
    df = df.with_columns(applicant_id=_ids("P", df["_owner"].to_numpy()))
    return _cast(df.with_columns(make_ids("R", df.height, "decision_id")), PRIOR_DECISIONS)


def _outcomes(app_id, inv, known, t0, snapshot) -> pl.DataFrame:
    det = inv["detected"]
    settled = inv["investigated"] & (known < snapshot)  # else pending at the snapshot
    confirmed = np.zeros(len(known), dtype=bool)
    for hit in det.values():
        confirmed |= hit
    known_at = (t0.astype("datetime64[s]") + known).astype("datetime64[us]")
    return _cast(
        pl.DataFrame(
            {
                "application_id": app_id,
                "investigated": inv["investigated"],
                "investigation_trigger": str_series(
                    np.array([*INVESTIGATION_TRIGGERS, None], dtype=object)[
                        np.where(inv["trigger"] < 0, len(INVESTIGATION_TRIGGERS), inv["trigger"])
                    ]
                ),
                "violation_confirmed": pl.Series(confirmed).set(pl.Series(~settled), None),
                "violation_types": str_series(types_string(det)).set(
                    pl.Series(~settled | ~confirmed), None
                ),
                "known_at": pl.Series(known_at).set(pl.Series(~settled), None),
            },
            strict=False,
        ),
        OUTCOMES,
    )
