"""OpenAI Agents SDK end to end: a scripted model, a saved RunState, a decision between."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

pytest.importorskip("agents")

from agents import Agent, Runner, RunState, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from handoff import ControlPlane, State
from handoff.integrations.openai_agents import ApprovalGate

PUBLISH = {"title": "Best launch ever", "body": "b"}
set_tracing_disabled(True)  # no network


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


@pytest.fixture
def plane() -> Iterator[ControlPlane]:
    with ControlPlane.open("sqlite:///:memory:") as p:
        yield p


def _setup(plane: ControlPlane, *after: Any) -> tuple[Agent[Any], ScriptedModel, Cms, ApprovalGate]:
    cms = Cms()
    gate = ApprovalGate(plane, agent="writer")
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


def test_approval_resumes_the_saved_run(plane: ControlPlane) -> None:
    agent, model, cms, gate = _setup(plane, [assistant_message("done")])

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        assert cms.ran == [("search_docs", {"query": "launch"})], "auto ran, risky waits"
        h = plane.get(hid)
        assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
        assert h.action.agent == "writer" and h.action.args == PUBLISH

        state = await RunState.from_string(agent, saved)
        assert [x.id for x in await gate.resume(state)] == [hid], "still pending: untouched"

        plane.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "done"
        assert cms.ran[-1] == ("publish_post", PUBLISH)
        assert plane.get(hid).state is State.EXECUTED
        assert "published 'Best launch ever'" in _tool_outputs(model)[-1]

    anyio.run(scenario)


def test_rejection_reaches_the_model_with_the_rationale(plane: ControlPlane) -> None:
    agent, model, cms, gate = _setup(plane, [assistant_message("understood")])

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        plane.decide(hid, verdict="reject", reviewer="marco", rationale="claim unproven")
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "understood"
        assert all(name != "publish_post" for name, _ in cms.ran)
        assert "rejected by marco: claim unproven" in _tool_outputs(model)[-1]

    anyio.run(scenario)


def test_revised_args_run_once_without_a_second_review(plane: ControlPlane) -> None:
    revised = {"title": "Our launch", "body": "b"}
    agent, model, cms, gate = _setup(
        plane,
        [function_call("publish_post", revised, call_id="c3")],
        [assistant_message("published the revised post")],
    )

    async def scenario() -> None:
        saved, hid = await _pause(agent, gate)
        plane.decide(hid, verdict="revise", reviewer="maya", rationale="tone", args=revised)
        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)

        assert result.final_output == "published the revised post"
        assert [a for name, a in cms.ran if name == "publish_post"] == [revised]
        h = plane.get(hid)
        assert h.state is State.EXECUTED and h.action.args == revised
        told = model.calls[-2].input
        assert isinstance(told, list)
        message = json.dumps([i for i in told if i.get("type") == "function_call_output"])
        assert "maya revised cms.publish_post" in message and "Our launch" in message
        assert len(plane.store.list_handoffs(limit=10)) == 2, "no second review"

    anyio.run(scenario)
