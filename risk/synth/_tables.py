"""Turn the generator's arrays into the contract tables (names, order and types).

Strings are built from small pools by integer codes (:func:`from_codes`), and rows are put
in order with numpy before any frame exists: both are much faster than sorting or
converting Python strings.
"""

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

from ._common import from_codes, make_ids
from ._labels import TYPES
from ._reference import (
    CITIES,
    CITY_OFFSET,
    CODES,
    OCCUPATION_NAMES,
    PLACES,
    PORTS,
    REFUSAL_REASONS,
)

_PORTS = tuple(p[0] for p in PORTS)
# Every combination of confirmed types, indexed by a bit mask (bit i: TYPES[i]).
_TYPE_SETS = tuple(
    ";".join(t for i, t in enumerate(TYPES) if mask >> i & 1) or None for mask in range(8)
)


def _ids(prefix: str, numbers: np.ndarray, name: str = "") -> pl.Series:
    width = max(8, len(str(int(numbers.max()) + 1))) if len(numbers) else 8
    s = pl.Series(name, numbers.astype(np.int64) + 1).cast(pl.String).str.zfill(width)
    return (prefix + s).alias(name)


def _nullable_ids(prefix: str, numbers: np.ndarray) -> pl.Series:
    ids = _ids(prefix, np.maximum(numbers, 0))
    return ids.scatter(np.flatnonzero(numbers < 0), None) if (numbers < 0).any() else ids


def _cast(df: pl.DataFrame, table) -> pl.DataFrame:
    return df.select([pl.col(c.name).cast(c.dtype) for c in table.columns])


def assemble(t0, days, a, reg, hist, contacts, docs, inv, known, decision, trip, truth):
    """All contract tables plus ``truth`` (declared order and types), and the application ids.

    The ids are in the generator's internal order (one per application index); the
    application, outcome and truth tables are in submission order.
    """
    end = t0 + days
    order = np.lexsort((a["app"], a["seconds"]))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    app_id = _ids("A", rank, "application_id")
    # Documents in application order, then primary document, permit, visa.
    documents = docs.with_columns(_rank=pl.Series(rank).gather(docs["_app"])).sort(
        "_rank", "_order"
    )
    documents = documents.with_columns(
        make_ids("D", documents.height, "document_id"),
        application_id=app_id.gather(documents["_app"]),
    )
    tables = {
        "applications": _applications(a, app_id, contacts, t0)[order],
        "documents": _cast(documents, DOCUMENTS),
        "travel_history": _travel(hist, trip, a, end),
        "prior_decisions": _decisions(hist, decision, a, end),
        "sponsors": _sponsors(reg),
        "outcomes": _outcomes(app_id, inv, known, t0, days * 86400)[order],
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
        )[order],
    }
    return tables, app_id


def _applications(a, app_id, contacts, t0) -> pl.DataFrame:
    submitted = t0.astype("datetime64[s]") + a["seconds"]
    df = pl.DataFrame(
        {
            "application_id": app_id,
            "applicant_id": _ids("P", a["person"]),
            "submitted_at": submitted.astype("datetime64[us]"),
            "visa_type": from_codes(VISA_TYPES, a["visa"]),
            "purpose": from_codes(PURPOSES, a["purpose"]),
            "intended_stay_days": a["stay"],
            "declared_funds_usd": a["funds"].astype(np.float64),
            "sponsor_id": _nullable_ids("S", a["sponsor"]),
            "agent_id": _nullable_ids("G", a["agent"]),
            "place_of_application": from_codes(PLACES, a["post"]),
            "residence_country": from_codes(CODES, a["res"]),
            "residence_city": from_codes(CITIES, CITY_OFFSET[a["res"]] + a["city"]),
            "occupation": from_codes(OCCUPATION_NAMES, a["occupation"]),
            "employment_tenure_months": pl.Series(a["tenure"]).fill_nan(None),
            "phone_hash": contacts["phone"],
            "email_hash": contacts["email"],
            "address_hash": contacts["address"],
            "bank_account_hash": contacts["bank"],
            "nationality": from_codes(CODES, a["nat"]),
            "sex": from_codes(SEXES, a["sex"]),
            "birth_date": a["birth"].astype("datetime64[D]"),
            "marital_status": from_codes(MARITAL_STATUSES, a["marital"]),
        }
    )
    return _cast(df, APPLICATIONS)


