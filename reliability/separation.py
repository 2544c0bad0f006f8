"""Separation of duties over random teams, requesters, reviewers and revocations.

    python -m reliability.separation [--runs 10000] [--seed 1] [--no-docs]

Each run draws a finance team (1 to 5 of 8 people, maybe a lead), a level (medium: one
approver; high: two distinct), an agent and maybe a person it acts for (either may be
a member of the team), and up to 10 steps: a person approves or rejects, or a person is
removed from the team between request and decision. The steps go to a real
``ControlPlane`` (in memory) and every answer is checked against the rule computed
here, apart from the plane:

- a requester (the agent or the person it acts for) never decides its own action;
- someone outside the team at the moment of deciding is refused;
- an approved handoff has at least the quorum of distinct approvers who are members
  *now* (an approval from someone removed since no longer counts) and none of them a
  requester;
- the audit chain verifies.

``tests/test_separation.py`` runs the same check under Hypothesis. Figures go into
docs/RELIABILITY.md between ``<!-- separation:start -->`` and ``<!-- separation:end -->``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field

from handoff import ConflictError, InputError, NotAuthorized, State
from handoff.policy import Policy, default_policy
from handoff.testing import memory_plane

from .serving import machine, stamp, write_docs

__all__ = ["PEOPLE", "Counts", "Scenario", "check", "draw", "main"]

PEOPLE = [f"p{i}" for i in range(8)]


@dataclass(frozen=True)
class Scenario:
    members: list[str]
    lead: str | None
    level: str
    agent: str
    on_behalf_of: str | None
    steps: list[tuple[str, str, str]]  # ("decide", who, verdict) or ("revoke", who, "")


@dataclass
class Counts:
    runs: int = 0
    decisions: int = 0
    accepted: int = 0
    refused_requester: int = 0
    refused_outsider: int = 0
    conflicts: int = 0
    revocations: int = 0
    approved: int = 0
    two_person: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name in (
            "runs",
            "decisions",
            "accepted",
            "refused_requester",
            "refused_outsider",
            "conflicts",
            "revocations",
            "approved",
            "two_person",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems


def _policy(members: list[str], lead: str | None, level: str) -> Policy:
    base = default_policy().model_dump()
    base["owners"]["finance"] = {**base["owners"]["finance"], "members": members, "lead": lead}
    base["tools"] = {"pay": {"level": level, "owner": "finance"}}
    return Policy.model_validate(base)


def _without(policy: Policy, person: str) -> Policy:
    raw = policy.model_dump()
    team = raw["owners"]["finance"]
    team["members"] = [m for m in team["members"] if m != person]
    if team["lead"] == person:
        team["lead"] = None
    return Policy.model_validate(raw)


def draw(rnd: random.Random) -> Scenario:
    """One random scenario."""
    steps: list[tuple[str, str, str]] = []
    for _ in range(rnd.randint(0, 10)):
        if rnd.random() < 0.2:
            steps.append(("revoke", rnd.choice(PEOPLE), ""))
        else:
            steps.append(
                ("decide", rnd.choice(PEOPLE), rnd.choice(["approve", "approve", "reject"]))
            )
    return Scenario(
        members=rnd.sample(PEOPLE, rnd.randint(1, 5)),
        lead=rnd.choice([None, *PEOPLE]),
        level=rnd.choice(["medium", "high"]),
        agent=rnd.choice(PEOPLE),
        on_behalf_of=rnd.choice([None, *PEOPLE]),
        steps=steps,
    )


def check(s: Scenario) -> Counts:
    """Play ``s`` on a real plane; counts, and a problem for every broken rule."""
    c = Counts(runs=1, two_person=int(s.level == "high"))
    plane = memory_plane(_policy(s.members, s.lead, s.level))
    plane.register("pay", lambda **_: None)
    out = plane.submit(
        {"tool": "pay", "args": {"amount": 10}, "agent": s.agent, "on_behalf_of": s.on_behalf_of}
    )
    hid = out.handoff_id
    if hid is None:
        c.problems.append(f"{s}: not paused for review ({out.status})")
        return c
    requester = {s.agent, s.on_behalf_of} - {None}
    quorum = plane.get(hid).assessment.quorum
    if quorum < (2 if s.level == "high" else 1):
        c.problems.append(f"{s}: quorum {quorum} for level {s.level}")
    for kind, who, verdict in s.steps:
        if kind == "revoke":
            plane.policy = _without(plane.policy, who)
            c.revocations += 1
            continue
        c.decisions += 1
        before = plane.get(hid)
        members = plane.policy.members_of("finance")
        already = {d.reviewer for d in before.approvals}
        try:
            after = plane.decide(hid, {"verdict": verdict, "reviewer": who, "rationale": "r"})
        except NotAuthorized:
            if who in requester:
                c.refused_requester += 1
            elif who not in members:
                c.refused_outsider += 1
            elif who in already:
                c.conflicts += 1  # a second approval from the same person
            else:
                c.problems.append(f"{s}: {who} (a member, not a requester) was refused")
            continue
        except (ConflictError, InputError):
            c.conflicts += 1
            if before.state in (State.PENDING, State.REDIRECTED) and who not in already:
                c.problems.append(f"{s}: {who} got a conflict on an open handoff")
            continue
        c.accepted += 1
        if who in requester:
            c.problems.append(f"{s}: requester {who} decided its own action")
        if who not in members:
            c.problems.append(f"{s}: {who}, outside the team, decided")
        if after.state is State.APPROVED:
            c.approved += 1
            approvers = {d.reviewer for d in after.approvals}
            current = plane.policy.members_of("finance")
            if approvers & requester:
                c.problems.append(f"{s}: approved with a requester among {approvers}")
            if len(approvers & current) < quorum:
                c.problems.append(f"{s}: approved by {approvers}, quorum {quorum} of {current}")
    if not plane.verify_audit().ok:
        c.problems.append(f"{s}: the audit chain does not verify")
    plane.close()
    return c


def run(runs: int, seed: int = 1) -> Counts:
    rnd = random.Random(seed)
    total = Counts()
    for _ in range(runs):
        total.add(check(draw(rnd)))
    return total


def table(c: Counts) -> str:
    return "\n".join(
        [
            "| runs | two-person | decisions tried | accepted | refused: requester | "
            "refused: outside the team | conflicts | removals | approved | failures |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {c.runs} | {c.two_person} | {c.decisions} | {c.accepted} | "
            f"{c.refused_requester} | {c.refused_outsider} | {c.conflicts} | {c.revocations} | "
            f"{c.approved} | {len(c.problems)} |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.separation", description=__doc__)
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    began = time.perf_counter()
    counts = run(args.runs, args.seed)
    took = time.perf_counter() - began
    verdict = "pass" if not counts.problems else f"FAIL ({len(counts.problems)})"
    text = "\n".join(
        [
            f"Last run: {stamp()}, `python -m reliability.separation --runs {args.runs}`, "
            f"{took:.0f} s.  ",
            f"Machine: {machine()}.",
            "",
            table(counts),
            "",
            f"Verdict: {verdict}.",
            *(f"- {p}" for p in counts.problems[:10]),
        ]
    )
    print(text)
    if not args.no_docs:
        write_docs("separation", "Separation of duties", text)
    return 0 if not counts.problems else 1


if __name__ == "__main__":
    sys.exit(main())
