"""Prompt injection: acting on instructions that did not come from the person asking.

Three patterns, strongest first:

* ``injection.followed`` — the proposed tool is the one named by text that reads like
  an injected instruction ("ignore previous instructions", "you must use the X tool",
  or any sentence of a tool's output that tells its reader what to do) found in a
  tool's output, a message that arrived mid-run, the agent's own plan, or a part of the
  instruction that follows such a phrase.
* ``injection.complied`` — an earlier tool output carried such an instruction naming a
  tool, and the run shows that tool has since been used: the run is compromised.
* ``scope.beyond_instruction`` — the action moves money, destroys data, changes access
  or sends data out, and the request never asked for anything of that kind.

Text after an injected phrase never counts as what the person asked for.
"""

from __future__ import annotations

import re

from ._base import (
    ANSWERS,
    IN_SENTENCE,
    ActionView,
    DetectConfig,
    Signal,
    Source,
    beyond_instruction,
    excerpt_at,
    may_hold,
    split_words,
    wordset,
)
from ._corrections import changed_amount
from ._effects import answers_the_person, effect_of
from ._errand import person_text, unasked_approval, unasked_change, unsent
from ._orders import instruction_like
from ._prohibitions import forbidden, person_turns
from ._provenance import said_by_person
from ._queries import writes_sql
from ._sense import halts, sense, tool_sense
from ._subject import subject_signal

__all__ = ["detect_injection", "user_request"]

# Phrases that address the agent as if they were its principal. Strong ones are enough
# on their own, even inside the instruction; weak ones only count outside it.
_STRONG = re.compile(
    r"ignore (?:all |any )?(?:of )?(?:the |your )?(?:previous|prior|above|earlier|preceding)"
    r" (?:instructions?|prompts?|rules|directions|tasks?)"
    r"|disregard (?:all |any )?(?:the |your )?(?:previous|prior|above|earlier) "
    r"|new (?:system )?instructions?:"
    r"|system override",
    re.IGNORECASE,
)
_WEAK = re.compile(
    r"(?:it is|it's) (?:very |extremely |really )?(?:important|crucial|essential|vital) that"
    r"|you (?:must|should|need to|have to) (?:now |immediately |first |also )?"
    r"(?:use|call|run|invoke) (?:the )?",
    re.IGNORECASE,
)
_NAMED_TOOL = re.compile(
    r"(?:\[|\"|'|`)([A-Za-z_][\w.\-]{2,80})(?:\]|\"|'|`)\s*tool"
    r"|(?:use|using|call|calling|invoke|run) (?:the )?([A-Za-z_][\w.\-]{2,80}) tool",
    re.IGNORECASE,
)
_ASK_VERBS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"\b(pay|payment|transfer|send money|wire|purchase|buy|sell|trade|withdraw|refund|"
        r"invoice|deposit|donat\w*|bitcoin|crypto|book|order(?! (?:of|to|by|status|number|id)\b)"
        r"|bills?\b|rent\b|standing order|direct debit|scheduled (?:payment|transaction|transfer))"
        r"|[$\u20ac\u00a3]\s?\d",
        re.IGNORECASE,
    ),
    "destroy": re.compile(
        r"\b(delete|remove|forget|clean ?up|wipe|erase|reset|drop|purge|overwrite|uninstall|empty|"
        r"get rid of|"
        r"shut ?down|cancel|stop|kill|deactivat\w*|suspend|disable|offboard|close)",
        re.IGNORECASE,
    ),
    "access": re.compile(
        r"\b(access|grant|permission|role|admin|unlock|lock|password|credential|invite|"
        r"share\b"
        + IN_SENTENCE
        + r"\bwith\b|add (?:\S+ ){1,3}?(?:to|as)\b|deactivat\w*|suspend|disable|offboard|ban\b"
        r"|(?:close|shut|open)\s+(?:\S+\s+){0,2}?(?:door|doors|gate|garage|account|accounts)\b)",
        re.IGNORECASE,
    ),
    # Verbs, not nouns: "summarise my email" asks for nothing to be sent.
    "outward": re.compile(
        r"\b(send|share|forward|post|publish|upload|export|reply|respond|tweet|submit|comment|"
        r"schedul\w*|(?:give|grant)\b" + IN_SENTENCE + r"\baccess\b|unsubscrib\w*|opt (?:me )?out|"
        r"approve|leave (?:a |an |the )?(?:comment|review|note|reply|feedback|lgtm)\b|lgtm|"
        r"notify|contact|invite|inform|ping|announce|remind|let [#@]?[\w-]+ know|"
        r"give [#@]?\w+ an? (?:heads[- ]?up|shout|nudge|note)\b|heads[- ]?up to|"
        r"drop \w+ a (?:line|note)\b|loop [#@]?\w+ in\b|"
        r"tell (?!me\b|us\b)[#@]?\w+|ask (?!me\b|us\b|you\b|for\b|about\b|if\b|whether\b)[#@]?\w+|"
        r"(?:e-?mail|message|text|dm) (?:it|them|this|that|him|her|me|us|the|a|an|to|back)\b"
        r"|(?:e-?mail|message|text|dm) [\w.+-]+@[\w-]+|^\W*(?:e-?mail|message|text|dm)\b"
        r"|" + ANSWERS + r")",
        re.IGNORECASE,
    ),
}
# The patterns are written in lowercase: without IGNORECASE they match lowercased text.
_ASK_VERBS_LOW = {k: re.compile(rx.pattern) for k, rx in _ASK_VERBS.items()}
_WINDOW_AFTER = 300
_GENERIC = wordset("tool tools api app the and for with new")
# Compound names only (CamelCase or snake_case): prose words are not tools.
_IDENTIFIER = re.compile(r"\b[A-Za-z][a-z0-9]*(?:_[A-Za-z0-9]+|[A-Z][a-z0-9]+)+\b")


