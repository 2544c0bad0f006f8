"""Delivery: the SLA ladder schedule, dead-lettered outbox rows, agent callbacks.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from handoff.store._tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ladder_due",
        sa.Column("handoff_id", sa.String(40), primary_key=True),
        sa.Column("due_at", UTCDateTime, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_ladder_due_at", "ladder_due", ["due_at"])
    # Open handoffs written before this revision get a schedule to compute at once.
    postgres = op.get_bind().dialect.name == "postgresql"
    epoch = "TIMESTAMPTZ '1970-01-01 00:00:00+00'" if postgres else "'1970-01-01 00:00:00.000000'"
    op.execute(
        "INSERT INTO ladder_due (handoff_id, due_at, version)"
        f" SELECT id, {epoch}, version FROM handoffs"
        " WHERE state IN ('pending', 'redirected') AND deadline IS NOT NULL"
    )
    op.create_table(
        "outbox_dead",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("handoff_id", sa.String(40), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("failed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "callbacks",
        sa.Column("agent", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for name in ("callbacks", "outbox_dead", "ladder_due"):
        op.drop_table(name)
