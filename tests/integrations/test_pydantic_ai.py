"""Pydantic AI end to end: a scripted model, a saved history, a decision between."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

pytest.importorskip("pydantic_ai")

from pydantic_ai import Agent
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.tools import DeferredToolRequests, DeferredToolResults, ToolApproved
from pydantic_ai.toolsets import FunctionToolset

from handoff import ControlPlane, Plane, State
from handoff.integrations.pydantic_ai import ApprovalGate

from .conftest import Backend

PUBLISH = {"title": "Best launch ever", "body": "b"}
NAMES = {"search_docs": "cms.search_docs", "publish_post": "cms.publish_post"}


class Cms:
    """A blog whose tools really run: ``ran`` is what each did, in order."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []

    def toolset(self) -> FunctionToolset[Any]:
        def search_docs(query: str) -> str:
            """Search the published pages."""
            self.ran.append(("search_docs", {"query": query}))
            return "3 pages"

        def publish_post(title: str, body: str) -> str:
            """Publish a post on the public blog."""
            self.ran.append(("publish_post", {"title": title, "body": body}))
            return f"published {title!r}"

        return FunctionToolset([search_docs, publish_post])


class Script:
    """A model that makes the given calls, one turn each, then says what it was told."""

    def __init__(self, *turns: list[tuple[str, dict[str, Any], str]]) -> None:
        self.turns = list(turns)
        self.told: list[str] = []  # every tool result the model read, in order

    def respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        for part in messages[-1].parts:
            if isinstance(part, ToolReturnPart):
                self.told.append(str(part.content))
        made = sum(isinstance(m, ModelResponse) for m in messages)
        if made < len(self.turns):
            calls = [ToolCallPart(n, a, tool_call_id=c) for n, a, c in self.turns[made]]
            return ModelResponse(parts=list(calls))
        return ModelResponse(parts=[TextPart(f"done: {self.told[-1] if self.told else ''}")])


@pytest.fixture
def plane(backend: Backend) -> Plane:
    """The plane the integration gets: embedded, or a ``Client`` of ``handoff serve``."""
    return backend.plane("writer")


@pytest.fixture
def home(backend: Backend) -> ControlPlane:
    """The record: where a reviewer decides and the tests read the store."""
    return backend.home


def _setup(plane: Plane, script: Script) -> tuple[Agent[None, Any], Cms, ApprovalGate]:
    cms = Cms()
    gate = ApprovalGate(plane, agent="writer")
    agent: Agent[None, Any] = Agent(
        FunctionModel(script.respond),
        toolsets=[gate.toolset(cms.toolset(), names=NAMES)],
        output_type=[str, DeferredToolRequests],
    )
    return agent, cms, gate


def _blog_script() -> Script:
    return Script(
        [("search_docs", {"query": "launch"}, "c1")],
        [("publish_post", PUBLISH, "c2")],
    )


async def _pause(agent: Agent[None, Any], gate: ApprovalGate) -> tuple[bytes, DeferredToolRequests]:
    result = await agent.run("announce the launch")
    requests = result.output
    assert isinstance(requests, DeferredToolRequests)
    assert [c.tool_name for c in requests.approvals] == ["publish_post"]
    # saved as JSON, as an application keeps it between the pause and the decision
    return ModelMessagesTypeAdapter.dump_json(result.all_messages()), requests


async def _resume(agent: Agent[None, Any], saved: bytes, results: DeferredToolResults) -> Any:
    history = ModelMessagesTypeAdapter.validate_json(saved)
    return (await agent.run(message_history=history, deferred_tool_results=results)).output


def test_a_risky_call_pauses_with_the_handoff_id_and_a_safe_one_runs(
    plane: Plane, home: ControlPlane
) -> None:
    agent, cms, gate = _setup(plane, _blog_script())

    async def scenario() -> None:
        _saved, requests = await _pause(agent, gate)
        assert cms.ran == [("search_docs", {"query": "launch"})], "low-risk ran at once"
        (h,) = gate.handoffs(requests)
        assert requests.metadata["c2"]["handoff_id"] == h.id
        assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
        assert h.action.agent == "writer" and h.action.args == PUBLISH
        search = home.store.list_handoffs(limit=10)
        assert {x.state for x in search if x.action.tool == "cms.search_docs"} == {State.EXECUTED}
        results, still = gate.resume(requests)
        assert [x.id for x in still] == [h.id] and results.approvals == {}

    anyio.run(scenario)