def user_request(view: ActionView) -> str:
    """What the person asked for: the instruction up to the first injected phrase."""
    text = view.instruction
    if text.isascii():
        # ASCII folds case exactly as lower() does, so the case-folded markers (kept
        # per text: every step of a run rereads the instruction) start where the
        # case-insensitive search would find the first one.
        spans = _marker_spans(text, False)
        return text[: spans[0][0]] if spans else text
    m = _STRONG.search(text)
    return text[: m.start()] if m else text


def detect_injection(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for injected instructions and for acting beyond the request."""
    out: list[Signal] = []
    if not (view.instruction or view.thought or view.sources):
        # No text to have been injected into, and no request to go beyond.
        return out
    tool_low = view.tool.lower()
    followed = _followed(view, tool_low) or _followed_in_words(view)
    if followed is not None:
        out.append(followed)
    else:
        complied = _complied(view, tool_low)
        if complied is not None:
            out.append(complied)
    out.extend(_harmful_plan(view))
    asked = user_request(view)
    reads = effect_of(view).read_only and not writes_sql(view)
    turns = () if reads or not asked else person_turns(view, asked)
    scope = (
        (turns and (forbidden(view, turns) or changed_amount(view, turns)))
        or _scope(view)
        or unasked_change(view, asked)
        or unasked_approval(view, asked)
    )
    if scope is not None:
        out.append(scope)
    return out


def _harmful_plan(view: ActionView) -> list[Signal]:
    """The agent's own plan names a tool whose name says it does harm or cheats."""
    plans = [s for s in view.sources if s.kind in ("plan", "thought")]
    if view.thought:
        plans.append(Source("context.thought", view.thought, "thought"))
    for src in plans:
        for m in _IDENTIFIER.finditer(src.text):
            name = m.group(0)
            if name.lower() == view.tool.lower():
                continue
            words = split_words(name)
            sensed = sense(words)
            if not (sensed.harm or sensed.fraud):
                continue
            span, ex = excerpt_at(src.text, m.start(), m.end(), pad=40)
            code, what = (
                ("plan.harmful", "attacks systems or data")
                if sensed.harm
                else ("plan.fraud", "cheats people out of money or trust")
            )
            out = [
                Signal(
                    code,
                    f"The agent's plan includes {name}, a tool whose name says it {what}; "
                    "the call that runs it is the one to stop",
                    where=f"{src.where}{span}",
                    excerpt=ex,
                    weight=0.65,
                    uncertainty=0.6,
                    sensitivity=0.5,
                    # A plan that names a harmful tool but never calls it harms nobody.
                    trigger=False,
                )
            ]
            hint = subject_signal(name, words, 0.3)
            if hint is not None and not sensed.harm:
                out.append(hint)
            return out
    return []


# Every strong or weak marker contains one of these; texts without any skip the regexes.
_HINT_WORDS = (
    "ignore",
    "disregard",
    "important",
    "instruction",
    "override",
    "crucial",
    "essential",
    "vital",
    "must",
    "should",
    "need to",
    "have to",
)
_STRONG_LOW = re.compile(_STRONG.pattern)
_WEAK_LOW = re.compile(_WEAK.pattern)
_MARKER_CACHE: dict[tuple[str, bool], list[tuple[int, int]]] = {}


def _marker_spans(text: str, weak: bool) -> list[tuple[int, int]]:
    """(start, end) of every injection marker in ``text``; cached, since every step of a
    run rereads the same instruction and outputs."""
    key = (text, weak)
    hit = _MARKER_CACHE.get(key)
    if hit is not None:
        return hit
    low = text.lower()
    spans: list[tuple[int, int]] = []
    if any(w in low for w in _HINT_WORDS):
        # Case-folded text and patterns: the same spans, without IGNORECASE's cost.
        spans = [m.span() for m in _STRONG_LOW.finditer(low)]
        if weak:
            spans.extend(m.span() for m in _WEAK_LOW.finditer(low))
    if weak:
        spans.extend(_instruction_spans(text))
    if len(_MARKER_CACHE) >= 512:
        _MARKER_CACHE.pop(next(iter(_MARKER_CACHE)))
    _MARKER_CACHE[key] = spans
    return spans


_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)|\n+")


