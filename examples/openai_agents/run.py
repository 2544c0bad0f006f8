"""An OpenAI Agents SDK run paused for approval, saved, and resumed once decided.

Run it with ``python examples/openai_agents/run.py`` (needs
``pip install 'handoff-plane[openai-agents]'``). A scripted model (no network) asks to publish
a post; handoff's rubric says a human decides, so the run stops with an interruption.
The run state is saved as a string, a reviewer rejects with a rationale, and the resumed
run hands the rationale to the model as the tool's result.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from agents import Agent, Runner, RunState, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

from handoff import ControlPlane
from handoff.integrations.openai_agents import ApprovalGate


@function_tool
def publish_post(title: str, body: str) -> str:
    """Publish a post on the public blog."""
    return f"published {title!r}"


async def main(db: str) -> None:
    set_tracing_disabled(True)
    model = ScriptedModel(
        [
            [function_call("publish_post", {"title": "Cheapest ever", "body": "…"}, call_id="c1")],
            [assistant_message("Understood: I will not make that claim.")],
        ]
    )
    with ControlPlane.open(db) as plane:
        gate = ApprovalGate(plane, agent="writer")  # the lines that connect
        agent = Agent(  # an existing agent
            name="writer", model=model, tools=[gate.tool(publish_post, name="cms.publish_post")]
        )

        result = await Runner.run(agent, "announce the price cut")
        state = result.to_state()
        (h,) = gate.handoffs(state)
        saved = state.to_string()  # keep it anywhere: a file, a database row
        print("paused:", h.action.tool, h.id, "owner", h.owner)

        plane.decide(
            h.id,
            verdict="reject",
            reviewer="marco",
            rationale="'cheapest' is a claim we cannot prove",
        )  # in the inbox
        print("marco rejected")

        state = await RunState.from_string(agent, saved)
        assert await gate.resume(state) == []
        result = await Runner.run(agent, state)
        call = model.last_call
        told = [i for i in (call.input if call else []) if i.get("type") == "function_call_output"]
        print("tool result seen by the model:", told[-1]["output"])
        print("agent:", result.final_output)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(f"sqlite:///{Path(tmp) / 'handoff.db'}"))
