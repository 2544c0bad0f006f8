"""OpenAI Agents SDK end to end: a scripted model, a saved RunState, a decision between."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

pytest.importorskip("agents")

from agents import Agent, Runner, RunState, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from handoff import Plane, State
from handoff.integrations.openai_agents import ApprovalGate

from .conftest import Backend

PUBLISH = {"title": "Best launch ever", "body": "b"}
set_tracing_disabled(True)  # no network


def _plane(backend: Backend | Plane, agent: str) -> Plane:
    """The plane the gate gets: embedded or a ``Client`` keyed to ``agent``."""
    return backend.plane(agent) if isinstance(backend, Backend) else backend


class Cms:
    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []

    def tools(self) -> list[Any]:
        @function_tool
        def search_docs(query: str) -> str:
            """Search the published pages."""
            self.ran.append(("search_docs", {"query": query}))
            return "3 pages"

        @function_tool
        def publish_post(title: str, body: str) -> str:
            """Publish a post on the public blog."""
            self.ran.append(("publish_post", {"title": title, "body": body}))
            return f"published {title!r}"

        return [search_docs, publish_post]


def _setup(
    backend: Backend | Plane, *after: Any
) -> tuple[Agent[Any], ScriptedModel, Cms, ApprovalGate]:
    cms = Cms()
    gate = ApprovalGate(_plane(backend, "writer"), agent="writer")
    search, publish = cms.tools()
    model = ScriptedModel(
        [
            [function_call("search_docs", {"query": "launch"}, call_id="c1")],
            [function_call("publish_post", PUBLISH, call_id="c2")],
            *after,
        ]
    )
    agent = Agent(
        name="writer",
        model=model,
        tools=[
            gate.tool(search, name="cms.search_docs"),
            gate.tool(publish, name="cms.publish_post"),
        ],
    )
    return agent, model, cms, gate


async def _pause(agent: Agent[Any], gate: ApprovalGate) -> tuple[str, str]:
    result = await Runner.run(agent, "announce the launch")
    assert [i.tool_name for i in result.interruptions] == ["publish_post"]
    state = result.to_state()
    (h,) = gate.handoffs(state)
    return state.to_string(), h.id


def _tool_outputs(model: ScriptedModel) -> list[str]:
    call = model.last_call
    assert call is not None
    items = call.input if isinstance(call.input, list) else []
    return [str(i.get("output")) for i in items if i.get("type") == "function_call_output"]


def test_approval_resumes_the_saved_run(backend: Backend) -> None:
    agent, model, cms, gate = _setup(backend, [assistant_message("done")])

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        assert cms.ran == [("search_docs", {"query": "launch"})], "auto ran, risky waits"
        h = backend.home.get(hid)
        assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
        assert h.action.agent == "writer" and h.action.args == PUBLISH

        state = await RunState.from_string(agent, saved)
        assert [x.id for x in await gate.resume(state)] == [hid], "still pending: untouched"

        backend.home.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "done"
        assert cms.ran[-1] == ("publish_post", PUBLISH)
        assert backend.home.get(hid).state is State.EXECUTED
        assert "published 'Best launch ever'" in _tool_outputs(model)[-1]

    anyio.run(scenario)


def test_rejection_reaches_the_model_with_the_rationale(backend: Backend) -> None:
    agent, model, cms, gate = _setup(backend, [assistant_message("understood")])

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        backend.home.decide(hid, verdict="reject", reviewer="marco", rationale="claim unproven")
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "understood"
        assert all(name != "publish_post" for name, _ in cms.ran)
        assert "rejected by marco: claim unproven" in _tool_outputs(model)[-1]

    anyio.run(scenario)


def test_revised_args_run_once_without_a_second_review(backend: Backend) -> None:
    revised = {"title": "Our launch", "body": "b"}
    agent, model, cms, gate = _setup(backend, [assistant_message("published the revised post")])

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        backend.home.decide(hid, verdict="revise", reviewer="maya", rationale="tone", args=revised)
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "published the revised post"
        assert [a for name, a in cms.ran if name == "publish_post"] == [revised]
        h = backend.home.get(hid)
        assert h.state is State.EXECUTED and h.action.args == revised
        told = _tool_outputs(model)[-1]
        assert "maya revised publish_post before it ran" in told and "Our launch" in told
        assert "published 'Our launch'" in told
        assert len(backend.home.store.list_handoffs(limit=10)) == 2, "no second review"

    anyio.run(scenario)


class Ledger:
    """Money and notes that really move: ``ran`` is what each tool did, in order."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []

    def tools(self) -> list[Any]:
        @function_tool
        def refund(amount: float, to: str) -> str:
            """Refund money to a customer."""
            self.ran.append(("refund", {"amount": amount, "to": to}))
            return f"refunded {amount} to {to}"

        @function_tool
        def log_call(minutes: float, note: str) -> str:
            """Log a support call in the CRM."""
            self.ran.append(("log_call", {"minutes": minutes, "note": note}))
            return "logged"

        @function_tool
        def discount(sku: str, percent: float) -> str:
            """Put a product on discount."""
            self.ran.append(("discount", {"sku": sku, "percent": percent}))
            return f"{sku} at -{percent}%"

        return [refund, log_call, discount]


