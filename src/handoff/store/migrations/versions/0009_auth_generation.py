"""The accounts' generation: a counter every change to who may call moves forward.

A server caches what an API key stands for (its key id, its account, the account's
role and teams) and serves a request from the cache while the counter still reads the
number it was cached under. Revoking a key, disabling, enabling or deleting an account
moves the counter in the same transaction, so every process on the database drops its
cache at its next request.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "auth_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("auth_generation")
