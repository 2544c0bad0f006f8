"""Account events in the audit chain: logins that failed or locked, accounts changed.

They are chain events without a handoff (``handoff_id`` is None), so ``handoff audit
verify`` covers them like every decision, and nobody with the database alone can
quietly remove the record that an account was disabled or a password was guessed at.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..store import Store

__all__ = ["record"]

#: Names an attacker typed go into the chain; the chain's actor column holds 200.
_ACTOR_CHARS = 200


def record(store: Store, kind: str, actor: str, at: float, **data: Any) -> None:
    """Append one account event, in a transaction of its own.

    Called after the account change committed, never inside it: on SQLite the chain's
    writer is another connection, and nesting the two write locks would deadlock.
    """
    with store.write() as tx:
        tx.event(
            kind,
            handoff_id=None,
            actor=actor[:_ACTOR_CHARS],
            at=datetime.fromtimestamp(at, UTC),
            data=data,
        )
