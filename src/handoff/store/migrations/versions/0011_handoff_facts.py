"""Each handoff's facts in a row of their own: Learn reads them, not the documents.

``kpi`` and ``report`` read a dozen fields of every handoff in a window. Cutting them
out of each ~3 KB document (``json_extract``, then ``json.loads``) was most of their
time; ``handoff_facts`` holds those fields as plain columns (see ``handoff._facts``),
written by the store with every change of a handoff. Existing handoffs get theirs here,
from their documents, a batch at a time.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Iterator
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

from handoff._facts import facts_of
from handoff.models import Handoff

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "handoff_facts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("action_hash", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(100), nullable=True),
        sa.Column("tool", sa.String(200), nullable=False),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("assessment_owner", sa.String(100), nullable=True),
        sa.Column("quorum", sa.Integer, nullable=False),
        sa.Column("policy_version", sa.Text, nullable=False),
        sa.Column("triggers", sa.Text, nullable=False),
        sa.Column("packaged", sa.Boolean, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("context_evidence", sa.Text, nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decisions", sa.Text, nullable=False),
        sa.Column("executed", sa.Boolean, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed", sa.Boolean, nullable=False),
    )
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    table = sa.table("handoff_facts", *[sa.column(n) for n in _COLUMNS])
    for batch in _batches(conn):
        rows = [facts_of(Handoff.model_validate_json(doc)) for doc in batch]
        for row in rows:
            for name in ("deadline", "finished_at"):
                row[name] = _stored(row[name], sqlite)
        conn.execute(table.insert(), rows)


def downgrade() -> None:
    op.drop_table("handoff_facts")


_COLUMNS = (
    "id",
    "state",
    "action_hash",
    "owner",
    "tool",
    "agent",
    "target",
    "level",
    "mode",
    "assessment_owner",
    "quorum",
    "policy_version",
    "triggers",
    "packaged",
    "evidence",
    "context_evidence",
    "deadline",
    "decisions",
    "executed",
    "finished_at",
    "confirmed",
)


def _batches(conn: Any) -> Iterator[list[str]]:
    """The documents of every handoff, ``_BATCH`` at a time, by id."""
    after = ""
    while True:
        rows = conn.execute(
            sa.text("SELECT id, doc FROM handoffs WHERE id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": _BATCH},
        ).fetchall()
        if not rows:
            return
        yield [doc for _, doc in rows]
        after = rows[-1][0]


def _stored(at: Any, sqlite: bool) -> Any:
    """A time as the store writes it (naive UTC text on SQLite, as ``UTCDateTime``)."""
    if at is None:
        return None
    at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else at
