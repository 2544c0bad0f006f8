"""``@plane.guard("cms.publish")``: gate an agent's own tool function.

The decorated function becomes the executor for the tool. Each call is submitted as an
action (its arguments bound to their parameter names); what the call returns:

* the function's own return value, when the action ran (auto, or approved while waiting);
* an ``Outcome`` with ``status == "pending"`` (or ``"needs_info"``) when a human has not
  decided yet; keep ``outcome.handoff_id`` and ``plane.wait`` / ``plane.execute`` later;
* it raises ``ActionBlocked`` when the policy forbids the action and ``ActionRejected``
  (with the reviewer's rationale) when a reviewer rejected it.

Pass context for Detect with the keyword-only ``handoff_context=`` (a ``Context`` or a
dict); it is taken out before the function is called.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._exceptions import ActionBlocked, ActionRejected
from .._outcome import Outcome
from ..models import Action, Context, State

if TYPE_CHECKING:
    from .._parts import GuardedPlane

__all__ = ["guard"]


def _bind(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    out: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        param = inspect.signature(fn).parameters[name]
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif param.kind is inspect.Parameter.VAR_POSITIONAL:
            raise TypeError("guarded functions cannot take *args; use named parameters")
        else:
            out[name] = value
    return out


def _settle(plane: GuardedPlane, outcome: Outcome, wait: float | None) -> Outcome:
    """Wait for a pending handoff when asked to, run it if approved, raise if refused."""
    h = outcome.handoff
    if outcome.status == "pending" and wait:
        h = plane.wait(h.id, timeout=wait)
        if h.state is State.APPROVED:
            return plane.execute(h.id)
        outcome = Outcome.of(h)
    if outcome.status == "blocked":
        raise ActionBlocked("; ".join(outcome.reasons) or "the policy blocks this action")
    if outcome.status == "rejected":
        last = h.decisions[-1].rationale if h.decisions else h.state.value
        raise ActionRejected(f"{h.action.tool} was {h.state.value}: {last}")
    return outcome


def guard(
    plane: GuardedPlane,
    tool: str,
    *,
    agent: str = "agent",
    on_behalf_of: str | None = None,
    wait: float | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        executor = plane.register(tool, fn)
        is_async = inspect.iscoroutinefunction(fn)

        def make_action(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Action:
            ctx = kwargs.pop("handoff_context", None)
            context = ctx if isinstance(ctx, Context) else Context.model_validate(ctx or {})
            return Action(
                tool=tool,
                args=_bind(fn, args, kwargs),
                agent=agent,
                on_behalf_of=on_behalf_of,
                context=context,
            )

        if not is_async:

            @functools.wraps(fn)
            def sync_call(*args: Any, **kwargs: Any) -> Any:
                outcome = _settle(plane, plane.submit(make_action(args, kwargs)), wait)
                return outcome.result if outcome.status == "executed" else outcome

            sync_call.executor = executor  # type: ignore[attr-defined]
            return sync_call

        @functools.wraps(fn)
        async def async_call(*args: Any, **kwargs: Any) -> Any:
            action = make_action(args, kwargs)
            outcome = await asyncio.to_thread(plane.submit, action)
            outcome = await asyncio.to_thread(_settle, plane, outcome, wait)
            return outcome.result if outcome.status == "executed" else outcome

        async_call.executor = executor  # type: ignore[attr-defined]
        return async_call

    return decorate
