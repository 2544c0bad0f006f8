"""Decide, as a pure function: who may decide, and what a verdict does to a handoff.

``apply_decision`` returns the changed handoff, the audit events and the notifications
to write; the plane writes them in one transaction with a compare-and-set, and judges
again from a fresh read when it loses a race.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .._exceptions import ConflictError, InputError, NotAuthorized
from ..detect import rubric
from ..models import Action, Decision, Handoff, Mode, Package, State, Verdict, action_hash
from ..package._diff import diff_args, differs
from ..package._options import Reassess
from ..package.packaging import draft
from ..policy import Policy
from ..route.routing import deadline
from ._step_up import Proof, approved_hash, needs_step_up, refusal
from .lifecycle import OPEN

__all__ = [
    "NEEDS_RATIONALE",
    "Change",
    "apply_decision",
    "authorize",
    "check_step_up",
    "count_approvals",
    "reassess_with",
]

_APPROVING = (Verdict.APPROVE, Verdict.REVISE, Verdict.CHOOSE)
#: Verdicts that need a rationale; an approval (or a chosen option) may go without one.
NEEDS_RATIONALE = (Verdict.REJECT, Verdict.REVISE, Verdict.REDIRECT)
#: Options a package may offer that are verdicts in their own right, not ways to run.
_AS_VERDICT = {"reject": Verdict.REJECT, "send_back": Verdict.REDIRECT}
_BY = {"agent": "written by the agent", "handoff": "drafted by handoff"}


@dataclass
class Change:
    handoff: Handoff
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notify: list[dict[str, Any]] = field(default_factory=list)


def authorize(h: Handoff, d: Decision, policy: Policy) -> None:
    """Raise ``NotAuthorized`` unless ``d.reviewer`` may decide ``h``.

    The requester (the agent and the user it acts for) never decides its own action;
    a reviewer must belong to the owning team (its members or its lead). A policy with
    no owners at all lets any reviewer other than the requester decide. Names are
    compared as people (``Policy.person``: canonical form, aliases, emails), never as
    strings.
    """
    if policy.person(d.reviewer) in policy.requesters(h.action.agent, h.action.on_behalf_of):
        raise NotAuthorized(
            f"{d.reviewer} requested this action and cannot decide it", field="reviewer"
        )
    if policy.owners and h.owner and not policy.is_member(h.owner, d.reviewer):
        raise NotAuthorized(
            f"{d.reviewer} is not a member of the owning team {h.owner}", field="reviewer"
        )


def count_approvals(h: Handoff, policy: Policy) -> int:
    """Distinct people approving the current action hash, members of the current owner
    and none of them a requester (however their names were spelled)."""
    team = h.owner if (policy.owners and h.owner) else None
    requesters = policy.requesters(h.action.agent, h.action.on_behalf_of)
    counted: set[str] = set()
    for d in h.approvals:
        who = policy.person(d.reviewer)
        if who in requesters or (team is not None and not policy.is_member(team, who)):
            continue
        counted.add(who)
    return len(counted)


def check_step_up(h: Handoff, d: Decision, policy: Policy, proof: Proof | None) -> None:
    """Refuse an approval the policy's ``step_up`` level covers unless ``proof`` (a
    checked passkey confirmation) binds this handoff and the hash ``d`` approves."""
    approved = approved_hash(h, d)
    if proof is not None and (proof.handoff_id, proof.action_hash) != (h.id, approved):
        raise NotAuthorized(
            "the passkey confirmation was given for another handoff or another version of"
            " the action; confirm again",
            field="step_up",
        )
    if proof is None and needs_step_up(policy, h, d):
        raise refusal(policy, h)


def apply_decision(
    h: Handoff, d: Decision, policy: Policy, now: datetime, proof: Proof | None = None
) -> Change:
    """The effect of decision ``d`` on ``h`` at ``now``; raises before changing anything.

    ``proof`` is the checked passkey confirmation an approval at the policy's
    ``step_up`` level needs (see ``_step_up``); it is recorded in the approval's event.
    """
    if h.state not in OPEN:
        raise ConflictError(
            f"handoff {h.id} is already {h.state.value}; it cannot be decided again",
            field="state",
        )
    if d.verdict in NEEDS_RATIONALE and not d.rationale.strip():
        raise InputError(f"a {d.verdict.value} needs a rationale", field="rationale")
    authorize(h, d, policy)
    check_step_up(h, d, policy, proof)
    # A shallow copy: every field a verdict changes is replaced, never mutated in place.
    h = h.model_copy(update={"decisions": list(h.decisions)})
    h.updated_at = now
    change = Change(h)
    if d.verdict is Verdict.REJECT:
        return _close(change, d, now, State.REJECTED, {"rationale": d.rationale})
    if d.verdict is Verdict.REDIRECT:
        return _redirect(change, d, policy, now)
    args = None
    if d.verdict is Verdict.REVISE:
        if d.args is None:
            raise InputError("a revise needs the edited args", field="args")
        args = d.args
    elif d.verdict is Verdict.CHOOSE:
        options = {o.id: o for o in (h.package.options if h.package else [])}
        if d.option_id not in options:
            raise InputError(
                f"no option {d.option_id!r}; the options are {sorted(options)}",
                field="option_id",
            )
        option = options[d.option_id]
        chosen = option.args
        if d.option_id in _AS_VERDICT:
            return apply_decision(
                h, d.model_copy(update={"verdict": _AS_VERDICT[d.option_id]}), policy, now, proof
            )
        if chosen is None and d.option_id != "approve":
            raise InputError(
                f"option {d.option_id!r} carries no args to run; revise with the args you"
                " want, or reject",
                field="option_id",
            )
        args = chosen if chosen is not None and differs(chosen, h.action.args) else None
        if args is not None and not d.rationale.strip():
            # Choosing such an option is a revise: one click must not approve args the
            # reviewer never typed, whoever wrote the option and whatever it is called.
            changed = ", ".join(c.path for c in diff_args(h.action.args, args))
            raise InputError(
                f"option {d.option_id!r} ({_BY[option.origin]}) changes the args the agent"
                f" proposed ({changed}); choosing it needs a rationale",
                field="rationale",
            )
    if args is not None:
        _revise(change, d, args, policy)
    elif any(policy.person(a.reviewer) == policy.person(d.reviewer) for a in h.approvals):
        raise ConflictError(f"{d.reviewer} has already approved this action", field="reviewer")
    h.decisions.append(
        d.model_copy(update={"at": now, "action_hash": h.action_hash, "step_up": None})
    )
    have, need = count_approvals(h, policy), h.assessment.quorum
    data: dict[str, Any] = {
        "verdict": d.verdict.value,
        "rationale": d.rationale,
        "action_hash": h.action_hash,
        "approvals": have,
        "quorum": need,
    }
    if d.option_id:
        data["option_id"] = d.option_id
    if proof is not None:
        data["step_up"] = proof.record
    if have >= need:
        h.state = State.APPROVED
        change.events.append(("approved", data))
        change.notify.append(_to_agent(h, "approved"))
    else:
        change.events.append(("approval_recorded", data))
    return change


def reassess_with(action: Action, policy: Policy) -> Reassess:
    """Assess ``action`` again with other args under ``policy``: how a drafted option's
    own level is found."""
    return lambda args: rubric.assess(action.model_copy(update={"args": args}), policy)


def _brief_of(p: Package | None) -> dict[str, Any] | None:
    """What the reviewers were told before a revise, kept in its ``revised`` event."""
    if p is None:
        return None
    return {
        "summary": p.summary,
        "decision_required": p.decision_required,
        "options": [{"id": o.id, "title": o.title} for o in p.options],
        "open_questions": list(p.open_questions),
    }


def _revise(change: Change, d: Decision, args: dict[str, Any], policy: Policy) -> None:
    """Swap in the edited args: a new hash, re-assessed; earlier approvals no longer count.

    The brief is drafted again for the new args: the next reviewer must not read a
    summary, options or quotes about wording that is no longer proposed (the agent's own
    package, written about the old args, is dropped). The old brief goes into the
    ``revised`` event. The quorum is the policy's for the new args, never below the one
    the handoff had: a revise cannot lower the bar it was asked to clear.
    """
    h = change.handoff
    new_action = h.action.model_copy(update={"args": args})
    new_hash = action_hash(new_action.tool, args, new_action.agent, new_action.on_behalf_of)
    assessment = rubric.assess(new_action, policy)
    if assessment.mode is Mode.BLOCK:
        raise InputError("the policy blocks the revised args", field="args")
    assessment = assessment.model_copy(
        update={"owner": h.owner, "quorum": max(assessment.quorum, h.assessment.quorum)}
    )
    change.events.append(
        (
            "revised",
            {
                "from_hash": h.action_hash,
                "to_hash": new_hash,
                "from_args": h.action.args,
                "changed": sorted(
                    k
                    for k in set(args) | set(h.action.args)
                    if k not in args or k not in h.action.args or differs(args[k], h.action.args[k])
                ),
                "rationale": d.rationale,
                "level": assessment.level.value,
                "quorum": assessment.quorum,
                "from_brief": _brief_of(h.package),
            },
        )
    )
    package = draft(new_action, assessment, reassess_with(new_action, policy))
    if h.package is not None:  # the plane's warnings are about the requester, not the args
        package = package.model_copy(update={"warnings": list(h.package.warnings)})
    h.action, h.action_hash, h.assessment = new_action, new_hash, assessment
    h.package = package


def _redirect(change: Change, d: Decision, policy: Policy, now: datetime) -> Change:
    h = change.handoff
    if d.owner is None:
        questions = d.questions or [d.rationale]
        return _close(
            change, d, now, State.NEEDS_INFO, {"rationale": d.rationale, "questions": questions}
        )
    if policy.owners and d.owner not in policy.owners:
        raise InputError(f"no owner team {d.owner!r} in the policy", field="owner")
    if d.owner == h.owner:
        raise InputError(f"the handoff is already with {d.owner}", field="owner")
    data = {"from": h.owner, "to": d.owner, "rationale": d.rationale}
    h.decisions.append(
        d.model_copy(update={"at": now, "action_hash": h.action_hash, "step_up": None})
    )
    h.state, h.owner, h.ladder_step = State.REDIRECTED, d.owner, 0
    sla = policy.sla_for(d.owner, h.assessment.level)  # the new team's own SLA, if it has one
    h.assessment = h.assessment.model_copy(update={"sla_seconds": sla})
    h.deadline = deadline(now, sla)
    change.events.append(("redirected", data))
    change.notify.append({"to": f"owner:{d.owner}", "kind": "pending", "handoff_id": h.id})
    return change


def _close(
    change: Change, d: Decision, now: datetime, state: State, data: dict[str, Any]
) -> Change:
    h = change.handoff
    h.decisions.append(
        d.model_copy(update={"at": now, "action_hash": h.action_hash, "step_up": None})
    )
    h.state = state
    change.events.append((state.value, data))
    change.notify.append(_to_agent(h, state.value))
    return change


def _to_agent(h: Handoff, kind: str) -> dict[str, Any]:
    return {"to": f"agent:{h.action.agent}", "kind": kind, "handoff_id": h.id}
