"""Counts over the tables: the queue's open handoffs per team and the metrics' gauges."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, func, select

from ..decide.lifecycle import OPEN
from ._protocol import Gauges
from ._tables import events, handoffs, outbox, outbox_dead

__all__ = ["GaugeRows"]

_OPEN = handoffs.c.state.in_(sorted(s.value for s in OPEN))


class GaugeRows:
    """The counting part of ``SqlStore``; see ``handoff.store.Store`` for the contract."""

    engine: Engine

    def count_open(self, owners: Collection[str] | None = None) -> dict[str, int]:
        q = select(handoffs.c.owner, func.count()).where(_OPEN)
        if owners is not None:
            q = q.where(handoffs.c.owner.in_(sorted(owners)))
        q = q.group_by(handoffs.c.owner)
        with self.engine.connect() as conn:
            return {str(owner): int(n) for owner, n in conn.execute(q)}

    def gauges(self, now: datetime, *, sla_actor: str) -> Gauges:
        with self.engine.connect() as conn:
            q = select(handoffs.c.state, handoffs.c.owner, handoffs.c.level, func.count())
            q = q.group_by(handoffs.c.state, handoffs.c.owner, handoffs.c.level)
            by_state = [(s, o, lv, int(n)) for s, o, lv, n in conn.execute(q)]
            q = (
                select(handoffs.c.owner, func.count())
                .where(_OPEN, handoffs.c.deadline <= now)
                .group_by(handoffs.c.owner)
            )
            breached = [(o, int(n)) for o, n in conn.execute(q)]
            q = (
                select(events.c.kind, func.count())
                .where(events.c.actor == sla_actor)
                .group_by(events.c.kind)
            )
            steps = [(str(k), int(n)) for k, n in conn.execute(q)]
            q = (
                select(outbox.c.channel, func.count())
                .where(outbox.c.delivered_at.is_(None))
                .group_by(outbox.c.channel)
            )
            backlog = [(str(c), int(n)) for c, n in conn.execute(q)]
            dead = int(conn.execute(select(func.count()).select_from(outbox_dead)).scalar_one())
        return Gauges(by_state, breached, steps, backlog, dead)
