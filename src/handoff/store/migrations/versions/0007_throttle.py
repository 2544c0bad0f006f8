"""Throttling and account control: failed-login and API-request counters, disabled
accounts, and the last time a session was used (for the idle timeout).

The counters live in the database, not in a process, so every ``handoff serve`` on one
PostgreSQL counts the same failures and requests. Existing sessions get ``seen_at`` =
their creation time, so an old idle session ends at its first use after the upgrade.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("since", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=True),
        sa.Column("forget_at", sa.Float, nullable=False),
    )
    op.create_index("ix_throttle_forget", "throttle", ["forget_at"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", sa.Float, nullable=True))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("seen_at", sa.Float, nullable=True))
    op.execute("UPDATE sessions SET seen_at = created_at")
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("seen_at", existing_type=sa.Float, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("seen_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
    op.drop_index("ix_throttle_forget", table_name="throttle")
    op.drop_table("throttle")
