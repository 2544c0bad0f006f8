"""The state machine of a handoff.

Pure: it says which transitions exist; the store applies them as compare-and-set on
the current state, so two racing decisions cannot both win.
"""

from __future__ import annotations

from ..models import State

__all__ = ["OPEN", "TERMINAL", "TRANSITIONS", "can_move", "check_move"]

TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset(
        {
            State.PENDING,
            State.APPROVED,
            State.REJECTED,
            State.REDIRECTED,
            State.NEEDS_INFO,
            State.EXPIRED,
            State.CANCELLED,
        }
    ),
    State.REDIRECTED: frozenset(
        {
            State.REDIRECTED,
            State.APPROVED,
            State.REJECTED,
            State.NEEDS_INFO,
            State.EXPIRED,
            State.CANCELLED,
        }
    ),
    State.NEEDS_INFO: frozenset({State.PENDING, State.CANCELLED, State.EXPIRED}),
    State.APPROVED: frozenset({State.EXECUTING, State.CANCELLED}),
    State.AUTO_APPROVED: frozenset({State.EXECUTING}),
    State.EXECUTING: frozenset({State.EXECUTED, State.FAILED, State.ROLLED_BACK}),
    State.EXECUTED: frozenset({State.ROLLED_BACK}),
    State.FAILED: frozenset(),
    State.ROLLED_BACK: frozenset(),
    State.REJECTED: frozenset(),
    State.EXPIRED: frozenset(),
    State.CANCELLED: frozenset(),
    State.BLOCKED: frozenset(),
}

#: States in which a reviewer's decision is still awaited.
OPEN: frozenset[State] = frozenset({State.PENDING, State.REDIRECTED})
#: States after which nothing more will happen to the handoff.
TERMINAL: frozenset[State] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def can_move(src: State, dst: State) -> bool:
    return dst in TRANSITIONS[src]


def check_move(src: State, dst: State) -> None:
    """Raise ``ConflictError`` when ``src -> dst`` is not a transition of the machine."""
    if not can_move(src, dst):
        from .._exceptions import ConflictError

        raise ConflictError(
            f"a handoff in state {src.value} cannot become {dst.value}", field="state"
        )
