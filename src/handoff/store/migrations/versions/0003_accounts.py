"""Accounts: reviewers, teams and roles, agent API keys, sessions; SLA ladder claims.

Revision ID: 0003
Revises: 0002
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
