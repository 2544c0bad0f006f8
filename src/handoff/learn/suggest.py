"""Suggestions: concrete policy edits read off the history, each with its evidence.

A suggestion is what a careful reviewer of the KPIs would propose, with the counts and
handoff ids behind it and, where the edit is a policy change, a unified diff of the
policy file a human can read and apply (``git apply`` or ``patch -p1``). Nothing is
changed by suggesting; the diff is only offered when the edited policy still validates.

The rules (thresholds in the constants below):

- **lower to auto** — a tool whose last 50 decided escalations were approved unchanged
  at least 48 times, with no incident against any of them;
- **raise to review** — a tool that ran on its own and had an incident (a missed
  escalation);
- **SLA** — an owner team that met its SLA in under 80 % of at least 5 settled
  escalations: a longer SLA for that team only (``owners.<team>.sla``) at the level it
  missed most, and a lead or backup to escalate to when the team has none;
- **retrain** — at least 20 human decisions, some changing and some approving, are
  labels the learned detector can be refitted on (``labelled_actions`` exports them).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml

from .._exceptions import PolicyError
from ..models import Handoff, Level
from ..policy import Policy, policy_from_yaml
from ._fact import Counted, with_action
from ._record import Learned
from .history import History, auto_executed, decided_at, escalated, human_changed
from .kpi import kpis, sla_met

__all__ = ["Suggestion", "labelled_actions", "suggest"]

WINDOW = 50
UNCHANGED = 48
SLA_FLOOR = 0.8
SLA_MIN_SETTLED = 5
RETRAIN_MIN = 20


@dataclass
class Suggestion:
    """One proposed change: what, why (with evidence), and the diff when it is a policy edit."""

    kind: str
    title: str
    evidence: str
    handoff_ids: list[str] = field(default_factory=list)
    diff: str = ""
    command: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "evidence": self.evidence,
            "handoff_ids": self.handoff_ids,
            "diff": self.diff,
            "command": self.command,
        }


def _ids(hs: list[str], shown: int = 6) -> str:
    more = f" and {len(hs) - shown} more" if len(hs) > shown else ""
    return ", ".join(hs[:shown]) + more


def suggest(history: History, policy: Policy, policy_text: str, name: str) -> list[Suggestion]:
    """Every suggestion the history supports, most valuable first."""
    out: list[Suggestion] = []
    out += _raise_to_review(history, policy, policy_text, name)
    out += _lower_to_auto(history, policy, policy_text, name)
    out += _sla(history, policy, policy_text, name)
    out += _retrain(history)
    return out


def _lower_to_auto(history: History, policy: Policy, text: str, name: str) -> list[Suggestion]:
    by_tool: dict[str, list[Learned]] = defaultdict(list)
    for h in history.handoffs:
        if escalated(h) and decided_at(h) is not None:
            by_tool[h.action.tool].append(with_action(h))
    out = []
    for tool, hs in sorted(by_tool.items()):
        hs.sort(key=lambda h: decided_at(h) or h.created_at)
        last = hs[-WINDOW:]
        if len(last) < WINDOW:
            continue
        unchanged = [h for h in last if not human_changed(h)]
        with_incident = [h.id for h in last if history.incidents_of(h.id)]
        if len(unchanged) < UNCHANGED or with_incident:
            continue
        changed = [h.id for h in last if human_changed(h)]
        note = f"; changed: {_ids(changed)}" if changed else ""
        out.append(
            Suggestion(
                "lower_to_auto",
                f"let {tool} run on its own (mode auto)",
                f"of the last {len(last)} escalations of {tool}, {len(unchanged)} were approved"
                f" unchanged and none had an incident{note}",
                [h.id for h in last],
                _tool_diff(text, name, tool, "auto"),
            )
        )
    return out


def _raise_to_review(history: History, policy: Policy, text: str, name: str) -> list[Suggestion]:
    hit: dict[str, list[str]] = defaultdict(list)
    count: Counter[str] = Counter()
    for h in history.handoffs:
        if auto_executed(h):
            found = history.incidents_of(h.id)
            if found:
                hit[h.action.tool].append(h.id)
                count[h.action.tool] += len(found)
    return [
        Suggestion(
            "raise_to_review",
            f"send {tool} to review",
            f"{count[tool]} incident(s) on {len(ids)} action(s) of {tool} that ran on their"
            f" own: {_ids(ids)}",
            ids,
            _tool_diff(text, name, tool, "review"),
        )
        for tool, ids in sorted(hit.items())
    ]


def responsible(h: Counted) -> str | None:
    """The team whose SLA it was: the last redirect's target, else the assessed owner.

    The ladder's escalation to a backup team comes after the deadline has passed, so it
    does not move the blame; a redirect starts a new SLA for the new team.
    """
    for d in h.decisions[::-1]:
        if d.verdict.value == "redirect" and d.owner:
            return d.owner
    return h.assessment.owner or h.owner


def _sla(history: History, policy: Policy, text: str, name: str) -> list[Suggestion]:
    """One suggestion per team that misses its SLA, changing that team's SLA only."""
    owners: dict[str, set[str]] = defaultdict(set)
    for h in history.handoffs:
        if escalated(h) and (team := responsible(h)):
            owners[team].add(h.id)
    out = []
    for owner, ids in sorted(owners.items()):
        part = history.subset(ids)
        k = kpis(part)
        if k.sla_settled < SLA_MIN_SETTLED or (k.sla_attainment or 0) >= SLA_FLOOR:
            continue
        missed = [h for h in part.handoffs if sla_met(h, history.as_of) is False]
        levels = Counter(h.assessment.level for h in missed)
        level = levels.most_common(1)[0][0] if levels else Level.MEDIUM
        old = policy.sla_for(owner, level)
        rules = policy.owners.get(owner)
        ladder = "" if rules and rules.lead and rules.backup else "; give it a lead and a backup"
        out.append(
            Suggestion(
                "sla",
                f"a longer {level.value} SLA for {owner} ({_dur(old)} -> {_dur(old * 2)}){ladder}",
                f"{owner} met its SLA in {k.sla_met} of {k.sla_settled} settled escalations"
                f" ({k.sla_met / k.sla_settled:.0%}), missed: {_ids([h.id for h in missed])}",
                [h.id for h in missed],
                _owner_sla_diff(text, name, owner, level, old * 2),
            )
        )
    return out


