"""``HttpExecutor``: send an action's args as JSON to a URL, exactly once per key.

Every request carries ``Idempotency-Key: <handoff id>:<stage>`` (and ``Handoff-Stage``),
so a server that dedupes by that header sees one effect however often a crash makes the
plane retry. ``confirm`` asks the server with a follow-up GET when ``confirm_url`` is
given (a template with ``{idempotency_key}`` and ``{stage}``; 404 means the effect did
not happen, a JSON body ``{"ok": false, "reason": ...}`` is a failed check), and
otherwise judges the response the apply got. ``rollback`` sends ``DELETE`` to the
``Location`` the server returned (or ``rollback_url``, a template like ``confirm_url``).

Every request goes through ``handoff._egress``: its address must be public unless
``HANDOFF_EGRESS_ALLOW`` names it, the connection is pinned to the address checked, and
redirects are not followed (a ``3xx`` is an error). A ``Location`` the server answers
is checked again when the rollback uses it. URLs given to the constructor that already
resolve to a refused address are refused there, naming the argument.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urljoin

from ... import _egress as egress
from ..._exceptions import HttpError
from ..execution import Confirmation, RollbackImpossible

__all__ = ["HttpExecutor"]

_MAX_BODY = 4000


class HttpExecutor:
    """POST (or PUT) the args as JSON; ``canary_url`` is the staging target for ``canary``."""

    def __init__(
        self,
        url: str,
        *,
        method: str = "POST",
        canary_url: str | None = None,
        confirm_url: str | None = None,
        rollback_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        if method not in ("POST", "PUT"):
            raise ValueError("method must be POST or PUT")
        for name, value in (
            ("url", url),
            ("canary_url", canary_url),
            ("confirm_url", confirm_url),
            ("rollback_url", rollback_url),
        ):
            if value is not None:
                _refuse_early(name, value.format(idempotency_key="k", stage="full"))
        self.url, self.method = url, method
        self.canary_url, self.confirm_url, self.rollback_url = canary_url, confirm_url, rollback_url
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.stages: tuple[str, ...] = (
            ("dry_run", "canary", "full") if canary_url else ("dry_run", "full")
        )

    def _target(self, stage: str) -> str:
        return self.canary_url if stage == "canary" and self.canary_url else self.url

    def _send(
        self, method: str, url: str, body: Any = None, key: str | None = None, stage: str = ""
    ) -> dict[str, Any]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        if stage:
            headers["Handoff-Stage"] = stage
        headers.update(self.headers)
        with egress.client(timeout=self.timeout) as http:
            resp = http.request(method, url, content=data, headers=headers)
        status, raw, location = resp.status_code, resp.content, resp.headers.get("Location")
        if resp.is_redirect:
            raise HttpError(f"{method} {url} answered {status}; redirects are not followed")
        text = raw.decode("utf-8", "replace")
        try:
            parsed: Any = json.loads(text) if text else None
        except ValueError:
            parsed = text[:_MAX_BODY]
        out: dict[str, Any] = {"status": status, "url": url, "body": parsed}
        if location:
            out["location"] = urljoin(url, location)
        return out

    def preview(self, args: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "target": f"{self.method} {self.url}",
            "before": None,
            "after": json.dumps(dict(args), indent=2, sort_keys=True, ensure_ascii=False),
        }

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        if stage == "dry_run":
            return {"stage": stage, "dry_run": True, **self.preview(args)}
        resp = self._send(self.method, self._target(stage), dict(args), idempotency_key, stage)
        if resp["status"] >= 400:
            raise HttpError(f"{self.method} {resp['url']} answered {resp['status']}")
        result = {**resp, "stage": stage, "idempotency_key": idempotency_key}
        body = resp["body"]
        if isinstance(body, dict) and "version" in body:
            result["version"] = body["version"]
            result["previous_version"] = body.get("previous_version")
        return result

    def _template(self, template: str, key: str, stage: str) -> str:
        return template.format(idempotency_key=quote(key, safe=""), stage=quote(stage, safe=""))

    def confirm(self, result: Any) -> Confirmation:
        if not isinstance(result, Mapping):
            return Confirmation.failed("no response to confirm")
        stage = str(result.get("stage", "full"))
        if stage == "dry_run" or result.get("dry_run"):
            return Confirmation.passed(dict(result))
        key = str(result.get("idempotency_key", ""))
        if self.confirm_url:
            check = self._send("GET", self._template(self.confirm_url, key, stage))
            if check["status"] == 404:
                return Confirmation.failed("the server has no record of this key")
            body = check["body"]
            if check["status"] >= 400:
                return Confirmation.failed(f"the confirmation GET answered {check['status']}")
            if isinstance(body, dict) and body.get("ok") is False:
                return Confirmation.failed(str(body.get("reason") or "the server says not ok"))
            if result.get("recovering"):
                return Confirmation.passed(
                    {"stage": stage, "idempotency_key": key, "confirmed_by": check}
                )
            return Confirmation.passed(dict(result))
        if result.get("recovering"):
            return Confirmation.failed("no response to judge without a confirm_url")
        status = int(result.get("status", 0))
        if 200 <= status < 300:
            return Confirmation.passed(dict(result))
        return Confirmation.failed(f"the server answered {status}")

    def rollback(self, result: Any) -> Any:
        if not isinstance(result, Mapping) or result.get("dry_run"):
            return None
        key = str(result.get("idempotency_key", ""))
        if self.rollback_url:
            url = self._template(self.rollback_url, key, str(result.get("stage", "full")))
        elif result.get("location"):
            url = str(result["location"])
        else:
            raise RollbackImpossible("the server returned no Location to undo")
        resp = self._send("DELETE", url, None, f"{key}:rollback")
        if resp["status"] >= 400 and resp["status"] != 404:
            raise RollbackImpossible(f"DELETE {url} answered {resp['status']}")
        return {"status": resp["status"], "url": url}


def _refuse_early(name: str, url: str) -> None:
    """Refuse a URL already known to reach a refused address, naming the argument.

    A name that does not resolve yet passes here (the service may come up later);
    every request checks again before it connects.
    """
    with contextlib.suppress(egress.Unresolved):
        egress.check(url, name)
