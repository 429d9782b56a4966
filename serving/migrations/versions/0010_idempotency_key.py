"""Scores remember the caller's ``Idempotency-Key``, unique per caller.

A client that re-sends a score request (a retry after an answer was lost) names it
with the same key; the service finds the stored score by ``(scored_by,
idempotency_key)`` and answers it again instead of scoring twice.  Scores logged
before this revision, and requests sent without a key, keep NULL (which never
collides with another NULL under the unique constraint).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=72), nullable=True))
        batch_op.create_unique_constraint(
            "uq_scores_scored_by_idempotency_key", ["scored_by", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_constraint("uq_scores_scored_by_idempotency_key", type_="unique")
        batch_op.drop_column("idempotency_key")
