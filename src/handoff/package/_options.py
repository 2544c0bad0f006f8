"""Options: the choices a drafted package offers, and the argument edits behind them.

``draft_options`` always offers approving the action as proposed, then a safer way to
most of the goal when one fits the kind of action, and sending back or rejecting. A
safer option carries edited ``args`` only when the edit can be derived from the
arguments alone (a switch turned, attachments dropped, a flagged sentence cut);
otherwise it has none and says to decide with revise.

Every option drafted here has ``origin="handoff"``, and its id is one of
``BUILT_IN_IDS``, which no agent option may take: an agent can offer its own options,
but never one that passes for handoff's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..models import Action, Assessment, Finding, Level, Option
from ._scrub import CLAIM, leftovers, scrub, sentences
from ._wording import APPROVE_IMPACT, LANGUAGE_LABEL, quote

Reassess = Callable[[dict[str, Any]], Assessment]
"""Assesses the action again with other args: how an option's own level is found."""

_LOWER = {Level.HIGH: Level.MEDIUM, Level.MEDIUM: Level.LOW, Level.LOW: Level.LOW}


def draft_options(
    action: Action,
    assessment: Assessment,
    *,
    kind: str,
    findings: list[Finding],
    flagged_text: str | None,
    reassess: Reassess | None = None,
) -> list[Option]:
    """Approve, then a safer alternative if one fits, then send back and/or reject.

    ``kind`` is what the action does (``money``, ``publish``, ... or ``run``);
    ``findings`` are the assessment's, triggers first; ``flagged_text`` is the sentence
    holding the first flagged wording in the arguments, or None when none is flagged.
    Send back is offered when evidence is wanting, reject when it is not; both when no
    alternative fits. With ``reassess``, an alternative that carries args shows the
    level those args are assessed at, and a "without ..." option whose args still hold
    flagged wording is not offered.
    """
    level = assessment.level
    approve = Option(
        id="approve",
        title="Approve as proposed",
        description=f"Run {action.tool} with the arguments exactly as the agent proposed them.",
        risk=level,
        effort=Level.LOW,
        expected_impact=APPROVE_IMPACT[kind],
        args=copy.deepcopy(action.args),
        origin="handoff",
    )
    out = [approve]
    alternative = _alternative(action.args, kind, findings, flagged_text, level, reassess)
    if alternative is not None and alternative.args is not None and reassess is not None:
        again = reassess(alternative.args).level
        alternative = alternative.model_copy(update={"risk": again})
    if alternative is not None:
        out.append(alternative)
    needs_evidence = any(f.code.startswith(("evidence.", "scope.")) for f in findings) or (
        not action.context.evidence and level is not Level.LOW
    )
    if alternative is None or needs_evidence:
        out.append(_SEND_BACK)
    if alternative is None or not needs_evidence:
        out.append(_REJECT)
    return out


def _alternative(
    args: dict[str, Any],
    kind: str,
    findings: list[Finding],
    flagged_text: str | None,
    level: Level,
    reassess: Reassess | None = None,
) -> Option | None:
    """A safer way to most of the goal, with edited args when an edit is derivable."""
    if kind in ("publish", "send"):
        without = _without(args, kind, findings, flagged_text, level, reassess)
        if without is not None:
            return without
    dry = _set_flags(args, {"dry_run": True, "dryrun": True, "simulate": True})
    if dry is not None:
        return _option("dry_run_first", dry, level)
    if kind == "publish":
        return _option("internal_first", _set_flags(args, {"draft": True}, _STAGING), level)
    if kind == "send":
        trimmed = _drop_attachments(args)
        if trimmed is not None:
            return _option("without_attachments", trimmed, level)
        return _option("test_send_first", None, level)
    if kind == "delete":
        soft = _set_flags(args, {"soft": True, "soft_delete": True, "archive": True}, _SOFT)
        return _option("soft_delete" if soft else "backup_first", soft, level)
    if kind in ("money", "access"):
        return _option("smaller_amount" if kind == "money" else "narrower_role", None, level)
    return None


