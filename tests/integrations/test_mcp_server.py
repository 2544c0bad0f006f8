"""``handoff mcp-serve`` end to end: an MCP client asks a human deliberately."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
import yaml

from handoff import ControlPlane

from .conftest import HANDOFF, ROOT, mcp_session

pytest.importorskip("mcp")
SRC = ROOT / "src" / "handoff"

PACKAGE = {
    "summary": "Offer a 30% discount to ACME to save the renewal.",
    "decision_required": "Which discount may I offer ACME?",
    "options": [
        {
            "id": "a",
            "title": "30% for a year",
            "risk": "high",
            "args": {"account": "ACME", "percent": 30},
        },
        {
            "id": "b",
            "title": "15% for a year",
            "risk": "medium",
            "args": {"account": "ACME", "percent": 15},
        },
    ],
    "tool": "crm.offer_discount",
    "args": {"account": "ACME", "percent": 30},
    "assumptions": ["ACME churns without a discount"],
}


def _policy(tmp_path: Path) -> Path:
    """The default policy, plus a rule that every deliberate request goes to finance."""
    doc = yaml.safe_load((SRC / "default_policy.yaml").read_text(encoding="utf-8"))
    doc["tools"]["crm.offer_discount"] = {"mode": "review", "owner": "finance"}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_request_get_and_list(tmp_path: Path, sqlite_url: str) -> None:
    argv = [*HANDOFF, "mcp-serve", "--db", sqlite_url, "--policy", str(_policy(tmp_path))]
    argv += ["--inbox-url", "https://hq.example"]

    async def scenario() -> None:
        async with mcp_session(argv, client="pricing-bot") as s:
            names = {t.name for t in (await s.list_tools()).tools}
            assert names == {"request_handoff", "get_handoff", "list_my_handoffs"}

            asked = await s.call_tool("request_handoff", PACKAGE)
            assert not asked.is_error, asked.content
            data: dict[str, Any] = asked.structured_content or {}
            hid = data["handoff_id"]
            assert data["status"] == "pending"
            assert data["inbox_url"] == f"https://hq.example/handoffs/{hid}"

            with ControlPlane.open(sqlite_url, policy=_policy(tmp_path)) as plane:
                h = plane.get(hid)
                assert h.action.agent == "pricing-bot"
                assert h.package is not None
                assert h.package.summary == PACKAGE["summary"]
                assert h.package.decision_required == PACKAGE["decision_required"]
                assert [o.id for o in h.package.options][:2] == ["a", "b"]
                reviewer = sorted(plane.policy.owners[h.owner].members)[0]
                plane.decide(
                    hid, verdict="choose", option_id="b", reviewer=reviewer, rationale="margin"
                )

            got = await s.call_tool("get_handoff", {"handoff_id": hid})
            decided = got.structured_content or {}
            assert decided["decision"]["verdict"] == "choose"
            assert decided["decision"]["option_id"] == "b"
            assert decided["args"]["percent"] == 15
            assert decided["status"] in ("approved", "executed")

            listed = await s.call_tool("list_my_handoffs", {})
            assert [x["handoff_id"] for x in (listed.structured_content or {})["handoffs"]] == [hid]

            # bad input names the field and writes nothing
            bad = await s.call_tool("request_handoff", {**PACKAGE, "options": [{"id": "x"}]})
            assert bad.is_error
            assert "options" in bad.content[0].text  # type: ignore[union-attr]
            missing = await s.call_tool("get_handoff", {"handoff_id": "h_someone_else"})
            assert missing.is_error and "handoff_id" in missing.content[0].text  # type: ignore[union-attr]

        async with mcp_session(argv, client="other-bot") as s:
            theirs = await s.call_tool("get_handoff", {"handoff_id": hid})
            assert theirs.is_error, "another agent must not read this handoff"

        async with mcp_session(argv, client="pricing-bot") as s:
            later = await s.call_tool("get_handoff", {"handoff_id": hid})
            assert not later.is_error, "a decision outlives the server process"

        with ControlPlane.open(sqlite_url) as plane:
            assert len(plane.store.list_handoffs(limit=10)) == 1

    anyio.run(scenario)
