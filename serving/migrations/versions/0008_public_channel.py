"""The public's channel: access codes, applicant sessions, status throttles, complaint
follow-up steps, applicants' surveys, and who filed a complaint.

Complaints filed before this revision were recorded by staff (``source`` = ``staff``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "applicant_codes",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.application_id"],
            name=op.f("fk_applicant_codes_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("code_id", name=op.f("pk_applicant_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_applicant_codes_code_hash")),
    )
    _indexes("applicant_codes", "application_id", "reference")
    op.create_table(
        "applicant_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["applicant_codes.code_id"],
            name=op.f("fk_applicant_sessions_code_id_applicant_codes"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_applicant_sessions")),
    )
    _indexes("applicant_sessions", "code_id")
    op.create_table(
        "status_failures",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("reference_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("failure_id", name=op.f("pk_status_failures")),
    )
    _indexes("status_failures", "reference_key", "address", "at")
    op.create_table(
        "complaint_steps",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.complaint_id"],
            name=op.f("fk_complaint_steps_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f("fk_complaint_steps_user_id_users")
        ),
        sa.PrimaryKeyConstraint("step_id", name=op.f("pk_complaint_steps")),
    )
    _indexes("complaint_steps", "complaint_id")
    op.create_table(
        "surveys",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("comment_status", sa.String(length=10), nullable=False),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.application_id"],
            name=op.f("fk_surveys_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by"], ["users.user_id"], name=op.f("fk_surveys_moderated_by_users")
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("application_id", name=op.f("uq_surveys_application_id")),
    )
    _indexes("surveys", "comment_status")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=10), server_default="staff", nullable=False)
        )
        batch_op.add_column(sa.Column("contact_preference", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("contact_preference")
        batch_op.drop_column("source")
    for table in ("surveys", "complaint_steps", "status_failures", "applicant_sessions"):
        op.drop_table(table)
    op.drop_table("applicant_codes")