def _option(oid: str, args: dict[str, Any] | None, level: Level, flagged_text: str = "") -> Option:
    title, what, impact = _ALTERNATIVES[oid]
    if "{x}" in what:
        what = what.format(x=quote(flagged_text))
    if args is None:
        what += " Needs edited arguments: decide with revise."
    return Option(
        id=oid,
        title=title,
        description=what,
        risk=_LOWER[level],
        effort=Level.LOW if args is not None else Level.MEDIUM,
        expected_impact=impact,
        args=args,
        origin="handoff",
    )


# Safer alternatives by option id: title, what it does, what it achieves.
_ALTERNATIVES = {
    "without_claim": (
        "Publish without the flagged claim",
        "Drop the sentence holding the flagged wording ({x}) and publish the rest as proposed.",
        "The rest goes live now; the flagged wording waits for its own sign-off.",
    ),
    "without_wording": (
        "Send without the flagged wording",
        "Drop the sentence holding the flagged wording ({x}) and send the rest as proposed.",
        "The message goes out now; the flagged wording waits for its own sign-off.",
    ),
    "dry_run_first": (
        "Do a dry run first",
        "Run the same call as a dry run, check what it would do, then decide on the real run.",
        "Nothing changes yet; the dry run shows what would.",
    ),
    "internal_first": (
        "Send to an internal/staging audience first",
        "Publish where only the team sees it, check it there, then decide on the public release.",
        "The public release waits for a second look.",
    ),
    "without_attachments": (
        "Send without the attachments",
        "Send the message as proposed, with no attachments.",
        "The message arrives; the attached files stay inside.",
    ),
    "test_send_first": (
        "Send to an internal test recipient first",
        "Check the message on a colleague before it reaches the recipient.",
        "Delivery waits for the test send.",
    ),
    "soft_delete": (
        "Archive instead of deleting for good",
        "Run the same call as a soft delete, so that it can be undone.",
        "The data leaves view now and can still be restored.",
    ),
    "backup_first": (
        "Back up first, then delete",
        "Take a backup of the target, then run the deletion.",
        "The deletion waits for the backup, and can then be undone.",
    ),
    "smaller_amount": (
        "Approve a smaller amount",
        "Lower the amount to what is clearly justified, and pay that.",
        "Part of the payment goes out now; the rest needs its own case.",
    ),
    "narrower_role": (
        "Grant a narrower, time-limited role",
        "Grant the least role that does the job, with an expiry date.",
        "The work can go ahead; the access lapses on its own.",
    ),
}
_PUBLIC = {"public", "everyone", "all", "external"}
_STAGING: dict[str, tuple[set[Any], Any]] = {
    "status": ({"published", "publish", "public", "live"}, "draft"),
    "visibility": (_PUBLIC, "internal"),
    "audience": (_PUBLIC, "internal"),
}
_SOFT: dict[str, tuple[set[Any], Any]] = {
    "permanent": ({True}, False),
    "hard": ({True}, False),
    "force": ({True}, False),
}

_SEND_BACK = Option(
    id="send_back",
    title="Send back for more evidence",
    description="Return the action to the agent with the open questions; decide with redirect.",
    risk=Level.LOW,
    effort=Level.MEDIUM,
    expected_impact="Nothing runs yet; the agent must come back with sources.",
    origin="handoff",
)
_REJECT = Option(
    id="reject",
    title="Reject",
    description="Refuse the action; decide with reject and say why.",
    risk=Level.LOW,
    effort=Level.LOW,
    expected_impact="Nothing runs; what the requester wanted does not happen.",
    origin="handoff",
)


#: Every id handoff's own drafting can give an option. No agent option may take one.
BUILT_IN_IDS = frozenset({"approve", "send_back", "reject", *_ALTERNATIVES})


def _set_flags(
    args: dict[str, Any],
    flags: dict[str, bool],
    swaps: dict[str, tuple[set[Any], Any]] | None = None,
) -> dict[str, Any] | None:
    """A copy of ``args`` with the named top-level switches turned, or None if none apply.

    ``flags`` sets a boolean key that is present and set the other way; ``swaps`` maps a
    key to (values to replace, replacement), compared case-blind for text.
    """
    changes: dict[str, Any] = {}
    for key, value in args.items():
        name = key.lower()
        if name in flags and isinstance(value, bool) and value is not flags[name]:
            changes[key] = flags[name]
        elif swaps and name in swaps and isinstance(value, bool | str):
            olds, new = swaps[name]
            probe = value.lower() if isinstance(value, str) else value
            if type(value) is type(new) and probe in olds:
                changes[key] = new
    if not changes:
        return None
    return {**copy.deepcopy(args), **changes}


