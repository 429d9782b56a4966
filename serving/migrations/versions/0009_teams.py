"""Teams: officers and supervisors belong to a team (or to none); supervisors see team queues.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_team_id_teams"), "teams", ["team_id"], ["team_id"]
        )
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))
        batch_op.drop_constraint(batch_op.f("fk_users_team_id_teams"), type_="foreignkey")
        batch_op.drop_column("team_id")
    op.drop_table("teams")
