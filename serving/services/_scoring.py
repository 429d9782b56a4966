"""Scoring one application: features, score, reasons, routing, and the inference log.

Everything a score needs to be recomputed later is stored with it: the model
version, a fingerprint of the inputs, the feature values, the threshold and the
reasons.  The application, its score, its case (if routed to review) and the audit
entry are written in the caller's transaction, so they commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from features import feature_row
from models import Bundle, CaseScore
from risk.clock import Clock
from risk.errors import ConflictError
from risk.settings import Settings
from serving.store import Case, Score, raw_table

from ._access import IssuedCode, issue_first_code
from ._audit import append_audit
from ._auth import Principal
from ._encodings import encoded_row
from ._history import load_lookups, save_raw_rows
from ._idempotency import find_replay, lock_for_scoring
from ._policy import policy_in_force

__all__ = [
    "ComputedScore",
    "ScoreOutcome",
    "compute_features",
    "input_fingerprint",
    "logged_features",
    "receive_inputs",
    "record_score",
    "replayed_outcome",
    "rescore",
    "score_application",
]


@dataclass(frozen=True)
class ScoreOutcome:
    """What scoring one application produced (the API's answer is built from it)."""

    score: Score
    case_id: int | None
    reasons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The applicant's reference and access code, when this score issued them (first score).
    access: IssuedCode | None = None
    #: True when a re-sent request was answered with the score it made before.
    replayed: bool = False


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    return value


def input_fingerprint(application: dict[str, Any], documents: list[dict[str, Any]]) -> str:
    """SHA-256 of the canonical JSON of an application and its documents (sorted by id)."""
    payload = {
        "application": {k: _jsonable(v) for k, v in application.items()},
        "documents": [
            {k: _jsonable(v) for k, v in d.items()}
            for d in sorted(documents, key=lambda d: d["document_id"])
        ],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_APPS, _DOCS = raw_table("applications"), raw_table("documents")
_STORED_APPLICATION = sa.select(_APPS).where(_APPS.c.application_id == sa.bindparam("id"))
_STORED_DOCUMENTS = sa.select(_DOCS).where(_DOCS.c.application_id == sa.bindparam("id"))


def _stored_inputs(session: Session, application_id: str) -> tuple[dict, list[dict]]:
    connection = session.connection()
    app = connection.execute(_STORED_APPLICATION, {"id": application_id}).mappings().one()
    documents = connection.execute(_STORED_DOCUMENTS, {"id": application_id}).mappings()
    return dict(app), [dict(d) for d in documents]


#: Which of an application's ids the store already holds: ``("application" | "document", id)``.
_KNOWN_IDS = sa.union_all(
    sa.select(sa.literal("application"), _APPS.c.application_id).where(
        _APPS.c.application_id == sa.bindparam("application_id")
    ),
    sa.select(sa.literal("document"), _DOCS.c.document_id).where(
        _DOCS.c.document_id.in_(sa.bindparam("document_ids", expanding=True))
    ),
)


def _save_inputs(
    session: Session,
    application: dict[str, Any],
    documents: list[dict[str, Any]],
    fingerprint: str,
) -> None:
    if not check_inputs(session, application, documents, fingerprint):
        save_raw_rows(session, "applications", [application])
        save_raw_rows(session, "documents", documents)


def check_inputs(
    session: Session,
    application: dict[str, Any],
    documents: list[dict[str, Any]],
    fingerprint: str,
) -> bool:
    """Whether the store already holds this application with these contents (False: new).

    Raises :class:`~risk.errors.ConflictError` when it holds the application with
    other contents, or one of its document ids under another application.
    """
    application_id = application["application_id"]
    known = (
        session.connection()
        .execute(
            _KNOWN_IDS,
            {
                "application_id": application_id,
                "document_ids": [d["document_id"] for d in documents],
            },
        )
        .all()
    )
    if not any(kind == "application" for kind, _ in known):
        taken = [value for kind, value in known if kind == "document"]
        if taken:
            raise document_taken(taken[0])
        return False
    if input_fingerprint(*_stored_inputs(session, application_id)) != fingerprint:
        raise application_changed(application_id)
    return True


def document_taken(document_id: str) -> ConflictError:
    """The 409 for a document id that belongs to another application."""
    return ConflictError(f"document {document_id!r} already belongs to another application")


def application_changed(application_id: str) -> ConflictError:
    """The 409 for an application re-sent with other contents."""
    return ConflictError(
        f"application {application_id!r} was already received with"
        " different contents; an application cannot be changed once received"
    )


def compute_features(
    session: Session,
    application: dict[str, Any],
    documents: list[dict[str, Any]],
    settings: Settings,
) -> dict[str, Any]:
    """The feature row of one application: the store's look-ups, then the features' row form.

    :func:`features.feature_row` gives the values the training pipeline gives (tested
    feature by feature against it over whole synthetic worlds).
    """
    lookups = load_lookups(session, application, settings)
    return feature_row(application, documents, lookups, settings=settings)


def _reasons(case_score: Any) -> dict[str, list[dict[str, Any]]]:
    def one(r: Any) -> dict[str, Any]:
        return {
            "feature": r.feature,
            "value": _jsonable(r.value),
            "contribution": float(r.contribution),
            "text": r.text,
        }

    return {
        "raised": [one(r) for r in case_score.raised],
        "lowered": [one(r) for r in case_score.lowered],
    }


def score_application(
    session: Session,
    bundle: Bundle,
    settings: Settings,
    principal: Principal,
    application: dict[str, Any],
    documents: list[dict[str, Any]],
    *,
    clock: Clock,
    lang: str = "en",
    rng: random.Random | None = None,
    idempotency_key: str | None = None,
) -> ScoreOutcome:
    """Score one application, log the score, open a case if it goes to review, audit it.

    A re-sent request (the same ``idempotency_key`` from the same caller, or the
    same application, inputs, language and model) is answered with the score it
    made before, and nothing is written (see :mod:`serving.services._idempotency`).

    Parameters
    ----------
    session
        The request's transaction; nothing is committed here.
    bundle
        The loaded model bundle; the review policy in force is built from it.
    application, documents
        Contract rows (validated).  An application already received must be identical.
    clock
        The service's clock: the score's and its case's time.
    lang
        Language of the reasons (``"en"`` or ``"id"``).
    rng
        Source of the blind random sample.
    idempotency_key
        The client's name for this request (validated), stored with the score.
    """
    fingerprint = input_fingerprint(application, documents)
    application_id = application["application_id"]
    lock_for_scoring(session, [application_id], [idempotency_key], user_id=principal.user_id)
    stored = receive_inputs(
        session, bundle, principal, application, documents,
        fingerprint=fingerprint, lang=lang, idempotency_key=idempotency_key,
    )  # fmt: skip
    if stored is not None:
        return replayed_outcome(session, stored)
    features = compute_features(session, application, documents, settings)
    case_score = bundle.score_one(features, lang=lang, top=settings.serving.top_reasons)
    computed = ComputedScore(application_id, fingerprint, lang, features, case_score)
    return record_score(
        session, bundle, settings, principal, computed,
        clock=clock, rng=rng, idempotency_key=idempotency_key,
    )  # fmt: skip


@dataclass(frozen=True)
class ComputedScore:
    """An application's features and score, computed before they are recorded."""

    application_id: str
    fingerprint: str
    lang: str
    features: dict[str, Any]
    case_score: CaseScore


def logged_features(features: dict[str, Any]) -> dict[str, Any]:
    """Feature values as the score log keeps them (plain JSON: dates as ISO, NaN as null)."""
    return {k: _jsonable(v) for k, v in features.items()}


def rescore(
    session: Session, application_id: str, bundle: Bundle, settings: Settings, *, lang: str
) -> ComputedScore:
    """A stored application's features and score, recomputed exactly as scoring computes them.

    Replay compares this with the score log; nothing is written.
    """
    application, documents = _stored_inputs(session, application_id)
    features = compute_features(session, application, documents, settings)
    case_score = bundle.score_one(features, lang=lang, top=settings.serving.top_reasons)
    fingerprint = input_fingerprint(application, documents)
    return ComputedScore(application_id, fingerprint, lang, features, case_score)


def receive_inputs(
    session: Session,
    bundle: Bundle,
    principal: Principal,
    application: dict[str, Any],
    documents: list[dict[str, Any]],
    *,
    fingerprint: str,
    lang: str,
    idempotency_key: str | None,
) -> Score | None:
    """The stored score a re-sent request gets, or None after saving a new application.

    Raises :class:`~risk.errors.ConflictError` when the key names another request,
    the application was received with other contents, or a document id is taken.
    """
    stored = find_replay(
        session,
        user_id=principal.user_id,
        key=idempotency_key,
        application_id=application["application_id"],
        fingerprint=fingerprint,
        lang=lang,
        model_version=str(bundle.version),
    )
    if stored is None:
        _save_inputs(session, application, documents, fingerprint)
    return stored


def record_score(
    session: Session,
    bundle: Bundle,
    settings: Settings,
    principal: Principal,
    computed: ComputedScore,
    *,
    clock: Clock,
    rng: random.Random | None,
    idempotency_key: str | None,
) -> ScoreOutcome:
    """Route a computed score under the policy in force; log it, open its case, audit it."""
    case_score, features, fingerprint = computed.case_score, computed.features, computed.fingerprint
    lang = computed.lang
    policy = policy_in_force(session, settings, bundle)
    margin = float(case_score.margin)
    route = policy.route(margin, (rng or random.Random()).random)
    reasons = _reasons(case_score)
    score = Score(
        score_id=str(uuid.uuid4()),
        application_id=computed.application_id,
        model_version=str(bundle.version),
        input_fingerprint=fingerprint,
        features=logged_features(features),
        score=float(case_score.probability),
        margin=margin,
        band=policy.band(margin),
        threshold=policy.threshold,
        model_flag=policy.flagged(margin),
        outcome=policy.outcome(route),
        route=route,
        reasons=reasons,
        lang=lang,
        scored_by=principal.user_id,
        created_at=clock.now(),
        review_propensity=policy.propensity(margin),
        blind_sample_rate=policy.blind_sample_rate,
        idempotency_key=idempotency_key,
        **encoded_row(session, bundle, features, case_score),
    )
    # A plain insert of the row as built: the ORM's unit of work costs more than the write.
    session.connection().execute(_INSERT_SCORE, {c: getattr(score, c) for c in _SCORE_COLUMNS})
    case_id = _open_case(session, score) if score.outcome == "review" else None
    append_audit(
        session,
        clock=clock,
        actor=principal.username,
        action="score",
        entity_type="score",
        entity_id=score.score_id,
        details={
            "application_id": score.application_id,
            "outcome": score.outcome,
            "route": route,
            "model_version": score.model_version,
            "case_id": case_id,
            "review_propensity": score.review_propensity,
        },
    )
    # The applicant's way to follow the application: once, at its first score.
    access = issue_first_code(session, score.application_id, clock=clock, actor=principal.username)
    return ScoreOutcome(score=score, case_id=case_id, reasons=reasons, access=access)


_CASES = Case.__table__
_CASE_OF_SCORE = sa.select(_CASES.c.case_id).where(_CASES.c.score_id == sa.bindparam("score_id"))


def replayed_outcome(session: Session, score: Score) -> ScoreOutcome:
    """A stored score as the answer to a re-sent request (with the case it opened)."""
    case_id = session.connection().execute(_CASE_OF_SCORE, {"score_id": score.score_id}).scalar()
    return ScoreOutcome(score=score, case_id=case_id, reasons=score.reasons, replayed=True)


_SCORE_COLUMNS = tuple(c.name for c in Score.__table__.columns)
_INSERT_SCORE = Score.__table__.insert()
_INSERT_CASE = _CASES.insert()
_OPEN_CASE = sa.select(_CASES.c.case_id).where(
    _CASES.c.application_id == sa.bindparam("application_id"), _CASES.c.status != "decided"
)


def _open_case(session: Session, score: Score) -> int:
    connection = session.connection()
    existing = connection.execute(_OPEN_CASE, {"application_id": score.application_id}).scalar()
    if existing is not None:
        return existing
    inserted = connection.execute(
        _INSERT_CASE,
        {
            "application_id": score.application_id,
            "score_id": score.score_id,
            "route": score.route,
            "blind": score.route == "blind_sample",
            "status": "open",
            # a blind case must not reveal its score through its queue position
            "priority": score.threshold if score.route == "blind_sample" else score.score,
            "created_at": score.created_at,
        },
    )
    return int(inserted.inserted_primary_key[0])
