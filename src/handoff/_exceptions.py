"""The exception tree of handoff.

Each class has a stable ``code`` (what the HTTP API returns and ``Client`` raises back),
an HTTP status and a CLI exit code (0 done, 1 failed, 2 bad input, 3 not authorized,
4 conflict)::

    HandoffError                    code                 HTTP  exit
    ├── InputError                  invalid_input         422    2  bad input; names the field
    │   ├── PolicyError             invalid_policy        422    2  a policy file (file:line path)
    │   ├── UnknownTool             unknown_tool          422    2  no executor for the tool
    │   └── DatabaseUrlError        invalid_database_url  422    2  a --db URL that cannot work
    ├── NotFound                    not_found             404    1  no handoff (or execution)
    ├── ConflictError               conflict              409    4  the state moved on
    │   └── AlreadyExists           already_exists        409    4  that key is taken (idempotency
    │                                                               key, passkey)
    ├── NotAuthorized               not_authorized        403    3  may not make this decision
    │   └── Unauthenticated         unauthenticated       401    3  no or unknown credentials
    ├── Throttled                   rate_limited          429    1  too many requests or logins
    ├── HashMismatch                hash_mismatch         409    1  args are not the approved ones
    ├── NotApproved                 not_approved          409    1  the chain holds no approval
    ├── Tampered                    tampered              409    1  a row disagrees with itself
    ├── ActionBlocked               blocked               403    1  the policy forbids the action
    ├── ActionRejected              rejected              400    1  a reviewer rejected it (guarded
    │                                                               functions)
    ├── DatabaseError               database_error        503    1  the database cannot be opened or
    │                                                               failed under a command
    └── ExecutionError              execution_failed      502    1  the executor failed
        ├── HttpError               http_error            502    1  an HTTP target's error status
        └── UpstreamToolError       upstream_tool_error   502    1  an MCP upstream tool's isError

Two more live beside the code that raises them: ``handoff.channels.webhook.SignatureError``
(``bad_signature``, and its ``ReplayError``) for a signed request that fails
verification, and ``handoff.checkpoint.CheckpointError`` (``invalid_checkpoint``) for a
key or checkpoint file that cannot be used.

"Pending" is never an error: ``ControlPlane.submit`` returns a ``Pending`` result.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActionBlocked",
    "ActionRejected",
    "AlreadyExists",
    "ConflictError",
    "DatabaseError",
    "DatabaseUrlError",
    "ExecutionError",
    "HandoffError",
    "HashMismatch",
    "HttpError",
    "InputError",
    "NotApproved",
    "NotAuthorized",
    "NotFound",
    "PolicyError",
    "Tampered",
    "Throttled",
    "Unauthenticated",
    "UnknownTool",
    "UpstreamToolError",
]


class HandoffError(Exception):
    """Root of every error handoff raises on purpose.

    ``code`` is a stable machine-readable name; ``field`` names the input at fault, when
    there is one.
    """

    code = "handoff_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InputError(HandoffError):
    code = "invalid_input"


class PolicyError(InputError):
    """The message already says ``file:line path: problem``; ``field`` holds the path."""

    code = "invalid_policy"

    def __str__(self) -> str:
        return self.message


class UnknownTool(InputError):
    code = "unknown_tool"


class NotFound(HandoffError):
    code = "not_found"


class ConflictError(HandoffError):
    code = "conflict"


class AlreadyExists(ConflictError):
    """A record with the same key is stored already (an idempotency key, a passkey)."""

    code = "already_exists"


class DatabaseUrlError(InputError):
    """A database URL that does not parse or names no supported database; the message
    says what is wrong with it (the password hidden)."""

    code = "invalid_database_url"


class NotAuthorized(HandoffError):
    code = "not_authorized"


class Unauthenticated(NotAuthorized):
    """No credentials, or ones that are unknown, revoked or expired."""

    code = "unauthenticated"


class Throttled(HandoffError):
    """Too many requests with one API key, or failed logins: 429 with ``Retry-After``."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 1, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class DatabaseError(HandoffError):
    """A database that cannot be opened, or that failed under a command (the server
    went away, the disk filled up); the message says where and why."""

    code = "database_error"


class HashMismatch(HandoffError):
    code = "hash_mismatch"


class NotApproved(HandoffError):
    """A claim to execute that the audit chain does not back.

    The row may say ``approved``; only the approving decision events in the chain,
    bound to the action hash that would run, let an execution start (see
    ``handoff._projection``). ``field`` names what disagrees (usually ``state``).
    """

    code = "not_approved"


class Tampered(HandoffError):
    """A stored handoff whose document disagrees with its own columns; ``field`` names
    the one (``state``, ``action_hash``, ``decisions``). Only an edit made outside
    handoff produces one, so it is refused rather than trusted."""

    code = "tampered"


class ActionBlocked(HandoffError):
    code = "blocked"


class ActionRejected(HandoffError):
    code = "rejected"


class ExecutionError(HandoffError):
    code = "execution_failed"


class HttpError(ExecutionError):
    """An HTTP executor's target answered with an error status (or a redirect)."""

    code = "http_error"


class UpstreamToolError(ExecutionError):
    """An MCP gateway's upstream tool answered with ``isError``; ``result`` is its whole
    answer, passed on to the agent as it came."""

    code = "upstream_tool_error"

    def __init__(
        self, message: str, *, result: dict[str, Any] | None = None, field: str | None = "executor"
    ) -> None:
        super().__init__(message, field=field)
        self.result: dict[str, Any] = result or {}