def _ledger_agent(
    backend: Backend | Plane, script: list[list[Any]], gate: ApprovalGate | None = None
) -> tuple[Agent[Any], Ledger, ApprovalGate]:
    ledger = Ledger()
    gate = gate or ApprovalGate(_plane(backend, "support-bot"), agent="support-bot")
    refund, log_call, discount = ledger.tools()
    agent = Agent(
        name="support",
        model=ScriptedModel(script),
        tools=[
            gate.tool(refund, name="billing.refund"),
            gate.tool(log_call, name="crm.log_call"),
            gate.tool(discount, name="shop.discount"),
        ],
    )
    return agent, ledger, gate


def test_resuming_the_same_saved_state_twice_refunds_once(backend: Backend) -> None:
    refund = function_call("refund", {"amount": 250, "to": "alice"}, call_id="c1")
    script = [[refund], [assistant_message("refunded")], [assistant_message("again")]]
    agent, ledger, gate = _ledger_agent(backend, script)

    async def scenario() -> None:
        result = await Runner.run(agent, "refund alice")
        saved = result.to_state().to_string()
        (h,) = gate.handoffs(result.to_state())
        backend.home.decide(h.id, verdict="approve", reviewer="fiona", rationale="order lost")
        backend.home.decide(h.id, verdict="approve", reviewer="felix", rationale="ok")
        for _ in range(2):  # a retry after a crash resumes the same saved state
            state = await RunState.from_string(agent, saved)
            assert await gate.resume(state) == []
            await Runner.run(agent, state)

    anyio.run(scenario)
    assert ledger.ran == [("refund", {"amount": 250.0, "to": "alice"})]
    assert len(backend.home.store.list_handoffs(limit=10)) == 1


def test_a_new_run_reusing_a_call_id_is_reviewed_again(backend: Backend) -> None:
    call = function_call("refund", {"amount": 250, "to": "alice"}, call_id="c1")
    agent, ledger, gate = _ledger_agent(backend, [[call], [assistant_message("done")]])

    async def first() -> None:
        result = await Runner.run(agent, "refund alice for order 17")
        (h,) = gate.handoffs(result.to_state())
        backend.home.decide(h.id, verdict="approve", reviewer="fiona", rationale="order lost")
        backend.home.decide(h.id, verdict="approve", reviewer="felix", rationale="ok")
        state = result.to_state()
        assert await gate.resume(state) == []
        await Runner.run(agent, state)

    anyio.run(first)
    assert len(ledger.ran) == 1

    # another conversation; the model numbers its calls from c1 again
    agent2, ledger2, _ = _ledger_agent(backend, [[call], [assistant_message("done")]], gate)

    async def second() -> None:
        result = await Runner.run(agent2, "refund alice for order 18")
        assert [i.tool_name for i in result.interruptions] == ["refund"]

    anyio.run(second)
    assert ledger2.ran == [], "no money moves before a human decides"
    assert len(backend.home.store.list_handoffs(limit=10)) == 2


def test_a_low_risk_tool_with_float_args_runs_at_once(backend: Backend) -> None:
    call = function_call("log_call", {"minutes": 12, "note": "refund question"}, call_id="c1")
    agent, ledger, _gate = _ledger_agent(backend, [[call], [assistant_message("logged")]])

    async def scenario() -> None:
        result = await Runner.run(agent, "log the call")
        assert result.interruptions == []
        assert result.final_output == "logged"

    anyio.run(scenario)
    assert ledger.ran == [("log_call", {"minutes": 12.0, "note": "refund question"})]
    (h,) = backend.home.store.list_handoffs(limit=10)
    assert h.state is State.EXECUTED and h.execution is not None
    assert h.execution.result == "logged", "the tool's own result is recorded"


def test_a_revision_survives_a_restart_and_names_the_sdk_tool(backend: Backend) -> None:
    call = function_call("discount", {"sku": "mug", "percent": 15}, call_id="c1")
    script = [[call], [assistant_message("done")]]

    async def pause() -> tuple[str, str]:
        agent, _ledger, gate = _ledger_agent(backend.restart("support-bot"), script)
        result = await Runner.run(agent, "put mugs on sale")
        (h,) = gate.handoffs(result.to_state())
        return result.to_state().to_string(), h.id

    saved, hid = anyio.run(pause)
    backend.home.decide(
        hid,
        verdict="revise",
        reviewer="fiona",
        rationale="margin",
        args={"sku": "mug", "percent": 10},
    )

    async def resume() -> tuple[Ledger, ScriptedModel]:  # a new process: nothing in memory
        agent, ledger, gate = _ledger_agent(backend.restart("support-bot"), script)
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        await Runner.run(agent, state)
        assert isinstance(agent.model, ScriptedModel)
        return ledger, agent.model

    ledger, model = anyio.run(resume)
    assert ledger.ran == [("discount", {"sku": "mug", "percent": 10.0})]
    told = _tool_outputs(model)[-1]
    assert "fiona revised discount" in told and "shop.discount" not in told
    h = backend.home.get(hid)
    assert h.state is State.EXECUTED and h.action.args == {"sku": "mug", "percent": 10}
    assert len(backend.home.store.list_handoffs(limit=10)) == 1, "no second review"