def _sponsors(reg) -> pl.DataFrame:
    df = pl.DataFrame(
        {
            "sponsor_id": _ids("S", np.arange(len(reg["type"]))),
            "sponsor_type": from_codes(SPONSOR_TYPES, reg["type"]),
            "registered_at": reg["registered"],
            "invitations_issued": reg["invitations"],
            "past_sponsored_overstays": reg["overstays"],
            "compliance_record": from_codes(COMPLIANCE_RECORDS, reg["compliance"]),
            "as_of": reg["as_of"],
        }
    )
    return _cast(df, SPONSORS)


def _travel(hist, trip, a, end) -> pl.DataFrame:
    before = hist["trips"]
    keep = trip["travel"] & (trip["entry"] < end)
    col = {
        "owner": np.concatenate([before["owner"], a["person"][keep]]),
        "entry": np.concatenate([before["entry"], trip["entry"][keep]]).astype("datetime64[D]"),
        "until": np.concatenate([before["until"], trip["until"][keep]]).astype("datetime64[D]"),
        "exit": np.concatenate([before["exit"], trip["exit"][keep]]).astype("datetime64[D]"),
        "visa": np.concatenate([before["visa"], a["visa"][keep]]),
        "port": np.concatenate([before["port"], a["port"][keep]]),
    }
    order = np.lexsort((col["until"], col["entry"], col["owner"]))
    col = {k: v[order] for k, v in col.items()}
    df = pl.DataFrame(
        {
            "trip_id": make_ids("T", len(order), "trip_id"),
            "applicant_id": _ids("P", col["owner"]),
            "entry_date": col["entry"],
            "authorised_until": col["until"],
            "exit_date": pl.Series(col["exit"]).scatter(np.flatnonzero(col["exit"] >= end), None),
            "visa_type": from_codes(VISA_TYPES, col["visa"]),
            "port_of_entry": from_codes(_PORTS, col["port"]),
        }
    )
    return _cast(df, TRAVEL_HISTORY)


def _decisions(hist, decision, a, end) -> pl.DataFrame:
    before = hist["decisions"]
    keep = decision["decided"] < end
    col = {
        "owner": np.concatenate([before["owner"], a["person"][keep]]),
        "applied": np.concatenate([before["applied"], a["day"][keep]]).astype("datetime64[D]"),
        "decided": np.concatenate([before["decided"], decision["decided"][keep]]).astype(
            "datetime64[D]"
        ),
        "visa": np.concatenate([before["visa"], a["visa"][keep]]),
        "outcome": np.concatenate([before["outcome"], decision["outcome"][keep]]),
        "reason": np.concatenate([before["reason"], decision["reason"][keep]]),
    }
    order = np.lexsort((col["decided"], col["applied"], col["owner"]))
    col = {k: v[order] for k, v in col.items()}
    df = pl.DataFrame(
        {
            "decision_id": make_ids("R", len(order), "decision_id"),
            "applicant_id": _ids("P", col["owner"]),
            "applied_at": col["applied"],
            "decided_at": col["decided"],
            "visa_type": from_codes(VISA_TYPES, col["visa"]),
            "outcome": from_codes(DECISION_OUTCOMES, col["outcome"]),
            "reason": from_codes(REFUSAL_REASONS, col["reason"]),
        }
    )
    return _cast(df, PRIOR_DECISIONS)


def _outcomes(app_id, inv, known, t0, snapshot) -> pl.DataFrame:
    det = inv["detected"]
    settled = inv["investigated"] & (known < snapshot)  # else pending at the snapshot
    mask = sum(det[t].astype(np.int64) << i for i, t in enumerate(TYPES))
    confirmed = mask > 0
    unsettled = np.flatnonzero(~settled)
    known_at = (t0.astype("datetime64[s]") + known).astype("datetime64[us]")
    df = pl.DataFrame(
        {
            "application_id": app_id,
            "investigated": inv["investigated"],
            "investigation_trigger": from_codes(INVESTIGATION_TRIGGERS, inv["trigger"]),
            "violation_confirmed": pl.Series(confirmed).scatter(unsettled, None),
            "violation_types": from_codes(_TYPE_SETS, np.where(settled, mask, 0)),
            "known_at": pl.Series(known_at).scatter(unsettled, None),
        }
    )
    return _cast(df, OUTCOMES)
