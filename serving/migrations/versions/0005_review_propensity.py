"""Every score records the probability that its application is reviewed.

``review_propensity`` is that probability under the policy in force when the
score was made (1 for a model flag or under the kill switch, the blind-sample
rate otherwise); ``blind_sample_rate`` is the rate in force, so a replay can
recompute it.  Scores logged before this revision get 1 where their route says
review was certain (a model flag or the kill switch); the others keep NULL:
the rate in force then was not recorded, and no one should guess it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_propensity", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("blind_sample_rate", sa.Double(), nullable=True))
    op.execute(
        "UPDATE scores SET review_propensity = 1.0 WHERE route IN ('model_flag', 'kill_switch')"
    )


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_column("blind_sample_rate")
        batch_op.drop_column("review_propensity")
