"""Shadow scores: the registry's challenger scores every live application beside the champion.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 08:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shadow_scores",
        sa.Column("shadow_id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=120), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("margin", sa.Double(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("would_flag", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["score_id"], ["scores.score_id"], name=op.f("fk_shadow_scores_score_id_scores")
        ),
        sa.PrimaryKeyConstraint("shadow_id", name=op.f("pk_shadow_scores")),
    )
    with op.batch_alter_table("shadow_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shadow_scores_score_id"), ["score_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shadow_scores_model_version"), ["model_version"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shadow_scores_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("shadow_scores")
