"""What the gateway reads from an upstream server: the default prefix, the annotations
and the start report, checked without a transport."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff import ControlPlane
from handoff.models import TOOL_PATTERN, ToolAnnotations
from handoff.policy import policy_from_yaml

pytest.importorskip("mcp")

import mcp_types as types

from handoff.integrations.mcp import Gateway
from handoff.integrations.mcp._upstream import (
    annotations_of,
    server_prefix,
    unmatched_rules,
)


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("mcp-git", "mcp-git."),
        ("Example Server", "example_server."),
        ("@modelcontextprotocol/server-filesystem", "modelcontextprotocol_server-filesystem."),
        ("com.example..git", "com.example.git."),
        ("2fa-vault", "_2fa-vault."),
        ("", ""),
        ("  /// ", ""),
        (None, ""),
    ],
)
def test_the_prefix_is_the_server_name_made_a_tool_name_start(
    name: str | None, prefix: str
) -> None:
    assert server_prefix(name) == prefix


@given(st.text(max_size=300))
def test_any_server_name_gives_a_valid_tool_name_or_no_prefix(name: str) -> None:
    prefix = server_prefix(name)
    assert prefix == "" or re.fullmatch(TOOL_PATTERN, f"{prefix}write_file")
    assert len(prefix) <= 65


def _tool(annotations: Any) -> types.Tool:
    return types.Tool(name="write_file", input_schema={"type": "object"}, annotations=annotations)


def test_annotations_are_read_with_their_mcp_meaning() -> None:
    notes = types.ToolAnnotations(
        title="Write file", read_only_hint=False, destructive_hint=True, open_world_hint=False
    )
    assert annotations_of(_tool(notes)) == ToolAnnotations(
        title="Write file", read_only=False, destructive=True, open_world=False
    )
    assert annotations_of(_tool(None)) is None


def test_a_hint_that_is_not_a_boolean_is_dropped_leaving_the_cautious_default() -> None:
    # model_construct skips validation, as a lenient or future client type might
    notes = types.ToolAnnotations.model_construct(
        title="x" * 501, read_only_hint="yes", destructive_hint=0, idempotent_hint=True
    )
    got = annotations_of(_tool(notes))
    assert got == ToolAnnotations(idempotent=True)
    # once any annotation is present, an unset hint takes MCP's default: destructive
    with ControlPlane.open("sqlite:///:memory:") as plane:
        action = {"tool": "fs.write_file", "args": {"path": "a.txt"}, "annotations": got}
        assessed = plane.assess(action)
    assert "tool.destructive" in {t.code for t in assessed.triggers}


POLICY = policy_from_yaml(
    """
tools:
  "git.git_commit": {mode: review}
  "git.git_push": {mode: two_person}
  "git.*_branch": {level: medium}
  "other.thing": {mode: block}
routes:
  - {when: {tool: "git.git_tag*"}, owner: product}
  - {when: {tool: "git.*"}, owner: product}
"""
)


def test_rules_for_the_prefix_that_match_no_tool_are_named() -> None:
    tools = ["git.git_commit", "git.git_create_branch", "git.git_status"]
    assert unmatched_rules(POLICY, "git.", tools) == [
        ("tools['git.git_push']", "git.git_push"),
        ("routes[0].when.tool 'git.git_tag*'", "git.git_tag*"),
    ]
    assert unmatched_rules(POLICY, "", tools) == []


def _gateway(server: str | None, prefix: str | None, tools: list[str]) -> Gateway:
    info = None if server is None else SimpleNamespace(name=server)
    gw = Gateway(None, SimpleNamespace(server_info=info), prefix=prefix)  # type: ignore[arg-type]
    gw._tools = {n: _tool(None) for n in tools}
    return gw


def test_the_start_report_says_where_the_prefix_came_from() -> None:
    derived = _gateway("git", None, ["git_commit", "git_status"])
    assert derived.prefix == "git."
    assert derived.handoff_tool("git_commit") == "git.git_commit"
    report = derived.start_report(POLICY)
    assert "named git.<tool> after the upstream server's name 'git'" in report[0]
    assert "5 rule(s) of policy" in report[1]
    assert [line.split("rule ")[1].split(" matches")[0] for line in report[2:]] == [
        "tools['git.git_push']",
        "tools['git.*_branch']",
        "routes[0].when.tool 'git.git_tag*'",
    ]

    given_prefix = _gateway("git", "vcs.", ["git_commit"])
    assert given_prefix.handoff_tool("git_commit") == "vcs.git_commit"
    assert given_prefix.start_report(None) == []

    none = _gateway("git", "", ["git_commit"])
    assert none.handoff_tool("git_commit") == "git_commit"
    assert none.start_report(POLICY) == []

    nameless = _gateway("///", None, ["git_commit"])
    assert nameless.handoff_tool("git_commit") == "git_commit"
    assert "gives no prefix" in nameless.start_report(POLICY)[0]
