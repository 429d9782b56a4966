"""The audit chain is keyed: each entry names the key its HMAC was made with.

Entries written before the store had a key keep ``key_id`` empty: they are
*legacy* entries, chained with plain SHA-256, and verification accepts them only
as the chain's beginning (a legacy entry after a keyed one is a forgery).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("key_id")
