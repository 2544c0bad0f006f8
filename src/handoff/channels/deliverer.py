"""The Deliverer drains the outbox: notifications out to webhooks, agents, email, Slack.

The plane writes one abstract ``notify`` row (``to``, ``kind``, ``handoff_id``) in the
transaction of each change. Delivery then runs in two steps, each safe with many
processes because rows are claimed with ``SKIP LOCKED`` (PostgreSQL) or under
``BEGIN IMMEDIATE`` (SQLite):

1. fan-out: each ``notify`` row becomes one row per concrete message (a webhook, an
   agent's callback, an email address, a Slack channel), in one transaction;
2. send: due messages are leased (an attempt counted, hidden from other processes until
   the lease ends), sent outside any transaction, then marked delivered, scheduled for a
   retry with exponential backoff, or after ``max_attempts`` moved to the dead-letter
   list (``store.dead_letters()``).

Every HTTP destination (a webhook, an agent's callback, Slack's API) is checked before
each send and the connection pinned to the address checked (``handoff._egress``): a
loopback, private or link-local address fails the attempt unless the operator's
allow-list names it.

A process that dies mid-send leaves the lease to expire and the message is sent again:
delivery is at least once. The message id (``webhook-id``, the email ``Message-ID``) is
the outbox row's id, the same on every attempt, so receivers drop duplicates.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from .. import _egress as egress
from ..models import Handoff
from ..plane import ControlPlane
from ..store import OutboxRow, Tx
from . import email, slack, webhook
from ._config import ChannelsConfig

__all__ = ["Deliverer", "Pass"]

log = logging.getLogger("handoff.channels")


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass did: notifications fanned out, messages sent, retried, dead."""

    fanned: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0


