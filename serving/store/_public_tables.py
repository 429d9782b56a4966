"""The public channel's tables: applicants' access codes and sessions, their surveys.

An applicant reaches the public pages of one application with its reference and an
access code.  The store keeps only the code's SHA-256 (like API tokens); a reissued
code revokes the one before it and keeps the reference.  A signed-in status page is
an :class:`ApplicantSession` (the cookie holds a random token, the store its SHA-256).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ._tables import Base

__all__ = ["ApplicantCode", "ApplicantSession", "ComplaintStep", "StatusFailure", "Survey"]


class ApplicantCode(Base):
    """An application's public reference and (the hash of) one access code."""

    __tablename__ = "applicant_codes"
    code_id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(
        sa.ForeignKey("applications.application_id"), index=True
    )
    #: The reference handed to the applicant; the same for every code of an application.
    reference: Mapped[str] = mapped_column(sa.String(20), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(sa.String(80))
    revoked_at: Mapped[dt.datetime | None]


class ApplicantSession(Base):
    """A status page opened with a valid code; ends with the code or after its lifetime."""

    __tablename__ = "applicant_sessions"
    session_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    code_id: Mapped[int] = mapped_column(sa.ForeignKey("applicant_codes.code_id"), index=True)
    csrf: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class StatusFailure(Base):
    """One wrong reference or code typed on ``/status`` (what its throttles count).

    ``reference_key`` is a keyed hash of the typed reference, so unknown and known
    references are throttled alike and the typed text is never stored.
    """

    __tablename__ = "status_failures"
    failure_id: Mapped[int] = mapped_column(primary_key=True)
    reference_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)


class ComplaintStep(Base):
    """A follow-up step recorded on a complaint (shown to the complainant)."""

    __tablename__ = "complaint_steps"
    step_id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.complaint_id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.user_id"))
    at: Mapped[dt.datetime]


class Survey(Base):
    """The applicant's satisfaction survey of a decided application: one per application.

    ``comment_status`` is ``none`` (no comment), ``pending`` until a supervisor moderates
    it, then ``approved`` or ``rejected``; only approved comments are shown anywhere.
    """

    __tablename__ = "surveys"
    survey_id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(
        sa.ForeignKey("applications.application_id"), unique=True
    )
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    comment_status: Mapped[str] = mapped_column(sa.String(10), index=True)
    moderated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.user_id"))
    moderated_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
