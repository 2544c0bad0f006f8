"""The chain is the truth: each row keeps a digest of its decisions, indexed for verify.

``audit verify`` replays the chain and compares every handoff's state, action hash and
decisions with its row. Parsing a million documents would take longer than walking
the chain itself, so the decisions get a column of their own, ``decisions_hash``
(sha256 of each decision's verdict, reviewer and action hash; empty for none), and
``ix_handoffs_chain`` covers the four columns verify reads, so it never reads a
document. Existing rows are filled from their documents.

Revision ID: 0008
Revises: 0007
"""

import json

import sqlalchemy as sa
from alembic import op

from handoff._projection import digest

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHAIN = ["id", "state", "action_hash", "decisions_hash"]


def upgrade() -> None:
    op.add_column(
        "handoffs",
        sa.Column("decisions_hash", sa.String(64), nullable=False, server_default=""),
    )
    conn = op.get_bind()
    # A document with decisions holds '"decisions":[{'; the others keep the default.
    rows = conn.execute(
        sa.text("SELECT id, doc FROM handoffs WHERE doc LIKE :has"),
        {"has": '%"decisions":[{%'},
    ).fetchall()
    for hid, doc in rows:
        decisions = json.loads(doc).get("decisions") or []
        value = digest([(d["verdict"], d["reviewer"], d.get("action_hash")) for d in decisions])
        conn.execute(
            sa.text("UPDATE handoffs SET decisions_hash = :v WHERE id = :id"),
            {"v": value, "id": hid},
        )
    op.create_index("ix_handoffs_chain", "handoffs", _CHAIN)


def downgrade() -> None:
    op.drop_index("ix_handoffs_chain", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("decisions_hash")
