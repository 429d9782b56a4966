"""Applicants' access codes: issued at scoring, stored hashed, reissued, checked on /status.

An application gets a public *reference* (``AM-7K3M-9QX2``) and an *access code* the first
time it is scored; the code is shown once, in the score's answer, for the intake system
to hand to the applicant, and only its SHA-256 is kept.  Nothing but a valid reference
and code opens the public pages of an application.

Checking a code takes the same path whether the reference exists or not (a hash is
compared either way), and a wrong reference and a wrong code get the same answer.
Failures are counted per reference (a keyed hash of what was typed) and per client
address; past ``status_reference_max_failures`` or ``status_address_max_failures``
within ``sign_in_window_minutes`` the check is refused until the oldest failure leaves
the window.  The audit log never holds a code, and holds a typed reference only as
its keyed hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from risk.clock import Clock
from risk.errors import NotFoundError
from risk.settings import Settings
from serving.store import ApplicantCode, ApplicantSession, StatusFailure

from ._audit import append_audit

__all__ = [
    "APPLICANT_ACTOR",
    "AccessCheck",
    "ApplicantAccess",
    "IssuedCode",
    "canonical_reference",
    "check_access_code",
    "end_applicant_session",
    "issue_first_code",
    "normalise_code",
    "read_applicant_session",
    "reissue_code",
    "revoke_codes",
]

#: The audit actor of everything done through the public pages.
APPLICANT_ACTOR = "(applicant)"
#: Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPED_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_CHARS = 16  # 80 bits
_REFERENCE_CHARS = 8
#: Keys the hash of typed references: per process, so the store holds no guessable hash.
_REFERENCE_KEY = secrets.token_bytes(32)
_DUMMY_HASH = hashlib.sha256(b"no such reference").hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    """A reference and the access code in clear: printed or answered once, never stored."""

    application_id: str
    reference: str
    code: str


@dataclass(frozen=True)
class ApplicantAccess:
    """An applicant's open status page: which application, and the form token."""

    application_id: str
    reference: str
    code_id: int
    csrf: str


@dataclass(frozen=True)
class AccessCheck:
    """``ok`` (with the new session's cookie token), ``failed`` or ``locked``."""

    outcome: Literal["ok", "failed", "locked"]
    token: str = ""
    retry_after: int = 0


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def _groups(text: str) -> str:
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(text: str) -> str:
    """What a typed reference or code means: upper case, no spaces or dashes, O->0, I/L->1."""
    kept = "".join(ch for ch in text.upper() if ch not in " -\t")
    return kept.translate(_TYPED_AS)[:40]


def canonical_reference(text: str) -> str:
    """A typed reference in its printed form (``am 7k3m 9qx2`` -> ``AM-7K3M-9QX2``)."""
    kept = normalise_code(text)
    return "AM-" + _groups(kept[2:] if kept.startswith("AM") else kept)


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


_CODES = ApplicantCode.__table__
# Core statements on the request's connection: issuing runs inside every first score.
_CODE_OF_APPLICATION = (
    sa.select(_CODES.c.code_id).where(_CODES.c.application_id == sa.bindparam("a")).limit(1)
)
_REFERENCE_TAKEN = sa.select(_CODES.c.code_id).where(_CODES.c.reference == sa.bindparam("r"))
_INSERT_CODE = _CODES.insert()


def _new_code(
    session: Session, application_id: str, reference: str, clock: Clock, actor: str
) -> IssuedCode:
    code = _groups(_random(_CODE_CHARS))
    inserted = session.connection().execute(
        _INSERT_CODE,
        {
            "application_id": application_id,
            "reference": reference,
            "code_hash": _code_hash(code),
            "created_at": clock.now(),
            "created_by": actor[:80],
        },
    )
    code_id = int(inserted.inserted_primary_key[0])
    _audit(session, clock, actor, "access_code.issue", application_id, code_id, reference)
    return IssuedCode(application_id, reference, code)


def _audit(
    session: Session,
    clock: Clock,
    actor: str,
    action: str,
    application_id: str,
    code_id: int,
    reference: str,
) -> None:
    append_audit(
        session,
        clock=clock,
        actor=actor,
        action=action,
        entity_type="application",
        entity_id=application_id,
        details={"code_id": code_id, "reference": reference},
    )


def issue_first_code(
    session: Session, application_id: str, *, clock: Clock, actor: str
) -> IssuedCode | None:
    """The application's first reference and code, or ``None`` if it already has them.

    Scoring an application again (a re-sent identical application) issues nothing:
    the code handed over the first time still works.
    """
    connection = session.connection()
    if connection.execute(_CODE_OF_APPLICATION, {"a": application_id}).first() is not None:
        return None
    reference = "AM-" + _groups(_random(_REFERENCE_CHARS))
    # 40 random bits: rare, but among millions of applications two could draw alike
    while connection.execute(_REFERENCE_TAKEN, {"r": reference}).first() is not None:
        reference = "AM-" + _groups(_random(_REFERENCE_CHARS))
    return _new_code(session, application_id, reference, clock, actor)


def _application_codes(session: Session, reference: str) -> list[ApplicantCode]:
    rows = session.scalars(
        sa.select(ApplicantCode)
        .where(
            sa.or_(
                ApplicantCode.reference == canonical_reference(reference),
                ApplicantCode.application_id == reference.strip(),
            )
        )
        .order_by(ApplicantCode.code_id)
    ).all()
    if not rows:
        raise NotFoundError(f"no application has the reference or id {reference!r}")
    return list(rows)


