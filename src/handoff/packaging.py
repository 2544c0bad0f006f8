"""Package: the decision brief a reviewer reads before deciding a handoff.

``prepare`` is what the plane calls. When the agent supplied a package, ``complete``
keeps what it gave and fills the rest from ``draft``; otherwise ``draft`` writes the
whole brief from the action and its assessment. Either way the result has a
``decision_required`` that is one question, and two or three options.

Agent text is untrusted: it is quoted, never read for meaning or instructions, and long
quotes are cut with an ellipsis. Handoff's own additions to an agent's package (its
assumptions and the questions raised by the assessment's findings) are always added,
so a supplied package cannot hide what Detect found. Pure and deterministic: no I/O,
no clock, no regexes.

A caution for whoever decides: an option without ``args`` runs the action as proposed
when chosen. The ``send_back`` and ``reject`` options are there to be read; they are
decided with the ``redirect`` and ``reject`` verdicts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from ._exceptions import InputError
from .detectors import split_words
from .models import Action, Assessment, Finding, Level, Mode, Option, Package

__all__ = ["ASSUMED", "MAX_OPTIONS", "complete", "draft", "prepare"]

MAX_OPTIONS = 3
"""The most options a package may hold: more is a menu, not a decision."""

ASSUMED = "[assumed by handoff] "
"""Marks the assumptions handoff makes while drafting, apart from the agent's own."""

_QUOTE_CHARS = 80
_REASON_CHARS = 160
_MAX_REASONS = 3
_MAX_QUESTIONS = 8
_HUGE = 10**30
_STOPS = frozenset(".!?\n")


def _vocab(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LOWER = {Level.HIGH: Level.MEDIUM, Level.MEDIUM: Level.LOW, Level.LOW: Level.LOW}

# What an action does, read from its tool name first (the most direct statement of
# intent) and from the fired trigger codes second. Earlier kinds win.
_KIND_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "money",
        _vocab(
            "pay payment payout transfer wire withdraw withdrawal refund charge remit "
            "invoice purchase"
        ),
    ),
    (
        "access",
        _vocab(
            "grant revoke role roles permission permissions privilege privileges acl iam "
            "chmod chown sudo"
        ),
    ),
    ("delete", _vocab("delete remove drop purge wipe erase destroy truncate")),
    ("send", _vocab("send email mail message sms share forward export upload dm")),
    (
        "publish",
        _vocab("publish post tweet blog broadcast announce campaign newsletter"),
    ),
)
_KIND_CODES: tuple[tuple[str, str], ...] = (
    ("action.money", "money"),
    ("action.permissions", "access"),
    ("action.destructive", "delete"),
    ("action.public", "publish"),
    ("action.data_outward", "send"),
)
_MONEY_VERBS = {"refund": "refunding", "withdraw": "withdrawing", "withdrawal": "withdrawing"}

# Argument names that say what the action is about, by the role they play in a sentence.
_TITLE = ("title", "name", "subject", "headline", "slug")
_IDENT = ("post_id", "draft_id", "id", "path", "file", "filename", "url", "table", "resource")
_WHERE = ("site", "channel", "audience", "platform", "destination", "visibility", "to")
_TO = ("to", "recipient", "recipients", "email", "channel", "destination", "address")
_AMOUNT = ("amount", "value", "total", "sum", "quantity")
_PAYEE: tuple[str, ...] = (
    "to",
    "payee",
    "recipient",
    "beneficiary",
    "account",
    "account_id",
    "destination",
)
_PAYEE += ("wallet", "address", "iban", "customer", "customer_id")
_ROLE = ("role", "roles", "permission", "permissions", "scope", "access", "privilege")
_GRANTEE = ("user", "user_id", "username", "member", "principal", "grantee", "email", "group")