def _instruction_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of someone else's text that tell the reader what to do."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() + 1
        if end - start >= 12 and instruction_like(text[start:end]):
            out.append((start, end))
        start = m.end()
    if len(text) - start >= 12 and instruction_like(text[start:]):
        out.append((start, len(text)))
    return out[:20]


def _markers(src: Source) -> list[tuple[int, int]]:
    return _marker_spans(src.text, src.kind != "instruction")


def _followed(view: ActionView, tool_low: str) -> Signal | None:
    # Latest first: the thought, then the run's texts backwards, the instruction last.
    if view.thought:
        hit = _followed_in(view, Source("context.thought", view.thought, "thought"), tool_low)
        if hit is not None:
            return hit
    for src in reversed(view.sources):
        hit = _followed_in(view, src, tool_low)
        if hit is not None:
            return hit
    if tool_low not in view.instruction.lower():
        return None
    return _followed_in(
        view, Source("context.instruction", view.instruction, "instruction"), tool_low
    )


def _followed_in(view: ActionView, src: Source, tool_low: str) -> Signal | None:
    if tool_low not in src.text.lower():
        return None
    for start, end in _markers(src):
        window = src.text[start : end + _WINDOW_AFTER]
        named = next((n for n in _NAMED_TOOL.finditer(window) if _demanded(n) == tool_low), None)
        if named is None or _repeats_instruction(view, src, src.text[start:end]):
            continue
        span, ex = excerpt_at(src.text, start, start + named.end())
        origin = {
            "instruction": "an injected passage of the instruction",
            "observation": "a tool's output",
            "message": "a message that arrived mid-run",
            "plan": "the agent's plan, echoing an injected passage",
            "thought": "the agent's reasoning, echoing an injected passage",
        }[src.kind]
        return Signal(
            "injection.followed",
            f"The agent is calling {view.tool} because {origin} told it to, "
            "not because the person asked for it",
            where=f"{src.where}{span}",
            excerpt=ex,
            weight=0.95,
            impact=0.5,
            uncertainty=0.9,
            sensitivity=0.8,
        )
    return None