def _retrain(history: History) -> list[Suggestion]:
    decided = [h for h in history.handoffs if escalated(h) and decided_at(h) is not None]
    changed = sum(human_changed(h) for h in decided)
    if len(decided) < RETRAIN_MIN or changed == 0 or changed == len(decided):
        return []
    return [
        Suggestion(
            "retrain",
            "refit the learned detector on the reviewers' decisions",
            f"{len(decided)} decided escalations ({changed} changed by a human,"
            f" {len(decided) - changed} approved unchanged) are new labels",
            [h.id for h in decided],
            command=(
                "handoff policy suggest --labels labels.jsonl &&"
                " handoff learn fit labels.jsonl -o model.json"
            ),
        )
    ]


def labelled_actions(history: History) -> list[dict[str, Any]]:
    """The reviewers' decisions as labelled actions for ``handoff learn fit``.

    A decided escalation is labelled true when a human changed it and false when it was
    approved unchanged; an action that ran on its own and had an incident is labelled
    true (it needed a human). Actions that ran on their own without trouble are left
    out: nobody looked at them, so they are not evidence either way.
    """
    out: list[dict[str, Any]] = []
    for h in history.handoffs:
        if escalated(h) and decided_at(h) is not None:
            label = human_changed(h)
        elif auto_executed(h) and history.incidents_of(h.id):
            label = True
        else:
            continue
        h = with_action(h)
        full = h.action if isinstance(h, Handoff) else h.action.model()
        action = full.model_dump(mode="json", exclude={"package"}, exclude_none=True)
        out.append({"action": action, "label": label, "handoff_id": h.id})
    return out


