"""Drop ``ix_handoffs_deadline``: no query reads it, and every write of a handoff paid for it.

Every query the store runs was checked with ``EXPLAIN QUERY PLAN`` on SQLite and
``EXPLAIN`` on PostgreSQL (docs/PERFORMANCE.md, "Indexes"). The only filters on
``deadline`` (an overdue inbox, the SLA gauge) also filter on ``state``; SQLite never
picked this index for them, and PostgreSQL, which did when almost nothing was overdue,
serves the same condition from ``ix_handoffs_queue`` once it is gone (state, owner,
level_rank, deadline, ...: an index-only scan of the open handoffs). The SLA ladder
reads ``ladder_due``. The other indexes each serve a query: the queue, recovery and
the change log (``ix_handoffs_queue``, ``ix_handoffs_settled``), Learn's windows
(``ix_handoffs_created``), ``audit verify`` (``ix_handoffs_chain``) and idempotent
submits (``uq_handoffs_idempotency``).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_handoffs_deadline", table_name="handoffs")


def downgrade() -> None:
    op.create_index("ix_handoffs_deadline", "handoffs", ["deadline"])