_APPROVE_IMPACT = {
    "money": "The payment is made now.",
    "access": "The access is granted now and stays until someone revokes it.",
    "delete": "The data is deleted now.",
    "publish": "The content goes live now.",
    "send": "The message is delivered now.",
    "run": "The action runs now, as proposed.",
}
_KIND_ASSUMPTION = {
    "money": "A payment, once made, is undone only by another transaction.",
    "access": "Access, once granted, stays until someone revokes it.",
    "delete": "What is deleted cannot be restored by handoff.",
    "publish": "Once published, the content can be copied before it is taken down.",
    "send": "A message cannot be recalled once delivered.",
}

# Open questions raised by a finding; ``{x}`` is the quoted excerpt, or a stand-in.
_QUESTIONS = {
    "language.pricing": "Is the price {x} approved by finance?",
    "language.contractual": "Has legal approved the commitment {x}?",
    "language.regulated": "Has legal or compliance cleared the wording {x}?",
    "language.security_policy": "Does the security team stand behind the statement {x}?",
    "language.claims": "What source supports the claim {x}?",
    "action.money": "Are the amount and the recipient right, and is the payment expected?",
    "action.permissions": "Does the grantee need this access, and for how long?",
    "action.destructive": "Is there a backup, or another way to undo this?",
    "action.data_outward": "May this data leave the company, and go to this recipient?",
    "action.untrusted_code": "Where does this code come from, and has anyone reviewed it?",
    "action.public": "Is this ready for a public audience?",
    "action.harmful": "What legitimate task needs a tool that does this?",
    "action.fraud": "Is this a legitimate business operation, and who can vouch for it?",
    "change.workflow": "Who else relies on the workflow being changed?",
    "action.impersonation": "Has the person this goes out in the name of agreed to it?",
    "content.copied": "May this copied text be sent out, and is its source credited?",
    "plan.harmful": "Should the agent's run go on, given the harmful tool in its plan?",
    "plan.fraud": "Should the agent's run go on, given the deceptive tool in its plan?",
    "injection.followed": "Did the user ask for this, or did text the agent read ({x})?",
    "injection.complied": "Did the user ask for this, or did text the agent read ({x})?",
    "evidence.none": "What source supports this action?",
    "evidence.hedged": "What is the agent unsure about in its reasoning ({x})?",
}
_LANGUAGE_LABEL = {
    "language.claims": "claim",
    "language.pricing": "price",
    "language.contractual": "commitment",
    "language.regulated": "wording",
    "language.security_policy": "statement",
}


def prepare(action: Action, assessment: Assessment) -> Package:
    """The package a reviewer reads: the agent's completed, or one drafted for it."""
    if action.package is not None:
        return complete(action.package, action, assessment)
    return draft(action, assessment)


def draft(action: Action, assessment: Assessment) -> Package:
    """Draft the whole decision brief from the action and its assessment.

    ``missing`` names what the agent's context did not supply (``evidence``,
    ``assumptions``, ``confidence``); ``drafted`` is true.
    """
    brief = _Brief(action, assessment)
    ctx = action.context
    return Package(
        summary=brief.summary(),
        assumptions=[*ctx.assumptions, *brief.own_assumptions()],
        evidence=[e.model_copy() for e in ctx.evidence],
        open_questions=brief.questions(),
        options=brief.options(),
        decision_required=brief.decision(),
        missing=_context_missing(action, has_evidence=False, has_assumptions=False),
        drafted=True,
    )