def revoke_codes(session: Session, reference: str, *, clock: Clock, actor: str) -> int:
    """Revoke every live code of the application with ``reference`` (or that application
    id); returns how many.

    Open status pages opened with those codes end at once.
    """
    rows = [r for r in _application_codes(session, reference) if r.revoked_at is None]
    now = clock.now()
    for row in rows:
        row.revoked_at = now
        session.execute(sa.delete(ApplicantSession).where(ApplicantSession.code_id == row.code_id))
        _audit(
            session, clock, actor, "access_code.revoke", row.application_id, row.code_id,
            row.reference,
        )  # fmt: skip
    return len(rows)


def reissue_code(session: Session, reference: str, *, clock: Clock, actor: str) -> IssuedCode:
    """A new code for the application with ``reference``; the old ones stop working."""
    rows = _application_codes(session, reference)
    revoke_codes(session, rows[0].reference, clock=clock, actor=actor)
    return _new_code(session, rows[0].application_id, rows[0].reference, clock, actor)


def _reference_key(reference: str) -> str:
    typed = canonical_reference(reference).encode()
    return hmac.new(_REFERENCE_KEY, typed, hashlib.sha256).hexdigest()


def _retry_after(
    session: Session, key: str, address: str, settings: Settings, now: dt.datetime
) -> int:
    sec = settings.security
    window = dt.timedelta(minutes=sec.sign_in_window_minutes)
    waits = [0.0]
    for column, value, limit in (
        (StatusFailure.reference_key, key, sec.status_reference_max_failures),
        (StatusFailure.address, address, sec.status_address_max_failures),
    ):
        count, oldest = session.execute(
            sa.select(sa.func.count(), sa.func.min(StatusFailure.at)).where(
                column == value, StatusFailure.at > now - window
            )
        ).one()
        if count >= limit:
            waits.append((oldest + window - now).total_seconds())
    return int(max(waits) + 0.999)


def _fail(session: Session, key: str, address: str, settings: Settings, clock: Clock) -> None:
    now = clock.now()
    window = dt.timedelta(minutes=settings.security.sign_in_window_minutes)
    session.execute(sa.delete(StatusFailure).where(StatusFailure.at <= now - window))
    session.add(StatusFailure(reference_key=key, address=address, at=now))
    append_audit(
        session,
        clock=clock,
        actor=APPLICANT_ACTOR,
        action="status.failed",
        entity_type="reference",
        entity_id=key[:40],
        details={"address": address},
    )
    sec = settings.security
    for scope, column, value, limit in (
        ("reference", StatusFailure.reference_key, key, sec.status_reference_max_failures),
        ("address", StatusFailure.address, address, sec.status_address_max_failures),
    ):
        counted = session.scalar(
            sa.select(sa.func.count()).where(column == value, StatusFailure.at > now - window)
        )
        if counted == limit:  # the attempt that locks it: said once
            append_audit(
                session,
                clock=clock,
                actor=APPLICANT_ACTOR,
                action="status.lockout",
                entity_type=scope,
                entity_id=(key[:40] if scope == "reference" else address),
                details={"failures": limit},
            )


def check_access_code(
    session: Session,
    reference: str,
    code: str,
    *,
    address: str,
    settings: Settings,
    clock: Clock,
) -> AccessCheck:
    """Open a status page for ``reference`` and ``code`` under the throttles (audited).

    An unknown reference and a wrong code for a known one take the same path (the
    typed code is hashed and compared with a stored hash, or with a dummy one) and
    give the same ``failed`` answer.
    """
    key = _reference_key(reference)
    now = clock.now()
    wait = _retry_after(session, key, address, settings, now)
    if wait:
        return AccessCheck("locked", retry_after=wait)
    row = session.scalar(
        sa.select(ApplicantCode).where(
            ApplicantCode.reference == canonical_reference(reference),
            ApplicantCode.revoked_at.is_(None),
        )
    )
    typed = _code_hash(code)
    matches = hmac.compare_digest(row.code_hash if row else _DUMMY_HASH, typed)
    if row is None or not matches:
        _fail(session, key, address, settings, clock)
        return AccessCheck("failed")
    token = secrets.token_urlsafe(32)
    minutes = settings.security.applicant_session_minutes
    session.add(
        ApplicantSession(
            session_id=hashlib.sha256(token.encode()).hexdigest(),
            code_id=row.code_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    append_audit(
        session,
        clock=clock,
        actor=APPLICANT_ACTOR,
        action="status.open",
        entity_type="application",
        entity_id=row.application_id,
        details={"code_id": row.code_id, "address": address},
    )
    return AccessCheck("ok", token=token)


def read_applicant_session(
    session: Session, token: str, now: dt.datetime
) -> ApplicantAccess | None:
    """The open status page behind a cookie token, or ``None`` (unknown, expired, revoked)."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        sa.select(ApplicantSession, ApplicantCode)
        .join(ApplicantCode, ApplicantCode.code_id == ApplicantSession.code_id)
        .where(
            ApplicantSession.session_id == hashlib.sha256(token.encode()).hexdigest(),
            ApplicantSession.expires_at > now,
            ApplicantCode.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    opened, code = row
    return ApplicantAccess(code.application_id, code.reference, code.code_id, opened.csrf)


def end_applicant_session(session: Session, token: str, *, clock: Clock) -> None:
    """Close a status page (the applicant left; audited); unknown tokens are ignored."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = session.get(ApplicantSession, digest)
    if row is None:
        return
    code = session.get(ApplicantCode, row.code_id)
    session.delete(row)
    append_audit(
        session,
        clock=clock,
        actor=APPLICANT_ACTOR,
        action="status.close",
        entity_type="application",
        entity_id=code.application_id,
        details={"code_id": row.code_id},
    )
