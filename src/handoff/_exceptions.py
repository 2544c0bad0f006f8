"""The exception tree of handoff.

    HandoffError
    ├── InputError            bad input from a caller; names the field at fault
    │   ├── PolicyError       a policy file that does not validate (names file:line path)
    │   └── UnknownTool       no executor for the tool (or, accept_tools: listed, not listed)
    ├── NotFound              no handoff (or execution) with that id
    ├── ConflictError         the state moved on: already decided, idempotency clash, ...
    ├── NotAuthorized         the reviewer may not make this decision
    ├── HashMismatch          the args to run are not the ones that were approved
    ├── NotApproved           the audit chain holds no approval for the action to run
    ├── Tampered              a stored row disagrees with itself (edited outside handoff)
    ├── ActionBlocked         the policy forbids the action outright
    ├── ActionRejected        a reviewer rejected the action (raised by guarded functions)
    └── ExecutionError        the executor failed

"Pending" is never an error: ``ControlPlane.submit`` returns a ``Pending`` result.
"""

from __future__ import annotations

__all__ = [
    "ActionBlocked",
    "ActionRejected",
    "ConflictError",
    "ExecutionError",
    "HandoffError",
    "HashMismatch",
    "InputError",
    "NotApproved",
    "NotAuthorized",
    "NotFound",
    "PolicyError",
    "Tampered",
    "UnknownTool",
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


class NotAuthorized(HandoffError):
    code = "not_authorized"


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
