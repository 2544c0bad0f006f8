"""The golden assessments: every action of data/cases-*.jsonl under three policies.

``rubric.assess`` is restructured from time to time for speed or for reading; this
keeps what it answers pinned. Each row is (policy, file, case id, step, level, mode,
owner, trigger codes, score, factor scores, quorum, SLA), and each policy also has the
sha256 of every full assessment, so a change in a reason's wording or order shows too.

Regenerate only when a change to the results is meant, and say so in the commit:
``python -m tests._golden`` (from the repository root).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from handoff._canonical import sha256_hex
from handoff.detect.learned import Example, fit
from handoff.detect.rubric import assess
from handoff.learn.evaluation import case_actions
from handoff.models import Action
from handoff.policy import Policy, default_policy

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "data" / "assess_golden.json"

# Tool rules that set factors, floors and modes; disabled triggers; trigger rules with
# and without a level or mode; a fired trigger with no rule; unknown tools blocked: the
# branches the default policy leaves alone.
_TRIGGERS = {
    "injection.followed": {"enabled": False},
    "action.destructive": {"mode": "block", "owner": "security"},
    "action.untrusted_code": {},
    "action.money": {"level": "low", "mode": "two_person", "owner": "finance"},
    "language.pricing": {"level": "high"},
}
_TOOLS = {
    "*search*": {"impact": 0.1, "reversibility": 0.0},
    "*cancel*": {"level": "high"},
    "book_*": {"mode": "auto", "impact": 0.9},
    "transfer*": {"mode": "two_person"},
    "get_*": {"mode": "review", "level": "low", "reversibility": 0.7},
}


def _variant() -> Policy:
    base = default_policy().model_dump(mode="json")
    triggers = {**base["triggers"], **_TRIGGERS}
    del triggers["action.harmful"]  # fires with no rule: raised to medium all the same
    base.update(
        name="golden-variant",
        modes={"low": "auto", "medium": "two_person", "high": "block"},
        unknown_tools="block",
        triggers=triggers,
        tools={**base["tools"], **_TOOLS},
    )
    return Policy.model_validate(base)


def actions() -> list[tuple[str, str, int, Action]]:
    """(file, case id, step, action) for every tool-calling step of every case file."""
    out = []
    for path in sorted((ROOT / "data").glob("cases-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            for step, action in case_actions(case, path.name):
                out.append((path.name, str(case["id"]), step, action))
    return out


def policies(rows: list[tuple[str, str, int, Action]]) -> dict[str, Policy]:
    """The default policy, the variant, and the default with a learned model fitted on
    the tau-bench cases (raising and lowering both configured)."""
    labels = {}
    for line in (ROOT / "data" / "cases-taubench.jsonl").read_text("utf-8").splitlines():
        case = json.loads(line)
        labels[str(case["id"])] = bool(case["expected"]["escalate"])
    examples = [
        Example(a, labels[cid], group=cid) for f, cid, _, a in rows if f == "cases-taubench.jsonl"
    ]
    model = fit(examples, raise_at=0.6, lower_below=0.3)
    return {
        "default": default_policy(),
        "variant": _variant(),
        "learned": default_policy().with_learned(model),
    }


def _stable(dump: dict[str, Any]) -> dict[str, Any]:
    """``dump`` without the messages that vary from run to run: the provenance detector
    names one of several targets (or one of several kinds of one target) picked in set
    order, which follows the string hash seed. Code, place, excerpt and weight stay."""
    for finding in [*dump["triggers"], *(r for f in dump["factors"] for r in f["reasons"])]:
        if finding["code"].startswith("provenance."):
            finding["message"] = ""
    return dump


def compute() -> dict[str, Any]:
    """The actions, and the rows and digests the current ``assess`` gives for them."""
    items = actions()
    out: dict[str, Any] = {
        "actions": [
            [f.removeprefix("cases-").removesuffix(".jsonl"), c, s] for f, c, s, _ in items
        ],
        "digests": {},
        "rows": {},
    }
    for name, policy in policies(items).items():
        table = []
        dumps = []
        for *_, action in items:
            a = assess(action, policy)
            table.append(
                [
                    a.level.value,
                    a.mode.value,
                    a.owner,
                    [t.code for t in a.triggers],
                    round(a.score, 6),
                    [round(x.score, 6) for x in a.factors],
                    a.quorum,
                    a.sla_seconds,
                ]
            )
            dumps.append(_stable(a.model_dump(mode="json", exclude={"policy_version"})))
        out["rows"][name] = table
        out["digests"][name] = sha256_hex(dumps)
    return out


def _lines(key: str, rows: list[Any]) -> str:
    body = ",\n".join(json.dumps(r, separators=(",", ":")) for r in rows)
    return f'"{key}": [\n{body}\n]'


if __name__ == "__main__":
    data = compute()
    parts = [_lines("actions", data["actions"])]
    parts.append(f'"digests": {json.dumps(data["digests"], sort_keys=True)}')
    rows = ",\n".join(_lines(name, table) for name, table in data["rows"].items())
    parts.append(f'"rows": {{\n{rows}\n}}')
    GOLDEN.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    print(GOLDEN, len(data["actions"]), data["digests"])
