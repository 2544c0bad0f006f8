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
import unicodedata
from collections.abc import Iterable
from typing import Any

from .._exceptions import InputError
from ..detect.detectors import split_words
from ..models import Action, Assessment, Finding, Mode, Option, Package
from ._options import BUILT_IN_IDS, Reassess, draft_options, flag_site
from ._wording import (
    AMOUNT,
    GRANTEE,
    IDENT,
    KIND_ASSUMPTION,
    KIND_CODES,
    KIND_WORDS,
    LANGUAGE_LABEL,
    MONEY_VERBS,
    PAYEE,
    QUESTIONS,
    ROLE,
    TITLE,
    TO,
    WHERE,
    cut,
    quote,
    show,
)

__all__ = ["ASSUMED", "MAX_OPTIONS", "complete", "draft", "prepare"]

MAX_OPTIONS = 3
"""The most options a package may hold: more is a menu, not a decision."""

ASSUMED = "[assumed by handoff] "
"""Marks the assumptions handoff makes while drafting, apart from the agent's own."""

_REASON_CHARS = 160
_MAX_REASONS = 3
_MAX_QUESTIONS = 8


def prepare(action: Action, assessment: Assessment, reassess: Reassess | None = None) -> Package:
    """The package a reviewer reads: the agent's completed, or one drafted for it.

    ``reassess`` assesses the action with other args; given, each drafted option that
    edits the args shows the level its own args are assessed at.
    """
    if action.package is not None:
        return complete(action.package, action, assessment, reassess)
    return draft(action, assessment, reassess)


def draft(action: Action, assessment: Assessment, reassess: Reassess | None = None) -> Package:
    """Draft the whole decision brief from the action and its assessment.

    ``missing`` names what the agent's context did not supply (``evidence``,
    ``assumptions``, ``confidence``); ``drafted`` is true. A revise drafts afresh for
    the new args: a brief the agent wrote about the old ones no longer holds.
    """
    brief = _Brief(action, assessment, reassess)
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


def complete(
    supplied: Package, action: Action, assessment: Assessment, reassess: Reassess | None = None
) -> Package:
    """Keep what the agent's package gives and fill what it lacks from the draft.

    Raises ``InputError`` naming ``package.options[i].id`` for an id that is repeated or
    is one of handoff's own (``BUILT_IN_IDS``), ``package.options[i].origin`` for an
    option claiming handoff wrote it, and ``package.options`` for more than
    ``MAX_OPTIONS`` options. The agent's options keep ``origin="agent"``; the ones
    topped up from the draft keep ``origin="handoff"``. ``missing`` lists what the agent
    left out; ``drafted`` is false.
    """
    _check_options(supplied.options)
    brief = _Brief(action, assessment, reassess)
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
    """Refuse what would let an agent's option pass for handoff's own or for another.

    An id equal to a built-in one (after Unicode folding, case, spaces and dashes), an
    option claiming ``origin: handoff``, a repeated id and too many options are each an
    ``InputError`` naming the field.
    """
    seen: set[str] = set()
    for i, option in enumerate(options):
        if _folded(option.id) in BUILT_IN_IDS:
            raise InputError(
                f"option id {option.id!r} is one of handoff's own "
                f"({', '.join(sorted(BUILT_IN_IDS))}); give your option another id",
                field=f"package.options[{i}].id",
            )
        if option.origin != "agent":
            raise InputError(
                "only handoff writes origin 'handoff'; leave origin out of an agent's option",
                field=f"package.options[{i}].origin",
            )
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