def _drop_attachments(args: dict[str, Any]) -> dict[str, Any] | None:
    for key, value in args.items():
        if key.lower() == "attachments" and isinstance(value, list) and value:
            return {**copy.deepcopy(args), key: []}
    return None


def _without(
    args: dict[str, Any],
    kind: str,
    findings: list[Finding],
    flagged_text: str | None,
    level: Level,
    reassess: Reassess | None,
) -> Option | None:
    """Publish or send without what was flagged, when the edit really removes it.

    The sentences holding flagged wording, look-alike links and hidden controls are cut
    (``_scrub``); the option is dropped when any of them is still there afterwards, or
    when assessing the edited args again still finds flagged wording in them.
    """
    drops: dict[str, set[tuple[int, int]]] = {}
    for f in findings:
        if f.code in LANGUAGE_LABEL:
            site = flag_site(args, f)
            if site is not None:
                drops.setdefault(site[0], set()).add(site[1])
    done = scrub(args, drops, _locate)
    if done is None:
        return None
    edited, removed = done
    if leftovers(edited):
        return None
    if reassess is not None:
        again = reassess(edited)
        flagged = [*again.triggers, *(r for factor in again.factors for r in factor.reasons)]
        if any(f.code in LANGUAGE_LABEL and f.where.startswith("args") for f in flagged):
            return None
    elif any(f.code in LANGUAGE_LABEL for f in findings) and CLAIM not in removed:
        return None
    verb = "Publish" if kind == "publish" else "Send"
    said = "the flagged claim" if kind == "publish" else CLAIM
    named = [said if r == CLAIM else r for r in removed]
    names = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    oid = "without_claim" if kind == "publish" else "without_wording"
    quoted = f" ({quote(flagged_text)})" if flagged_text and CLAIM in removed else ""
    return Option(
        id=oid,
        title=f"{verb} without {names}",
        description=f"Remove {names}{quoted} and {verb.lower()} the rest as proposed.",
        risk=_LOWER[level],
        effort=Level.LOW,
        expected_impact=_ALTERNATIVES[oid][2],
        args=edited,
        origin="handoff",
    )


def flag_site(args: dict[str, Any], f: Finding) -> tuple[str, tuple[int, int], str] | None:
    """Where a finding points into a text argument: its path, sentence range and sentence.

    Used only when ``where`` reads like ``args.body[12:80]`` and the text there still
    matches the finding's excerpt; the sentence is the one the span overlaps most.
    """
    if not f.where.startswith("args") or not f.where.endswith("]"):
        return None
    i = f.where.rfind("[")
    start, sep, end = f.where[i + 1 : -1].partition(":")
    if not sep or not start.isdigit() or not end.isdigit():
        return None
    path, s, e = f.where[:i], int(start), int(end)
    slot = _locate(args, path)
    if slot is None or s >= e:
        return None
    text = slot[0][slot[1]]
    if not isinstance(text, str) or e > len(text):
        return None
    if not " ".join(text[s:e].split()).startswith(f.excerpt.removesuffix("...")):
        return None
    best, most = (0, 0), 0
    for a, b in sentences(text):
        overlap = min(b, e) - max(a, s)
        if overlap > most:
            best, most = (a, b), overlap
    return (path, best, text[best[0] : best[1]].strip()) if most else None


def _locate(args: dict[str, Any], target: str) -> tuple[Any, str | int] | None:
    """The container and key whose path, spelt as the detectors spell it, is ``target``."""
    stack: list[tuple[str, Any]] = [("args", args)]
    while stack:
        path, node = stack.pop()
        children: list[tuple[str, str | int]] = []
        if isinstance(node, dict):
            children = [(f"{path}.{k}", k) for k in node]
        elif isinstance(node, list):
            children = [(f"{path}[{i}]", i) for i in range(len(node))]
        for child, key in children:
            if child == target:
                return node, key
            if target.startswith(child):
                stack.append((child, node[key]))
    return None