def test_approval_runs_the_tool_once_with_the_approved_args(
    plane: Plane, home: ControlPlane
) -> None:
    agent, cms, gate = _setup(plane, _blog_script())

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        results, still = gate.resume(requests)
        assert still == []
        out = await _resume(agent, saved, results)

        assert out == "done: published 'Best launch ever'"
        assert [a for n, a in cms.ran if n == "publish_post"] == [PUBLISH]
        assert plane.get(h.id).state is State.EXECUTED

    anyio.run(scenario)


def test_revised_args_are_what_runs(plane: Plane, home: ControlPlane) -> None:
    revised = {"title": "Our launch", "body": "b"}
    script = _blog_script()
    agent, cms, gate = _setup(plane, script)

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        home.decide(h.id, verdict="revise", reviewer="maya", rationale="tone", args=revised)
        results, _ = gate.resume(requests)
        approved = results.approvals["c2"]
        assert isinstance(approved, ToolApproved) and approved.override_args == revised
        await _resume(agent, saved, results)

        assert [a for n, a in cms.ran if n == "publish_post"] == [revised]
        assert plane.get(h.id).action.args == revised
        told = script.told[-1]
        assert "maya revised publish_post before it ran" in told
        assert "published 'Our launch'" in told
        assert len(home.store.list_handoffs(limit=10)) == 2, "no second review"

    anyio.run(scenario)


def test_override_args_the_reviewer_did_not_give_do_not_run(
    plane: Plane, home: ControlPlane
) -> None:
    agent, cms, gate = _setup(plane, _blog_script())

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        forged = {"title": "Cheapest ever", "body": "b"}
        results = DeferredToolResults(approvals={"c2": ToolApproved(override_args=forged)})
        await _resume(agent, saved, results)
        assert [a for n, a in cms.ran if n == "publish_post"] == [PUBLISH]

    anyio.run(scenario)


def test_rejection_reaches_the_model_as_a_denial(plane: Plane, home: ControlPlane) -> None:
    script = _blog_script()
    agent, cms, gate = _setup(plane, script)

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        home.decide(h.id, verdict="reject", reviewer="marco", rationale="claim unproven")
        results, still = gate.resume(requests)
        assert still == []
        out = await _resume(agent, saved, results)

        assert all(name != "publish_post" for name, _ in cms.ran)
        assert "publish_post was rejected by marco: claim unproven" in script.told[-1]
        assert out.startswith("done: publish_post was rejected")

    anyio.run(scenario)


def test_approval_the_plane_has_not_given_pauses_again(plane: Plane, home: ControlPlane) -> None:
    agent, cms, gate = _setup(plane, _blog_script())

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        out = await _resume(agent, saved, DeferredToolResults(approvals={"c2": True}))
        assert isinstance(out, DeferredToolRequests)
        assert out.metadata["c2"]["handoff_id"] == h.id
        assert all(name != "publish_post" for name, _ in cms.ran)
        assert plane.get(h.id).state is State.PENDING

    anyio.run(scenario)


def test_resuming_the_same_history_twice_publishes_once(plane: Plane, home: ControlPlane) -> None:
    script = _blog_script()
    agent, cms, gate = _setup(plane, script)

    async def scenario() -> None:
        saved, requests = await _pause(agent, gate)
        (h,) = gate.handoffs(requests)
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        results, _ = gate.resume(requests)
        await _resume(agent, saved, results)
        again, still = gate.resume(requests)
        assert still == [] and isinstance(again.approvals["c2"], ToolApproved)
        await _resume(agent, saved, again)
        await _resume(agent, saved, DeferredToolResults(approvals={"c2": True}))

        assert [n for n, _ in cms.ran].count("publish_post") == 1
        assert script.told[-1] == "published 'Best launch ever'", "the recorded result"

    anyio.run(scenario)


def test_the_same_prompt_in_a_new_run_is_a_new_handoff(plane: Plane, home: ControlPlane) -> None:
    agent, cms, gate = _setup(plane, _blog_script())

    async def scenario() -> None:
        saved, first = await _pause(agent, gate)
        (h1,) = gate.handoffs(first)
        home.decide(h1.id, verdict="approve", reviewer="maya", rationale="fine")
        await _resume(agent, saved, gate.resume(first)[0])
        # the model numbers its calls afresh: c2 again, with the same args
        _saved, second = await _pause(agent, gate)
        (h2,) = gate.handoffs(second)
        assert h2.id != h1.id and h2.state is State.PENDING
        assert [n for n, _ in cms.ran].count("publish_post") == 1

    anyio.run(scenario)