class Deliverer:
    """Sends what the outbox holds through the configured channels; see the module doc."""

    def __init__(
        self,
        plane: ControlPlane,
        config: ChannelsConfig | None = None,
        *,
        client: httpx.Client | None = None,
        batch: int = 50,
    ) -> None:
        self.plane = plane
        self.config = config or ChannelsConfig()
        # The default client checks every destination and pins the address it checked.
        self.client = client or egress.client()
        self.batch = batch

    def close(self) -> None:
        self.client.close()

    def run_once(self) -> Pass:
        """Fan out every waiting notification, then send one batch of due messages."""
        fanned = 0
        while (n := self.fan_out()) > 0:
            fanned += n
            if n < self.batch:
                break
        sent = self.send_due()
        return Pass(fanned, sent.sent, sent.retried, sent.dead)

    # -- fan-out -----------------------------------------------------------------

    def fan_out(self) -> int:
        """Turn claimed ``notify`` rows into concrete messages; returns how many rows."""
        now = self.plane.clock.now()
        with self.plane.store.write() as tx:
            rows = tx.outbox_claim(now, self.batch, notify=True)
            for row in rows:
                for channel, payload in self._targets(tx, row.payload):
                    tx.enqueue(channel, payload, handoff_id=row.handoff_id, at=now)
                tx.outbox_done(row, now)
        return len(rows)

    def _targets(self, tx: Tx, note: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        cfg = self.config
        kind, _, name = str(note.get("to", "")).partition(":")
        out: list[tuple[str, dict[str, Any]]] = [
            ("webhook", {"url": w.url, "note": note}) for w in cfg.webhooks
        ]
        if kind == "agent" and tx.callback_get(name) is not None:
            out.append(("callback", {"agent": name, "note": note}))
        if cfg.email is not None and kind in ("user", "owner"):
            book = cfg.email.addresses
            names = [name]
            if kind == "owner" and name not in book:
                names = sorted(self.plane.policy.members_of(name))
            out += [("email", {"to": book[n], "note": note}) for n in names if n in book]
        if cfg.slack is not None:
            channel = None
            if kind == "owner":
                channel = cfg.slack.channels.get(name)
            elif kind == "user":
                channel = next((u for u, r in cfg.slack.users.items() if r == name), None)
            if channel is not None:
                out.append(("slack", {"channel": channel, "note": note}))
        return out

    # -- sending -----------------------------------------------------------------

    def send_due(self) -> Pass:
        """Lease a batch of due messages, send each, and record every outcome."""
        now = self.plane.clock.now()
        until = now + timedelta(seconds=self.config.lease)
        with self.plane.store.write() as tx:
            rows = tx.outbox_claim(now, self.batch, notify=False, lease_until=until)
        sent = retried = dead = 0
        for row in rows:
            error = None
            try:
                self.send(row, now)
            except Exception as exc:  # any failure is one failed attempt
                error = f"{type(exc).__name__}: {exc}"
                log.warning("delivery %s via %s failed: %s", row.id, row.channel, error)
            later = self.plane.clock.now()
            with self.plane.store.write() as tx:
                if error is None:
                    sent += tx.outbox_done(row, later)
                elif row.attempts >= self.config.max_attempts:
                    dead += tx.outbox_done(row, later, error=error)
                else:
                    delay = timedelta(seconds=self.config.retry_delay(row.attempts))
                    retried += tx.outbox_done(row, later, error=error, retry_at=later + delay)
        return Pass(0, sent, retried, dead)

    def send(self, row: OutboxRow, now: datetime) -> None:
        """Deliver one message through its channel; raises when it did not arrive."""
        note = row.payload["note"]
        h = self.plane.store.get(str(note["handoff_id"])) if note.get("handoff_id") else None
        msg_id = f"msg_{row.id}"
        kind = str(note.get("kind", "notice"))
        if row.channel in ("webhook", "callback"):
            url, secret = self._endpoint(row)
            egress.check(url, "callback" if row.channel == "callback" else "webhooks.url")
            body = json.dumps(_event(note, h, self.config, row), separators=(",", ":"))
            webhook.post(self.client, url, secret, msg_id, int(now.timestamp()), body.encode())
        elif row.channel == "email":
            cfg = self.config.email
            if cfg is None or h is None:
                raise LookupError("email is no longer configured or the handoff is gone")
            link = self.config.link(h.id)
            msg = email.compose(h, kind, link, cfg.sender, row.payload["to"], msg_id)
            email.send(
                msg,
                cfg.host,
                cfg.port,
                starttls=cfg.starttls,
                username=cfg.username,
                password=cfg.password,
            )
        elif row.channel == "slack":
            sc = self.config.slack
            if sc is None or h is None:
                raise LookupError("slack is no longer configured or the handoff is gone")
            egress.check(sc.api_url, "slack.api_url")
            message = slack.blocks(h, kind, self.config.link(h.id))
            text = f"{kind}: {h.action.tool}"
            slack.post(self.client, sc.api_url, sc.token, row.payload["channel"], message, text)
        else:
            raise LookupError(f"unknown channel {row.channel!r}")

    def _endpoint(self, row: OutboxRow) -> tuple[str, str]:
        if row.channel == "callback":
            with self.plane.store.write() as tx:
                found = tx.callback_get(row.payload["agent"])
            if found is None:
                raise LookupError(f"agent {row.payload['agent']} has no callback any more")
            return found
        url = row.payload["url"]
        for target in self.config.webhooks:
            if target.url == url:
                return target.url, target.secret
        raise LookupError(f"webhook {url} is no longer configured")


def _event(
    note: dict[str, Any], h: Handoff | None, cfg: ChannelsConfig, row: OutboxRow
) -> dict[str, Any]:
    """The webhook body: ``type``, ``timestamp`` and ``data`` as Standard Webhooks suggests."""
    data: dict[str, Any] = {**note}
    if h is not None:
        data.update(
            state=h.state.value,
            tool=h.action.tool,
            agent=h.action.agent,
            owner=h.owner,
            assignee=h.assignee,
            level=h.assessment.level.value,
            action_hash=h.action_hash,
            url=cfg.link(h.id),
        )
        if h.decisions:
            last = h.decisions[-1]
            data["decision"] = {
                "verdict": last.verdict.value,
                "reviewer": last.reviewer,
                "rationale": last.rationale,
            }
    return {
        "type": f"handoff.{note.get('kind', 'notice')}",
        "timestamp": row.created_at.isoformat(),
        "data": data,
    }