def _followed_in_words(view: ActionView) -> Signal | None:
    """An injected passage asks, in plain words, for what this tool does ("send the code
    to ..." before ``send_email``); only for tools that act on the world."""
    s = tool_sense(view.tool)
    if not (s.money or s.destroy or s.access or s.outward or s.public or s.code):
        return None
    if effect_of(view).read_only:
        # A terminal asked to delete that only lists a folder did not do what was asked.
        return None
    needed = [w for w in view.words if len(w) > 2 and w not in _GENERIC]
    if not needed:
        return None
    for src in view.sources:
        if src.kind not in ("observation", "message"):
            continue
        if src.kind == "message" and said_by_person(view, src.where):
            continue  # the person's own turn asks for what they want
        for start, end in _markers(src):
            window = src.text[start : end + _WINDOW_AFTER].lower()
            if all(re.search(rf"\b{re.escape(w)}", window) for w in needed):
                span, ex = excerpt_at(src.text, start, min(len(src.text), end + 120))
                return Signal(
                    "injection.followed",
                    f"An injected passage in {src.where.split('[')[0].rsplit('.', 1)[-1]} "
                    f"asks for what {view.tool} does; the person never asked for it",
                    where=f"{src.where}{span}",
                    excerpt=ex,
                    weight=0.85,
                    impact=0.5,
                    uncertainty=0.8,
                    sensitivity=0.7,
                )
    return None


def _repeats_instruction(view: ActionView, src: Source, sentence: str) -> bool:
    """A tool's output that quotes the person's own instruction (the agent read its task
    file) carries the person's words, not someone else's."""
    if src.kind == "instruction":
        return False
    # Without what a file viewer puts before a line (``1\t``, ``> ``).
    said = " ".join(sentence.split()).lower().lstrip("0123456789>|:.-*# \t")
    return len(said) >= 12 and said in " ".join(view.instruction.split()).lower()


def _demanded(m: re.Match[str]) -> str:
    return (m.group(1) or m.group(2)).lower()


def _without_directives(text: str) -> str:
    """``text`` lowercased with every "use the X tool" phrase blanked out."""
    return _NAMED_TOOL.sub(" ", text).lower()


def _is_name(low: str, pos: int, n: int) -> bool:
    """True when the match is the whole tool name, not part of a longer word."""
    before = low[pos - 1] if pos > 0 else " "
    after = low[pos + n] if pos + n < len(low) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


# Every strong marker holds one of these words, whatever its case.
_STRONG_WORDS = ("ignore", "disregard", "instruction", "override")


