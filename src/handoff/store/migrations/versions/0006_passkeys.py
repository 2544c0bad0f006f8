"""Passkeys: reviewers' WebAuthn credentials and the challenges handed out to them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passkeys",
        sa.Column("credential_id", sa.String(1400), primary_key=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("sign_count", sa.Integer, nullable=False),
        sa.Column("rp_id", sa.String(253), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_passkeys_user", "passkeys", ["user_name"])
    op.create_table(
        "passkey_challenges",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("handoff_id", sa.String(40), nullable=True),
        sa.Column("action_hash", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("passkey_challenges")
    op.drop_table("passkeys")
