"""A webhook receiver that verifies each delivery and applies each message once.

It stands in for the system that hears about handoffs, written the way docs/deploy.md
asks: ``handoff.channels.webhook.verify`` with a replay guard; a bad signature or a
stale timestamp is refused with 401, a message id seen before is acknowledged with 200
and not applied again (the sender delivers at least once). It runs in a thread of the
process that checks the figures.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from handoff.channels import ReplayError, SignatureError, webhook
from handoff.channels._replay import ReplayGuard

__all__ = ["Delivery", "HookReceiver"]


@dataclass(frozen=True)
class Delivery:
    """One request as it reached the receiver: lower-cased headers and the raw body."""

    headers: dict[str, str]
    body: bytes


class HookReceiver:
    """An HTTP endpoint that verifies Standard Webhooks deliveries and applies each once.

    ``applied[msg_id]`` counts the times a message changed the receiver's state (it must
    never pass 1) and ``first[msg_id]`` keeps the request that did; ``duplicates``
    counts valid re-deliveries, answered 200 and not applied. Any other request is
    refused with 401 and the reason. With ``lose_next`` set, that many applied
    deliveries get no answer at all (the connection closes), as when a reply is lost
    on the way back, so the sender must deliver them again.
    """

    def __init__(self, secret: str, tolerance: float = 300.0) -> None:
        self.secret, self.tolerance = secret, tolerance
        self.guard = ReplayGuard(tolerance)
        self.applied: Counter[str] = Counter()
        self.duplicates: Counter[str] = Counter()
        self.first: dict[str, Delivery] = {}
        self.lose_next = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                got = Delivery(
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(size)
                )
                status, answer = receiver.receive(got)
                if status == 200 and "applied" in answer and receiver._lose():
                    self.close_connection = True
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/handoff-events"

    def receive(self, got: Delivery) -> tuple[int, dict[str, Any]]:
        """Verify, then apply a first delivery or acknowledge a repeated one."""
        try:
            webhook.verify(
                self.secret,
                got.headers,
                got.body,
                time.time(),
                tolerance=self.tolerance,
                replay=self.guard,
            )
        except ReplayError:
            with self._lock:
                self.duplicates[got.headers["webhook-id"]] += 1
            return 200, {"duplicate": got.headers["webhook-id"]}
        except SignatureError as exc:
            return 401, {"error": exc.message}
        msg_id = got.headers["webhook-id"]
        with self._lock:
            self.applied[msg_id] += 1
            self.first.setdefault(msg_id, got)
        return 200, {"applied": msg_id}

    def _lose(self) -> bool:
        with self._lock:
            if self.lose_next <= 0:
                return False
            self.lose_next -= 1
            return True

    def total(self) -> int:
        with self._lock:
            return sum(self.applied.values())

    def __enter__(self) -> HookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
