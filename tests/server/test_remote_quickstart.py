"""The remote quickstart as a newcomer runs it: a plain server, an agent with its own tool."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff import Client, ControlPlane, NotAuthorized, UnknownTool
from handoff.policy import default_policy
from handoff.server.accounts import Accounts

from .conftest import run_server

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "remote_agent.py"


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[tuple[str, ControlPlane, str]]:
    """``handoff serve`` as it starts with no flags: the default policy, no executors."""
    plane = ControlPlane.open(f"sqlite:///{tmp_path / 'handoff.db'}")
    secret = Accounts.of(plane).add_key("mktg-agent")[1]
    try:
        with run_server(plane) as url:
            yield url, plane, secret
    finally:
        plane.close()


def test_a_plain_server_takes_a_tool_the_agent_runs_itself(
    plain: tuple[str, ControlPlane, str],
) -> None:
    url, plane, secret = plain
    ran: list[str] = []

    def publish(title: str, idempotency_key: str) -> str:
        ran.append(idempotency_key)
        return f"published {title!r}"

    with Client(url, api_key=secret) as agent:
        out = agent.submit({"tool": "cms.publish", "args": {"title": "Spring sale"}})
        assert out.pending and out.handoff.owner == "marketing-ops"
        plane.decide(out.handoff_id, verdict="approve", reviewer="maya")
        agent.register("cms.publish", publish)
        done = agent.execute(out.handoff_id)
        assert (done.status, done.result) == ("executed", "published 'Spring sale'")
        assert agent.execute(out.handoff_id).status == "executed"  # ran once
    assert ran == [f"{out.handoff_id}:full"]
    assert plane.verify_audit().ok


def test_the_agent_answers_a_needs_info_and_the_handoff_goes_on(
    plain: tuple[str, ControlPlane, str],
) -> None:
    url, plane, secret = plain
    accounts = Accounts.of(plane)
    accounts.add_user("maya", "a long password", teams=["marketing-ops"], role="reviewer")
    reviewer_key = accounts.add_key("maya")[1]
    with Client(url, api_key=secret) as agent, Client(url, api_key=reviewer_key) as maya:
        out = agent.submit({"tool": "cms.publish", "args": {"title": "Spring sale"}})
        asked = maya.decide(
            out.handoff_id, verdict="redirect", rationale="?", questions=["Which campaign?"]
        )
        assert asked.state.value == "needs_info"
        assert agent.wait(out.handoff_id, timeout=1).state.value == "needs_info"
        with pytest.raises(NotAuthorized):  # a reviewer's key cannot answer for the agent
            maya.answer(out.handoff_id, answers=["none"])
        h = agent.answer(out.handoff_id, answers=["Spring 2027"])
        assert h.state.value == "pending"
        assert maya.decide(out.handoff_id, verdict="approve").state.value == "approved"
        agent.register("cms.publish", lambda title: f"published {title!r}")
        done = agent.execute(out.handoff_id)
        assert done.status == "executed"
    kinds = [e.kind for e in plane.store.events(handoff_id=out.handoff_id)]
    assert kinds[kinds.index("needs_info") + 1] == "answered"


def test_a_policy_can_accept_only_listed_tools(tmp_path: Path) -> None:
    listed = default_policy().model_copy(update={"accept_tools": "listed"})
    with ControlPlane.open(f"sqlite:///{tmp_path / 'h.db'}", listed) as plane:
        secret = Accounts.of(plane).add_key("mktg-agent")[1]
        with run_server(plane) as url, Client(url, api_key=secret) as agent:
            with pytest.raises(UnknownTool) as err:
                agent.submit({"tool": "cms.publish", "args": {"title": "Spring sale"}})
            assert err.value.field == "tool"
            assert agent.submit({"tool": "iam.grant", "args": {"user": "kim"}}).pending
        assert len(plane.store.list_handoffs()) == 1


def test_the_remote_example_runs_as_the_readme_says(
    plain: tuple[str, ControlPlane, str],
) -> None:
    url, plane, secret = plain
    env = {**os.environ, "HANDOFF_URL": url, "HANDOFF_API_KEY": secret}
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLE)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        status, owner, hid = proc.stdout.readline().split()
        assert (status, owner) == ("pending", "finance")
        plane.decide(hid, verdict="approve", reviewer="fiona", rationale="In the Q2 plan")
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0
    assert rest.splitlines() == ["approved", "executed published 'Spring pricing'"]
    assert plane.get(hid).state.value == "executed"