def complete(supplied: Package, action: Action, assessment: Assessment) -> Package:
    """Keep what the agent's package gives and fill what it lacks from the draft.

    Raises ``InputError`` naming ``package.options[i].id`` for a repeated option id and
    ``package.options`` for more than ``MAX_OPTIONS`` options. ``missing`` lists what the
    agent left out; ``drafted`` is false.
    """
    _check_options(supplied.options)
    brief = _Brief(action, assessment)
    ctx = action.context
    missing: list[str] = []
    if not supplied.summary.strip():
        missing.append("summary")
    own_assumptions = supplied.assumptions or ctx.assumptions
    evidence = supplied.evidence or ctx.evidence
    questions = list(supplied.open_questions)
    if not questions:
        missing.append("open_questions")
    for q in brief.questions():
        if q not in questions:
            questions.append(q)
    options = list(supplied.options)
    if len(options) < 2:
        missing.append("options")
        options = _fill_options(options, brief.options(), action)
    decision = _as_question(supplied.decision_required)
    if not decision:
        missing.append("decision_required")
        decision = brief.decision()
    missing.extend(
        _context_missing(action, has_evidence=bool(evidence), has_assumptions=bool(own_assumptions))
    )
    return Package(
        summary=supplied.summary if "summary" not in missing else brief.summary(),
        assumptions=[*own_assumptions, *brief.own_assumptions()],
        evidence=[e.model_copy() for e in evidence],
        open_questions=questions,
        options=[o.model_copy(deep=True) for o in options],
        decision_required=decision,
        preview=copy.deepcopy(supplied.preview),
        missing=_ordered(missing),
        drafted=False,
    )


def _check_options(options: list[Option]) -> None:
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option.id in seen:
            raise InputError(
                f"option id {option.id!r} is used more than once",
                field=f"package.options[{i}].id",
            )
        seen.add(option.id)
    if len(options) > MAX_OPTIONS:
        raise InputError(
            f"a package offers at most {MAX_OPTIONS} options; got {len(options)}",
            field="package.options",
        )


def _fill_options(own: list[Option], drafted: list[Option], action: Action) -> list[Option]:
    """The agent's options topped up to two from the draft, or the draft's when none.

    Taken ids are skipped, and so is the draft's ``approve`` when an agent option already
    runs the action as proposed: two names for one choice would be no choice.
    """
    if not own:
        return drafted
    taken = {o.id for o in own}
    as_proposed = any(o.args is None or o.args == action.args for o in own)
    out = list(own)
    for option in drafted:
        if len(out) >= 2:
            break
        if option.id in taken or (as_proposed and option.id == "approve"):
            continue
        out.append(option)
    return out


def _as_question(text: str) -> str:
    """The agent's decision sentence as a question, or empty when it gave none."""
    core = text.strip().rstrip(".!:;, \t\n")
    if not core:
        return ""
    return core if core.endswith("?") else core + "?"


_MISSING_ORDER = (
    "summary",
    "assumptions",
    "evidence",
    "confidence",
    "open_questions",
    "options",
    "decision_required",
)


def _ordered(names: Iterable[str]) -> list[str]:
    have = set(names)
    return [n for n in _MISSING_ORDER if n in have]


def _context_missing(action: Action, *, has_evidence: bool, has_assumptions: bool) -> list[str]:
    ctx = action.context
    out: list[str] = []
    if not (has_assumptions or ctx.assumptions):
        out.append("assumptions")
    if not (has_evidence or ctx.evidence):
        out.append("evidence")
    if ctx.confidence is None:
        out.append("confidence")
    return out


def _quote(text: str, limit: int = _QUOTE_CHARS) -> str:
    """Agent text in quotes, on one line, cut to ``limit`` characters with an ellipsis."""
    return f"'{_cut(text, limit)}'"


