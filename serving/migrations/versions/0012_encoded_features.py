"""The inference log keeps each score's row as the model read it, beside its JSON.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feature_encodings",
        sa.Column("encoding_id", sa.String(length=16), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("encoding_id", name=op.f("pk_feature_encodings")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("encoded_features", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("feature_encoding", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_column("feature_encoding")
        batch_op.drop_column("encoded_features")
    op.drop_table("feature_encodings")
