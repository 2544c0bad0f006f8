"""Google ADK end to end: a scripted model, a session, a decision between."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import anyio
import pytest

pytest.importorskip("google.adk")

from google.adk.agents import LlmAgent
from google.adk.events import Event
from google.adk.models.base_llm import BaseLlm
from google.adk.models.llm_request import LlmRequest
from google.adk.models.llm_response import LlmResponse
from google.adk.runners import InMemoryRunner
from google.genai import types
from pydantic import Field

from handoff import ControlPlane, Plane, State
from handoff.integrations.adk import CONFIRMATION, ApprovalGate

from .conftest import Backend

PUBLISH = {"title": "Best launch ever", "body": "b"}
APP, USER = "blog", "u1"


class Script(BaseLlm):
    """A model that makes the given calls, one turn each, then says what it was told.

    ``told`` is every tool response the model read, in order.
    """

    model: str = "scripted"
    turns: list[list[tuple[str, dict[str, Any], str]]] = Field(default_factory=list)
    told: list[Any] = Field(default_factory=list)

    async def generate_content_async(
        self, llm_request: LlmRequest, stream: bool = False
    ) -> AsyncGenerator[LlmResponse, None]:
        last = llm_request.contents[-1]
        for part in last.parts or []:
            if part.function_response is not None:
                self.told.append(part.function_response.response)
        made = sum(c.role == "model" for c in llm_request.contents)
        if made < len(self.turns):
            calls = [types.FunctionCall(name=n, args=a, id=c) for n, a, c in self.turns[made]]
            parts = [types.Part(function_call=fc) for fc in calls]
        else:
            parts = [types.Part(text="done")]
        yield LlmResponse(content=types.Content(role="model", parts=parts))


class Blog:
    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []

    def search_docs(self, query: str) -> str:
        """Search the published pages."""
        self.ran.append(("search_docs", {"query": query}))
        return "3 pages"

    def publish_post(self, title: str, body: str) -> str:
        """Publish a post on the public blog."""
        self.ran.append(("publish_post", {"title": title, "body": body}))
        return f"published {title!r}"

    def published(self) -> list[dict[str, Any]]:
        return [a for n, a in self.ran if n == "publish_post"]


class Run:
    """An agent on an in-memory runner, one session."""

    def __init__(self, plane: Plane) -> None:
        self.blog = Blog()
        self.gate = ApprovalGate(plane, agent="writer")
        self.model = Script(
            turns=[
                [("search_docs", {"query": "launch"}, "c1")],
                [("publish_post", PUBLISH, "c2")],
            ],
            told=[],
        )
        tools = [
            self.gate.tool(self.blog.search_docs, name="cms.search_docs"),
            self.gate.tool(self.blog.publish_post, name="cms.publish_post"),
        ]
        agent = LlmAgent(name="writer", model=self.model, tools=tools)
        self.runner = InMemoryRunner(agent=agent, app_name=APP)
        self.session = ""

    async def send(self, message: types.Content) -> list[Event]:
        if not self.session:
            s = await self.runner.session_service.create_session(app_name=APP, user_id=USER)
            self.session = s.id
        return [
            e
            async for e in self.runner.run_async(
                user_id=USER, session_id=self.session, new_message=message
            )
        ]

    async def start(self) -> Any:
        await self.send(types.Content(role="user", parts=[types.Part(text="announce it")]))
        events = await self.events()
        (h,) = self.gate.handoffs(events)
        return h

    async def events(self) -> list[Event]:
        s = await self.runner.session_service.get_session(
            app_name=APP, user_id=USER, session_id=self.session
        )
        assert s is not None
        return list(s.events)

    async def resume(self) -> list[Any]:
        answer, still = self.gate.resume(await self.events())
        assert still == [] and answer is not None
        await self.send(answer)
        return still


@pytest.fixture
def plane(backend: Backend) -> Plane:
    """The plane the integration gets: embedded, or a ``Client`` of ``handoff serve``."""
    return backend.plane("writer")


@pytest.fixture
def home(backend: Backend) -> ControlPlane:
    """The record: where a reviewer decides and the tests read the store."""
    return backend.home


def test_a_risky_call_asks_for_confirmation_with_the_handoff_id(
    plane: Plane, home: ControlPlane
) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        assert run.blog.ran == [("search_docs", {"query": "launch"})], "low-risk ran at once"
        assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
        assert h.action.args == PUBLISH and h.action.agent == "writer"
        calls = [fc for e in await run.events() for fc in e.get_function_calls()]
        asked = [fc for fc in calls if fc.name == CONFIRMATION]
        assert asked[0].args["toolConfirmation"]["payload"]["handoff_id"] == h.id
        answer, still = run.gate.resume(await run.events())
        assert answer is None and [x.id for x in still] == [h.id]

    anyio.run(scenario)


def test_approval_runs_the_tool_once_with_the_approved_args(
    plane: Plane, home: ControlPlane
) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        await run.resume()
        assert run.blog.published() == [PUBLISH]
        assert plane.get(h.id).state is State.EXECUTED
        assert run.model.told[-1] == {"result": "published 'Best launch ever'"}

    anyio.run(scenario)


def test_revised_args_are_what_runs(plane: Plane, home: ControlPlane) -> None:
    revised = {"title": "Our launch", "body": "b"}
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        home.decide(h.id, verdict="revise", reviewer="maya", rationale="tone", args=revised)
        await run.resume()
        assert run.blog.published() == [revised]
        told = run.model.told[-1]
        assert told["result"] == "published 'Our launch'"
        assert "maya revised publish_post before it ran" in told["revised"]

    anyio.run(scenario)


def test_rejection_reaches_the_model_as_a_denial(plane: Plane, home: ControlPlane) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        home.decide(h.id, verdict="reject", reviewer="marco", rationale="claim unproven")
        await run.resume()
        assert run.blog.published() == []
        assert "publish_post was rejected by marco: claim unproven" in run.model.told[-1]["error"]

    anyio.run(scenario)


def _confirm(fc_id: str, confirmed: bool) -> types.Content:
    response = {"confirmed": confirmed}
    answer = types.FunctionResponse(name=CONFIRMATION, id=fc_id, response=response)
    return types.Content(role="user", parts=[types.Part(function_response=answer)])


async def _asked(run: Run) -> str:
    calls = [fc for e in await run.events() for fc in e.get_function_calls()]
    ids = [fc.id for fc in calls if fc.name == CONFIRMATION]
    assert ids[-1]
    return ids[-1]


def test_a_confirmation_handoff_has_not_given_runs_nothing(
    plane: Plane, home: ControlPlane
) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        await run.send(_confirm(await _asked(run), True))
        assert run.blog.published() == []
        assert plane.get(h.id).state is State.PENDING
        assert run.model.told[-1]["status"] == "pending"
        assert run.model.told[-1]["handoff_id"] == h.id

    anyio.run(scenario)


def test_a_declined_confirmation_runs_nothing_even_when_approved(
    plane: Plane, home: ControlPlane
) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        await run.send(_confirm(await _asked(run), False))
        assert run.blog.published() == []
        assert "declined" in run.model.told[-1]["error"]

    anyio.run(scenario)


def test_answering_the_same_confirmation_twice_publishes_once(
    plane: Plane, home: ControlPlane
) -> None:
    run = Run(plane)

    async def scenario() -> None:
        h = await run.start()
        home.decide(h.id, verdict="approve", reviewer="maya", rationale="fine")
        answer, _ = run.gate.resume(await run.events())
        assert answer is not None
        await run.send(answer)
        await run.send(answer)
        assert run.gate.resume(await run.events()) == (None, [])
        assert run.blog.published() == [PUBLISH]

    anyio.run(scenario)


def test_a_new_session_with_the_same_calls_is_a_new_handoff(
    plane: Plane, home: ControlPlane
) -> None:
    first, second = Run(plane), Run(plane)

    async def scenario() -> None:
        h1 = await first.start()
        home.decide(h1.id, verdict="approve", reviewer="maya", rationale="fine")
        await first.resume()
        h2 = await second.start()
        assert h2.id != h1.id and h2.state is State.PENDING
        assert second.blog.published() == []

    anyio.run(scenario)