def _dur(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# -- editing the policy text, keeping its comments ------------------------------------

_TOP = re.compile(r"^([A-Za-z_][\w-]*):")


def _section(lines: list[str], key: str) -> tuple[int, int] | None:
    """The line range of a top-level ``key:`` block (start line, end exclusive)."""
    start = next((i for i, ln in enumerate(lines) if ln.startswith(f"{key}:")), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not _TOP.match(lines[end]):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _diff(old: str, new: str, name: str) -> str:
    try:
        policy_from_yaml(new, name)
    except PolicyError:
        return ""  # the edit would not validate: offer the suggestion without a diff
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
    )


def _flow(value: dict[str, Any]) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip()


def _tool_diff(text: str, name: str, tool: str, mode: str) -> str:
    lines = text.splitlines(keepends=True)
    span = _section(lines, "tools")
    key = re.compile(rf"^\s+(['\"]?){re.escape(tool)}\1:\s*(\{{.*\}})\s*$")
    if span is None:
        new = text.rstrip("\n") + f'\n\ntools:\n  "{tool}": {{mode: {mode}}}\n'
        return _diff(text, new, name)
    start, end = span
    if lines[start].strip() in ("tools: {}", "tools:{}"):
        lines[start] = f'tools:\n  "{tool}": {{mode: {mode}}}\n'
        return _diff(text, "".join(lines), name)
    for i in range(start + 1, end):
        m = key.match(lines[i])
        if m:
            rule = yaml.safe_load(m.group(2)) or {}
            rule["mode"] = mode
            lines[i] = f'  "{tool}": {_flow(rule)}\n'
            return _diff(text, "".join(lines), name)
    lines.insert(end, f'  "{tool}": {{mode: {mode}}}\n')
    return _diff(text, "".join(lines), name)


def _owner_sla_diff(text: str, name: str, owner: str, level: Level, seconds: int) -> str:
    """Set ``owners.<owner>.sla.<level>``, leaving the policy's ``sla`` and every other
    team as they are. Handles a team written as a block (``  legal:`` and its fields
    below) or on one line (``  legal: {members: [...]}``)."""
    lines = text.splitlines(keepends=True)
    span = _section(lines, "owners")
    if span is None:
        return ""
    start, end = span
    head = re.compile(rf"^(\s+)(['\"]?){re.escape(owner)}\2:\s*(.*?)\s*$")
    for i in range(start + 1, end):
        m = head.match(lines[i])
        if m is None:
            continue
        indent, rest = m.group(1), m.group(3)
        if rest.startswith("{"):  # the team on one line: rewrite that mapping
            team = yaml.safe_load(rest) or {}
            team["sla"] = {**(team.get("sla") or {}), level.value: _dur(seconds)}
            lines[i] = f"{indent}{m.group(2)}{owner}{m.group(2)}: {_flow(team)}\n"
            return _diff(text, "".join(lines), name)
        body = i + 1
        while body < end and (
            not lines[body].strip() or len(lines[body]) - len(lines[body].lstrip()) > len(indent)
        ):
            body += 1
        inner = next(
            (ln[: len(ln) - len(ln.lstrip())] for ln in lines[i + 1 : body] if ln.strip()),
            indent + "  ",
        )
        for j in range(i + 1, body):
            sm = re.match(rf"^{inner}sla:\s*(\{{.*\}})\s*$", lines[j])
            if sm:
                sla = yaml.safe_load(sm.group(1)) or {}
                sla[level.value] = _dur(seconds)
                lines[j] = f"{inner}sla: {_flow(sla)}\n"
                return _diff(text, "".join(lines), name)
        while body > i + 1 and not lines[body - 1].strip():
            body -= 1
        lines.insert(body, f"{inner}sla: {{{level.value}: {_dur(seconds)}}}\n")
        return _diff(text, "".join(lines), name)
    return ""
