"""handoff: decide when an agent's action may run on its own and when a human decides.

Everyday use needs only this namespace::

    from handoff import Action, ControlPlane, Decision

``ControlPlane`` (embedded) and ``Client`` (a ``handoff serve`` over HTTP) are both a
``Plane``; code typed on ``Plane`` takes either.
"""

from . import _moved
from ._clock import Clock, SystemClock
from ._exceptions import (
    ActionBlocked,
    ActionRejected,
    ConflictError,
    ExecutionError,
    HandoffError,
    HashMismatch,
    InputError,
    NotApproved,
    NotAuthorized,
    NotFound,
    PolicyError,
    Tampered,
    UnknownTool,
)
from ._outcome import Outcome
from .audit.trail import VerifyReport
from .client import Client
from .execute.execution import Confirmation, Executor, RollbackImpossible
from .models import (
    Action,
    Answer,
    Assessment,
    Context,
    Decision,
    Event,
    Evidence,
    Execution,
    Handoff,
    Incident,
    Level,
    Mode,
    Option,
    Package,
    RemoteClaim,
    State,
    Step,
    Verdict,
)
from .plane import ControlPlane
from .policy import Policy, default_policy, load_policy
from .protocol import Plane

__version__ = "0.1.0"

_moved.install()

__all__ = [
    "Action",
    "ActionBlocked",
    "ActionRejected",
    "Answer",
    "Assessment",
    "Client",
    "Clock",
    "Confirmation",
    "ConflictError",
    "Context",
    "ControlPlane",
    "Decision",
    "Event",
    "Evidence",
    "Execution",
    "ExecutionError",
    "Executor",
    "Handoff",
    "HandoffError",
    "HashMismatch",
    "Incident",
    "InputError",
    "Level",
    "Mode",
    "NotApproved",
    "NotAuthorized",
    "NotFound",
    "Option",
    "Outcome",
    "Package",
    "Plane",
    "Policy",
    "PolicyError",
    "RemoteClaim",
    "RollbackImpossible",
    "State",
    "Step",
    "SystemClock",
    "Tampered",
    "UnknownTool",
    "Verdict",
    "VerifyReport",
    "__version__",
    "default_policy",
    "load_policy",
]
