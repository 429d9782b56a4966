"""Composite (key, submitted_at) indexes for the request-time window counts.

Each count of applications sharing a contact detail, agent or sponsor in the
network window is one range scan on its own index, however busy the key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEYS = ("sponsor_id", "agent_id", "phone_hash", "email_hash", "address_hash", "bank_account_hash")


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for key in _KEYS:
            batch_op.drop_index(batch_op.f(f"ix_applications_{key}"))
            batch_op.create_index(
                batch_op.f(f"ix_applications_{key}_submitted_at"), [key, "submitted_at"]
            )


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for key in _KEYS:
            batch_op.drop_index(batch_op.f(f"ix_applications_{key}_submitted_at"))
            batch_op.create_index(batch_op.f(f"ix_applications_{key}"), [key])
