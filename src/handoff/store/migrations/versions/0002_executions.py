"""Executions: an index for the change log, the rollback rate and recovery.

The execution record itself (stages, lease owner and ``lease_until``, versions, who
approved) lives in the handoff's ``doc`` and is written by the same statement as the
state change that claims or finishes it, so the auto path gains no statements.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_handoffs_settled", "handoffs", ["state", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_settled", table_name="handoffs")