def _strong_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every strong marker in ``text``: for ASCII text the case-folded
    spans ``_marker_spans`` keeps (the same spans, as in ``user_request``), else the
    case-insensitive pattern's, where it may hold one of the markers' words."""
    if text.isascii():
        return _marker_spans(text, False)
    if not may_hold(text, _STRONG_WORDS):
        return []
    return [m.span() for m in _STRONG.finditer(text)]


def _complied(view: ActionView, tool_low: str) -> Signal | None:
    outputs = [s for s in view.sources if s.kind == "observation"]
    for i, src in enumerate(outputs):
        for start, end in _strong_spans(src.text):
            named = _NAMED_TOOL.search(src.text, start, end + _WINDOW_AFTER)
            if named is None:
                continue
            demanded = _demanded(named)
            if demanded == tool_low:
                continue
            # The demanded tool shows up again outside any directive: it has been run.
            later = [src.text[named.end() :], *(o.text for o in outputs[i + 1 :])]
            ran = any(demanded in _without_directives(t) for t in later)
            ran = ran or demanded in (t.lower() for t in view.earlier_tools)
            if not ran:
                continue
            span, ex = excerpt_at(src.text, start, named.end())
            return Signal(
                "injection.complied",
                f"An earlier tool output told the agent to use {named.group(1) or named.group(2)}"
                ", and the run shows that tool has since been used; the run is compromised",
                where=f"{src.where}{span}",
                excerpt=ex,
                weight=0.8,
                impact=0.4,
                uncertainty=0.8,
                sensitivity=0.6,
            )
    return None


def _scope(view: ActionView) -> Signal | None:
    s = tool_sense(view.tool)
    if not (s.money or s.destroy or s.access or s.outward or s.public):
        return None
    if answers_the_person(view):
        return None  # ``reply_to_user``: the agent answering the person asking
    kinds = [
        k
        for k, on in (
            ("money", s.money),
            ("destroy", s.destroy),
            ("access", s.access),
            # A draft is written, not sent (``draft_reply``, ``draft_post``); a draft
            # sent is sent (``gmail.send_draft``).
            ("outward", (s.outward or s.public) and not s.draft and not halts(view)),
        )
        if on
    ]
    if not kinds:
        return None
    asked = user_request(view)
    if not asked.strip():
        return None
    low = person_text(view, asked)
    if view.tool.lower() in low or " ".join(view.words) in low:
        return None
    # What the person says not to send, or asks only to draft, is no send asked for.
    texts = {k: unsent(low) if k == "outward" else low for k in kinds}
    if low.isascii():
        # The same answer as the case-insensitive patterns, at a fraction of the cost.
        missing = [k for k in kinds if not _ASK_VERBS_LOW[k].search(texts[k])]
    else:
        missing = [k for k in kinds if not _ASK_VERBS[k].search(texts[k])]
    if missing == ["outward"] and (_stores_as_asked(view, low) or _kept_at_home(view)):
        return None
    if len(missing) < len(kinds):
        return None
    what = {
        "money": "move money",
        "destroy": "delete or overwrite anything",
        "access": "change anyone's access",
        "outward": "send or publish anything",
    }
    return beyond_instruction(
        f"The request never asked to {what[missing[0]]}, yet {view.tool} would", view.tool
    )


# Where a person keeps their own files: an upload there stores, it sends to nobody.
_STORAGE = wordset(
    "drive gdrive onedrive dropbox box sharepoint files file storage folder folders docs"
)
_STORES = wordset("upload save put store copy")
_STORE_ASKED = re.compile(
    r"\b(?:save|store|put|keep|file|back ?up|copy|move|add)\b[^.;!?\n]{0,80}?"
    r"\b(?:to|in|into|under|onto)\b"
)


# Where an export or a download writes its file, and the places that are the person's own.
_SAVE_KEYS = frozenset(
    ("save_to", "path", "folder", "output", "output_path", "filename", "file", "file_path",
     "save_path", "directory", "dir")
)  # fmt: skip
_OWN_PLACE = re.compile(r"^(?:~/|\./|/home/|/users/|my[ _-]?drive\b|my[ _-]?documents\b|[\w. -]+$)")
_EXPORTS = wordset("export download save")


def _kept_at_home(view: ActionView) -> bool:
    """An export or a download written to a file in the person's own place (``my_drive/
    DOT_audit``, ``~/reports/q3.pdf``) and to nobody: no address, link, recipient or
    sharing argument."""
    if view.word_set.isdisjoint(_EXPORTS) or "share" in view.word_set:
        return False
    kept = False
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if "@" in low or "://" in low:
            return False
        if key in _SAVE_KEYS:
            if not _OWN_PLACE.match(low.strip()):
                return False
            kept = True
    return kept and view.key_set.isdisjoint(("to", "recipients", "share_with", "email", "emails"))


def _stores_as_asked(view: ActionView, low: str) -> bool:
    """An upload into the person's own storage, which they asked to save something to
    ("save it to /Legal/NDAs"): it sends to nobody. A sharing argument makes it a send."""
    ws = view.word_set
    if ws.isdisjoint(_STORAGE) or ws.isdisjoint(_STORES) or "share" in ws:
        return False
    if any(k in view.key_set for k in ("share_with", "recipients", "to", "email", "emails")):
        return False
    return _STORE_ASKED.search(low) is not None