def _cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _show(value: Any) -> str | None:
    """A scalar argument ready for a sentence: numbers bare, text quoted, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        # str() of an int past 4300 digits raises; nobody reads such a number anyway.
        return str(value) if abs(value) < _HUGE else "a number too long to show"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, str):
        return _quote(value) if value.strip() else None
    if isinstance(value, list):
        parts = [str(v) for v in value[:3] if isinstance(v, str | int | float)]
        if not parts:
            return None
        more = f" and {len(value) - 3} more" if len(value) > 3 else ""
        return _quote(", ".join(parts)) + more
    return None


def _fields(args: dict[str, Any]) -> dict[str, str]:
    """Argument names (lower case) to their shown values: top level first, then one deeper."""
    out: dict[str, str] = {}
    nested: list[dict[str, Any]] = []
    for key, value in args.items():
        if isinstance(value, dict):
            nested.append(value)
            continue
        shown = _show(value)
        if shown is not None:
            out.setdefault(key.lower(), shown)
    for inner in nested:
        for key, value in inner.items():
            shown = _show(value)
            if shown is not None:
                out.setdefault(key.lower(), shown)
    return out


def _findings(assessment: Assessment) -> list[tuple[Finding, bool]]:
    """Every finding once, triggers first, each with whether it fired as a trigger."""
    seen: set[tuple[str, str, str]] = set()
    out: list[tuple[Finding, bool]] = []
    for f in assessment.triggers:
        key = (f.code, f.where, f.message)
        if key not in seen:
            seen.add(key)
            out.append((f, True))
    for factor in sorted(assessment.factors, key=lambda x: -x.score):
        for f in factor.reasons:
            key = (f.code, f.where, f.message)
            if key not in seen:
                seen.add(key)
                out.append((f, False))
    return out


class _Brief:
    """What drafting reads from one action and assessment, worked out once."""

    def __init__(self, action: Action, assessment: Assessment) -> None:
        self.action = action
        self.assessment = assessment
        self.words = split_words(action.tool)
        self.fields = _fields(action.args)
        self.findings = _findings(assessment)
        self.codes = {f.code for f, _ in self.findings}
        self.kind = self._kind()
        self.flagged, self.flagged_text = self._flagged_wording()

    def _kind(self) -> str:
        words = set(self.words)
        for kind, vocab in _KIND_WORDS:
            if words & vocab:
                return kind
        for code, kind in _KIND_CODES:
            if code in self.codes:
                return kind
        return "run"

    def _flagged_wording(self) -> tuple[Finding | None, str]:
        """The first committing-language finding in the arguments, and its sentence.

        The sentence reads better than the detector's padded excerpt; the excerpt stands
        in when the sentence cannot be found again.
        """
        for f, _ in self.findings:
            if f.code in _LANGUAGE_LABEL and f.where.startswith("args") and f.excerpt:
                site = _flag_site(self.action.args, f)
                return f, site[2] if site is not None else f.excerpt
        return None, ""

    # -- the sentences -------------------------------------------------------------

    def phrase(self) -> str:
        """What the action does, as a gerund phrase: ``paying 500 USD to 'acme'``."""
        kind = self.kind
        command = self._part(" ", ("command", "cmd", "script"))
        if command and kind in ("delete", "access", "send", "run"):
            return f"running the command{command}"
        if kind == "money":
            verb = next((_MONEY_VERBS[w] for w in self.words if w in _MONEY_VERBS), "paying")
            amount = self._part(" ", _AMOUNT) or " money"
            currency = self.fields.get("currency", "").strip("'")
            if amount != " money" and currency.isalpha():
                amount += f" {currency}"
            return f"{verb}{amount}{self._part(' to ', _PAYEE)}"
        if kind == "access":
            revoke = "revoke" in self.words
            role = self._part(" role ", ("role", "roles")) or self._part(" access ", _ROLE)
            who = self._part(" from " if revoke else " to ", _GRANTEE)
            return f"{'revoking' if revoke else 'granting'}{role or ' access'}{who}"
        if kind == "delete":
            thing = self._part(" ", _IDENT + _TITLE) or " the target in the arguments"
            return f"deleting{thing}"
        if kind == "send":
            thing = self._part(" ", ("subject", "title", "name", "file", "filename", "path"))
            to = self._part(" to ", _TO)
            return f"sending{thing or ' a message'}{to}{self._with_flagged()}"
        if kind == "publish":
            thing = self._part(" ", _TITLE + _IDENT) or " the content"
            return f"publishing{thing}{self._part(' to ', _WHERE)}{self._with_flagged()}"
        return f"running {self.action.tool}{self._part(' on ', (*_TITLE, *_IDENT, 'target'))}"

    def _part(self, prefix: str, names: Iterable[str]) -> str:
        """``prefix`` and the first named argument's shown value, or empty."""
        for name in names:
            if name in self.fields:
                return prefix + self.fields[name]
        return ""

    def _with_flagged(self) -> str:
        if self.flagged is None:
            return ""
        return f" with the {_LANGUAGE_LABEL[self.flagged.code]} {_quote(self.flagged_text)}"

    def decision(self) -> str:
        via = "" if self.kind == "run" else f" via {self.action.tool}"
        return f"Approve {self.phrase()}{via}?"

    def summary(self) -> str:
        a, act = self.assessment, self.action
        via = "" if self.kind == "run" else f" via {act.tool}"
        behalf = (
            f"on behalf of {_quote(act.on_behalf_of)}"
            if act.on_behalf_of
            else "on its own initiative (no requester is named)"
        )
        parts = [f"Agent {_quote(act.agent)} proposes {self.phrase()}{via}, {behalf}."]
        if act.context.instruction.strip():
            parts.append(f"The instruction it was given: {_quote(act.context.instruction)}.")
        parts.append(f"Risk is {a.level.value} (score {a.score:.2f}); {self._route()}.")
        reasons = a.reasons()
        if reasons:
            shown = "; ".join(_cut(r, _REASON_CHARS) for r in reasons[:_MAX_REASONS])
            more = (
                f" (and {len(reasons) - _MAX_REASONS} more)" if len(reasons) > _MAX_REASONS else ""
            )
            parts.append(f"Why: {shown}{more}.")
        else:
            parts.append("No rule fired; the level comes from the rubric scores alone.")
        return " ".join(parts)

    def _route(self) -> str:
        a = self.assessment
        if a.mode is Mode.BLOCK:
            return "the policy blocks it"
        if a.mode is Mode.AUTO:
            return "the policy lets it run on its own"
        team = f" of {a.owner}" if a.owner else ""
        people = "one reviewer" if a.quorum == 1 else f"{a.quorum} distinct reviewers"
        return f"it needs approval from {people}{team}"

    def own_assumptions(self) -> list[str]:
        ctx = self.action.context
        out: list[str] = []
        if not self.action.on_behalf_of:
            out.append("No requester is named; the agent is taken to act on its own initiative.")
        if ctx.confidence is None:
            out.append("The agent stated no confidence; it is read as neither sure nor unsure.")
        if not ctx.evidence:
            out.append("No evidence is attached; every fact in the arguments is unverified.")
        if self.kind in _KIND_ASSUMPTION:
            out.append(_KIND_ASSUMPTION[self.kind])
        return [ASSUMED + s for s in out]

    def questions(self) -> list[str]:
        out: list[str] = []
        for f, fired in self.findings:
            q = self._question(f, fired)
            if q and q not in out:
                out.append(q)
            if len(out) >= _MAX_QUESTIONS:
                break
        return out

    def _question(self, f: Finding, fired: bool) -> str | None:
        x = _quote(f.excerpt) if f.excerpt.strip() else "in the arguments"
        if f.code == "evidence.insufficient":
            if f.where.startswith("context.assumptions"):
                return f"What source supports the assumption {x}?"
            if f.where.startswith("context.confidence"):
                return "What would make the agent sure enough to act without a reviewer?"
            if f.where.startswith("args") and f.excerpt.strip():
                return f"The target {x} looks like a placeholder: what is the real one?"
            return "What source supports this action?"
        if f.code == "scope.beyond_instruction":
            instruction = self.action.context.instruction
            if instruction.strip():
                return f"Is this within what the user asked for ({_quote(instruction)})?"
            return "Is this within what the user asked for?"
        template = _QUESTIONS.get(f.code)
        if template is not None:
            if "({x})" in template and not f.excerpt.strip():
                return template.replace(" ({x})", "")
            return template.format(x=x)
        if fired and f.message.strip():
            return f"Has this been checked: {_quote(f.message, _REASON_CHARS)}?"
        return None

    # -- the options ---------------------------------------------------------------

    def options(self) -> list[Option]:
        a = self.assessment
        approve = Option(
            id="approve",
            title="Approve as proposed",
            description=f"Run {self.action.tool} with the arguments exactly as the agent "
            "proposed them.",
            risk=a.level,
            effort=Level.LOW,
            expected_impact=_APPROVE_IMPACT[self.kind],
            args=copy.deepcopy(self.action.args),
        )
        out = [approve]
        alternative = self._alternative()
        if alternative is not None:
            out.append(alternative)
        needs_evidence = any(c.startswith(("evidence.", "scope.")) for c in self.codes) or (
            not self.action.context.evidence and a.level is not Level.LOW
        )
        if alternative is None or needs_evidence:
            out.append(_SEND_BACK)
        if alternative is None or not needs_evidence:
            out.append(_REJECT)
        return out

    def _alternative(self) -> Option | None:
        """A safer way to most of the goal, with edited args when an edit is derivable."""
        args, kind = self.action.args, self.kind
        if kind in ("publish", "send") and self.flagged is not None:
            edited = _without_flagged(args, [f for f, _ in self.findings])
            if edited is not None:
                oid = "without_claim" if kind == "publish" else "without_wording"
                return self._option(oid, edited)
        dry = _set_flags(args, {"dry_run": True, "dryrun": True, "simulate": True})
        if dry is not None:
            return self._option("dry_run_first", dry)
        if kind == "publish":
            return self._option("internal_first", _set_flags(args, {"draft": True}, _STAGING))
        if kind == "send":
            trimmed = _drop_attachments(args)
            if trimmed is not None:
                return self._option("without_attachments", trimmed)
            return self._option("test_send_first", None)
        if kind == "delete":
            soft = _set_flags(args, {"soft": True, "soft_delete": True, "archive": True}, _SOFT)
            return self._option("soft_delete" if soft else "backup_first", soft)
        if kind in ("money", "access"):
            return self._option("smaller_amount" if kind == "money" else "narrower_role", None)
        return None

    def _option(self, oid: str, args: dict[str, Any] | None) -> Option:
        title, what, impact = _ALTERNATIVES[oid]
        if "{x}" in what:
            what = what.format(x=_quote(self.flagged_text))
        if args is None:
            what += " Needs edited arguments: decide with revise."
        return Option(
            id=oid,
            title=title,
            description=what,
            risk=_LOWER[self.assessment.level],
            effort=Level.LOW if args is not None else Level.MEDIUM,
            expected_impact=impact,
            args=args,
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
)
_REJECT = Option(
    id="reject",
    title="Reject",
    description="Refuse the action; decide with reject and say why.",
    risk=Level.LOW,
    effort=Level.LOW,
    expected_impact="Nothing runs; what the requester wanted does not happen.",
)


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


