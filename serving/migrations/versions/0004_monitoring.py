"""Monitoring runs and their alerts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_runs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("model_version", sa.String(length=120), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_monitor_runs")),
    )
    with op.batch_alter_table("monitor_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_runs_at"), ["at"], unique=False)
    op.create_table(
        "monitor_alerts",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("model_version", sa.String(length=120), nullable=False),
        sa.Column("rule", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("feature", sa.String(length=120), nullable=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=True),
        sa.Column("chunk_start", sa.String(length=40), nullable=False),
        sa.Column("chunk_end", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("suspend", sa.Boolean(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitor_runs.run_id"], name=op.f("fk_monitor_alerts_run_id_monitor_runs")
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_monitor_alerts")),
        sa.UniqueConstraint(
            "model_version",
            "rule",
            "chunk_start",
            name=op.f("uq_monitor_alerts_model_version_rule_chunk_start"),
        ),
    )
    with op.batch_alter_table("monitor_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_alerts_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitor_alerts_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_table("monitor_alerts")
    op.drop_table("monitor_runs")
