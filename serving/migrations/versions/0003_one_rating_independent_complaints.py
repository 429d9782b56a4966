"""One satisfaction rating per decided case; a recorded override on complaints.

Ratings already stored twice for a case keep only their first (the one the
published average should have counted); the unique constraint then holds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM feedback WHERE feedback_id NOT IN"
        " (SELECT MIN(feedback_id) FROM feedback GROUP BY case_id)"
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_case_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_feedback_case_id"), ["case_id"])
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("override_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_complaints_override_by_users"), "users", ["override_by"], ["user_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_complaints_override_by_users"), type_="foreignkey")
        batch_op.drop_column("override_by")
        batch_op.drop_column("override_reason")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_feedback_case_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_feedback_case_id"), ["case_id"], unique=False)