def _without_flagged(args: dict[str, Any], findings: list[Finding]) -> dict[str, Any] | None:
    """A copy of ``args`` without the sentences holding flagged wording, when derivable."""
    drops: dict[str, set[tuple[int, int]]] = {}
    for f in findings:
        if f.code in _LANGUAGE_LABEL:
            site = _flag_site(args, f)
            if site is not None:
                drops.setdefault(site[0], set()).add(site[1])
    if not drops:
        return None
    edited = copy.deepcopy(args)
    changed = False
    for path, ranges in drops.items():
        slot = _locate(edited, path)
        if slot is None:
            continue
        parent, key = slot
        text: str = parent[key]
        kept = "".join(text[a:b] for a, b in _sentences(text) if (a, b) not in ranges).strip()
        if kept:
            parent[key] = kept
            changed = True
    return edited if changed else None


def _flag_site(args: dict[str, Any], f: Finding) -> tuple[str, tuple[int, int], str] | None:
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
    for a, b in _sentences(text):
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


def _sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        # A stop ends a sentence only before a space or the end: "$9.99" is one token.
        if text[i] == "\n" or (text[i] in _STOPS and (i + 1 == n or text[i + 1].isspace())):
            end = i + 1
            while end < n and text[end].isspace():
                end += 1
            out.append((start, end))
            start = i = end
        else:
            i += 1
    if start < n:
        out.append((start, n))
    return out
