"""What the gateway reads from the upstream server: its name and its tools' annotations.

The name becomes the default tool-name prefix, so a policy written for a server
(``"mcp-git.git_commit": {mode: review}``) reaches its tools without anyone having to
remember ``--prefix``; a gateway that silently used no prefix would switch those rules
off. The annotations become ``Action.annotations``: what the server says a tool does
(read-only, destructive, idempotent, open world). Detect lets them raise the risk, and
lets a read-only hint place an otherwise unknown tool; it never lets them lower what the
tool's name, its arguments or a policy rule say.

Both come from a server the gateway does not control, so each is read defensively: a
hint that is not a boolean is dropped, which leaves MCP's default for it (the cautious
side: not read-only, destructive, open world), and a name with nothing usable in it
gives no prefix, which the start report says.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

import mcp_types as types

from ...models import ToolAnnotations
from ...policy import Policy

__all__ = ["annotations_of", "rules_for", "server_prefix", "unmatched_rules"]

_MAX_PREFIX = 64
_HINTS = ("read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint")
_NOT_NAME = re.compile(r"[^a-z0-9_\-]+")


def server_prefix(name: str | None) -> str:
    """The tool-name prefix for a server called ``name``: ``"mcp-git"`` gives ``"mcp-git."``.

    Lower case, every run of characters other than letters, digits, ``_`` and ``-``
    becomes one ``_`` (dots keep separating parts), and a dot ends it, so the result is
    a valid start of a tool name that a policy glob can match. Empty when nothing is
    left.
    """
    parts = [_NOT_NAME.sub("_", p).strip("_-") for p in (name or "").lower().split(".")]
    joined = ".".join(p for p in parts if p)[:_MAX_PREFIX].strip(".")
    if not joined:
        return ""
    if not (joined[0].isalpha() or joined[0] == "_"):
        joined = f"_{joined}"
    return f"{joined}."


def annotations_of(tool: types.Tool) -> ToolAnnotations | None:
    """The tool's MCP annotations as ``ToolAnnotations``; None when it gives none.

    Only booleans are kept: anything else leaves the hint unset, and an unset hint means
    MCP's default once any annotation is present.
    """
    notes = tool.annotations
    if notes is None:
        return None
    hints = {h: v for h in _HINTS if isinstance(v := getattr(notes, h, None), bool)}
    title = notes.title if isinstance(notes.title, str) and len(notes.title) <= 500 else None
    return ToolAnnotations(
        title=title,
        read_only=hints.get("read_only_hint"),
        destructive=hints.get("destructive_hint"),
        idempotent=hints.get("idempotent_hint"),
        open_world=hints.get("open_world_hint"),
    )


def _rules(policy: Policy) -> list[tuple[str, str]]:
    """(where, glob) of every policy rule that names tools; ``where`` shows the glob."""
    found = [(f"tools[{glob!r}]", glob) for glob in policy.tools]
    found += [
        (f"routes[{i}].when.tool {r.when.tool!r}", r.when.tool)
        for i, r in enumerate(policy.routes)
        if r.when.tool is not None
    ]
    return found


def rules_for(policy: Policy, prefix: str) -> list[tuple[str, str]]:
    """(where, glob) of the policy rules written for tools under ``prefix``."""
    return [(w, g) for w, g in _rules(policy) if prefix and g.startswith(prefix)]


def unmatched_rules(policy: Policy, prefix: str, tools: Iterable[str]) -> list[tuple[str, str]]:
    """(where, glob) of the rules for ``prefix`` that match none of ``tools``.

    Such a rule guards nothing: a tool it was written for is missing upstream or is
    spelled differently, and its calls are left to the detector alone.
    """
    names = list(tools)
    return [
        (w, g)
        for w, g in rules_for(policy, prefix)
        if not any(fnmatch.fnmatchcase(n, g) for n in names)
    ]
