"""The first schema: handoffs, events with their chain head, outbox, incidents.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from handoff.store._tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("tool", sa.String(200), nullable=False),
        sa.Column("action_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("level_rank", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("deadline", UTCDateTime, nullable=True),
        sa.Column("ladder_step", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.UniqueConstraint("agent", "idempotency_key", name="uq_handoffs_idempotency"),
    )
    op.create_index("ix_handoffs_queue", "handoffs", ["state", "owner", "level_rank", "deadline"])
    op.create_index("ix_handoffs_deadline", "handoffs", ["deadline"])
    op.create_index("ix_handoffs_created", "handoffs", ["created_at"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("handoff_id", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_events_handoff", "events", ["handoff_id", "seq"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("handoff_id", sa.String(40), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("available_at", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox", ["delivered_at", "available_at"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("handoff_id", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("reporter", sa.String(200), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_incidents_handoff", "incidents", ["handoff_id"])


def downgrade() -> None:
    for name in ("incidents", "outbox", "audit_head", "events", "handoffs"):
        op.drop_table(name)