def _folded(oid: str) -> str:
    """``oid`` as compared with the built-in ids: ``" Approve"``, ``"send-back"`` and
    ``"re\u200bject"`` fold to built-in ids; they would read as ones to a reviewer."""
    text = unicodedata.normalize("NFKC", oid)
    kept = (ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return "".join(kept).strip().casefold().replace("-", "_").replace(" ", "_")


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


def _fields(args: dict[str, Any]) -> dict[str, str]:
    """Argument names (lower case) to their shown values: top level first, then one deeper."""
    out: dict[str, str] = {}
    nested: list[dict[str, Any]] = []
    for key, value in args.items():
        if isinstance(value, dict):
            nested.append(value)
            continue
        shown = show(value)
        if shown is not None:
            out.setdefault(key.lower(), shown)
    for inner in nested:
        for key, value in inner.items():
            shown = show(value)
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

    def __init__(
        self, action: Action, assessment: Assessment, reassess: Reassess | None = None
    ) -> None:
        self.action = action
        self.reassess = reassess
        self.assessment = assessment
        self.words = split_words(action.tool)
        self.fields = _fields(action.args)
        self.findings = _findings(assessment)
        self.codes = {f.code for f, _ in self.findings}
        self.kind = self._kind()
        self.flagged, self.flagged_text = self._flagged_wording()

    def _kind(self) -> str:
        words = set(self.words)
        for kind, vocab in KIND_WORDS:
            if words & vocab:
                return kind
        for code, kind in KIND_CODES:
            if code in self.codes:
                return kind
        return "run"

    def _flagged_wording(self) -> tuple[Finding | None, str]:
        """The first committing-language finding in the arguments, and its sentence.

        The sentence reads better than the detector's padded excerpt; the excerpt stands
        in when the sentence cannot be found again.
        """
        for f, _ in self.findings:
            if f.code in LANGUAGE_LABEL and f.where.startswith("args") and f.excerpt:
                site = flag_site(self.action.args, f)
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
            verb = next((MONEY_VERBS[w] for w in self.words if w in MONEY_VERBS), "paying")
            amount = self._part(" ", AMOUNT) or " money"
            currency = self.fields.get("currency", "").strip("'")
            if amount != " money" and currency.isalpha():
                amount += f" {currency}"
            return f"{verb}{amount}{self._part(' to ', PAYEE)}"
        if kind == "access":
            revoke = "revoke" in self.words
            role = self._part(" role ", ("role", "roles")) or self._part(" access ", ROLE)
            who = self._part(" from " if revoke else " to ", GRANTEE)
            return f"{'revoking' if revoke else 'granting'}{role or ' access'}{who}"
        if kind == "delete":
            thing = self._part(" ", IDENT + TITLE) or " the target in the arguments"
            return f"deleting{thing}"
        if kind == "send":
            thing = self._part(" ", ("subject", "title", "name", "file", "filename", "path"))
            to = self._part(" to ", TO)
            return f"sending{thing or ' a message'}{to}{self._with_flagged(thing)}"
        if kind == "publish":
            thing = self._part(" ", TITLE + IDENT) or " the content"
            return f"publishing{thing}{self._part(' to ', WHERE)}{self._with_flagged(thing)}"
        return f"running {self.action.tool}{self._part(' on ', (*TITLE, *IDENT, 'target'))}"

    def _part(self, prefix: str, names: Iterable[str]) -> str:
        """``prefix`` and the first named argument's shown value, or empty."""
        for name in names:
            if name in self.fields:
                return prefix + self.fields[name]
        return ""

    def _with_flagged(self, thing: str) -> str:
        """`` with the pricing '...'``, unless ``thing`` already quotes that very text:
        "publishing 'X' with the pricing 'X'" says nothing twice over."""
        if self.flagged is None:
            return ""
        said = quote(self.flagged_text)
        if said[1:-1].rstrip("…") in thing:
            return ""
        return f" with the {LANGUAGE_LABEL[self.flagged.code]} {said}"

    def decision(self) -> str:
        via = "" if self.kind == "run" else f" via {self.action.tool}"
        return f"Approve {self.phrase()}{via}?"

    def summary(self) -> str:
        a, act = self.assessment, self.action
        via = "" if self.kind == "run" else f" via {act.tool}"
        behalf = (
            f"on behalf of {quote(act.on_behalf_of)}"
            if act.on_behalf_of
            else "on its own initiative (no requester is named)"
        )
        parts = [f"Agent {quote(act.agent)} proposes {self.phrase()}{via}, {behalf}."]
        if act.context.instruction.strip():
            parts.append(f"The instruction it was given: {quote(act.context.instruction)}.")
        # The level alone: a tool rule can set it above what the score says, and
        # "medium (score 0.05)" would read as a contradiction.
        parts.append(f"Risk is {a.level.value}; {self._route()}.")
        reasons = a.reasons()
        if reasons:
            shown = "; ".join(cut(r, _REASON_CHARS) for r in reasons[:_MAX_REASONS])
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
        if self.kind in KIND_ASSUMPTION:
            out.append(KIND_ASSUMPTION[self.kind])
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
        x = quote(f.excerpt) if f.excerpt.strip() else "in the arguments"
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
                return f"Is this within what the user asked for ({quote(instruction)})?"
            return "Is this within what the user asked for?"
        template = QUESTIONS.get(f.code)
        if template is not None:
            if "({x})" in template and not f.excerpt.strip():
                return template.replace(" ({x})", "")
            return template.format(x=x)
        if fired and f.message.strip():
            return f"Has this been checked: {quote(f.message, _REASON_CHARS)}?"
        return None

    # -- the options ---------------------------------------------------------------

    def options(self) -> list[Option]:
        return draft_options(
            self.action,
            self.assessment,
            kind=self.kind,
            findings=[f for f, _ in self.findings],
            flagged_text=None if self.flagged is None else self.flagged_text,
            reassess=self.reassess,
        )
