"""What every detector shares: the signal it returns and a read-once view of the action.

A detector is a pure function ``(view, config) -> list[Signal]``. The view flattens the
action once (tool words, argument strings with their paths, the context texts with the
place each came from) so that ten detectors do not walk the same JSON ten times.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any, cast

from ...models import Action
from ._plain import plain

__all__ = [
    "ActionView",
    "DetectConfig",
    "Effect",
    "Signal",
    "Source",
    "arg_scalars",
    "beyond_instruction",
    "excerpt_at",
    "holds_any",
    "leaf_key",
    "literals",
    "may_hold",
    "scalars",
    "snake_key",
    "split_words",
    "strong_signal",
    "word_set",
    "wordset",
]

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_MAX_ARG_NODES = 2000
_LOW_CONFIDENCE = 0.6
_SCALARS = frozenset((str, int, float, bool, type(None)))
_MAX_SCAN = 20_000
# The second of a pair, read in C: a list comprehension is a call of its own in Python.
_SECOND = itemgetter(1)


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing a detector found, with how much it adds to each rubric factor.

    ``code`` is the trigger code; when ``trigger`` is false the signal only informs the
    factor scores and never hands the action off on its own.
    """

    code: str
    message: str
    where: str = ""
    excerpt: str = ""
    weight: float = 0.5
    impact: float = 0.0
    reversibility: float = 0.0
    uncertainty: float = 0.0
    sensitivity: float = 0.0
    trigger: bool = True


@dataclass(frozen=True, slots=True)
class DetectConfig:
    """Detector settings from the policy's free-form ``detect`` section."""

    low_confidence: float = _LOW_CONFIDENCE
    max_scan_chars: int = _MAX_SCAN
    internal_domains: tuple[str, ...] = ()

    @classmethod
    def from_policy(cls, raw: dict[str, Any]) -> DetectConfig:
        """Read known keys leniently; a value of the wrong type falls back to the default."""
        low = raw.get("low_confidence", _LOW_CONFIDENCE)
        cap = raw.get("max_scan_chars", _MAX_SCAN)
        internal = raw.get("internal_domains", ())
        return cls(
            low_confidence=float(low) if isinstance(low, int | float) else _LOW_CONFIDENCE,
            max_scan_chars=cap if isinstance(cap, int) and cap > 0 else _MAX_SCAN,
            internal_domains=tuple(str(d).lower() for d in internal)
            if isinstance(internal, list | tuple)
            else (),
        )


@dataclass(frozen=True, slots=True)
class Source:
    """A piece of context text and where it sits in the action."""

    where: str
    text: str
    kind: str  # instruction | observation | message | thought | plan


#: Where one sentence of prose ends and the next begins (or a line break).
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
#: Pattern text: up to 80 characters of one sentence, lazily ("share the Q4 sheet with";
#: a dot inside an address or a file name, "carla@mendes.com", ends no sentence).
IN_SENTENCE = r"(?:[^.;!?\n]|\.(?=\w)){0,80}?"
# Answering someone who wrote in is replying to them ("answer the customer", "answer
# her"); "answer the question" is not.
ANSWERS = (
    r"answer (?:him|her|them)"
    r"|answer (?:(?:the|this|that|his|her|their|our|my|each|every|all|any) )?"
    r"(?:customers?|clients?|callers?|visitors?|guests?|patients?|buyers?|users?|members?"
    r"|e-?mails?|messages?|chats?|tickets?|dms?|inquir(?:y|ies)|enquir(?:y|ies)|reviews?"
    r"|comments?)"
)


def _leaf_key(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0].lower()


# Where a key in camel or Pascal case turns to the next word.
_HUMPS = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_KEY_BREAKS = re.compile(r"[-\s.]+")
_SNAKE_CACHE: dict[str, str] = {}


def snake_key(key: str) -> str:
    """A key in snake case, whatever style it was written in: ``transferAmount`` ->
    ``transfer_amount``, ``AmountUSD`` -> ``amount_usd``, ``amount-cents`` ->
    ``amount_cents``; a snake-case key is itself."""
    hit = _SNAKE_CACHE.get(key)
    if hit is not None:
        return hit
    out = _KEY_BREAKS.sub("_", _HUMPS.sub("_", key)).lower()
    if len(_SNAKE_CACHE) < 8192:
        _SNAKE_CACHE[key] = out
    return out


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def leaf_key(path: str) -> str:
    """The key an argument's path ends in, in snake case (``args.items[0].unitPrice``
    -> ``unit_price``)."""
    return snake_key(path.rsplit(".", 1)[-1].split("[", 1)[0])


@dataclass(frozen=True, slots=True)
class Effect:
    """What a call does: its effect families, and whether anything placed it at all.

    ``read_only`` is true when every sign says the call only reads or computes.
    ``placed`` is false when neither the policy's words for effects, the tool's
    annotations nor its arguments say what it does.
    """

    families: frozenset[str]
    read_only: bool
    placed: bool
    why: str = ""

    def has(self, *families: str) -> bool:
        return not self.families.isdisjoint(families)


@dataclass(slots=True)
class ActionView:
    """The action flattened once for all detectors."""

    tool: str
    words: tuple[str, ...]
    args: list[tuple[str, str]]
    numbers: list[tuple[str, float]]
    keys: list[tuple[str, str]]
    instruction: str
    sources: list[Source]
    thought: str
    action: Action
    earlier_tools: list[str] = field(default_factory=list)
    # What one detector works out and others reuse (value origins, context texts).
    cache: dict[object, object] = field(default_factory=dict)
    # Set when the arguments were too large or deep to read whole.
    truncated: str = ""
    # False when the walk over the arguments stopped at its node limit: ``keys`` may
    # then miss keys that are there.
    whole: bool = True
    # The tool's words as a set (shared by every view of the same tool), and every key
    # anywhere in the arguments, lowercased.
    word_set: frozenset[str] = frozenset()
    key_set: frozenset[str] = frozenset()
    # Each argument's own key (``args.to[0]`` -> ``to``), lowercased, in the order of
    # ``args``; and each such key with the index and text of its first argument.
    leaf_keys: list[str] = field(default_factory=list)
    first_index: dict[str, tuple[int, str]] = field(default_factory=dict)
    # What ``effect_of`` found, once it has looked; read by most detectors.
    effect: Effect | None = None
    # Every argument string lowercased, in the order of ``args``; and all of them
    # joined by spaces, then lowercased.
    lowered_args: list[str] = field(default_factory=list)
    args_lower: str = ""

    def first_arg(self, keys: tuple[str, ...]) -> str | None:
        """The first string argument (in the order of ``args``) whose own key is one of
        ``keys``."""
        index = self.first_index
        if index.keys().isdisjoint(keys):
            return None
        best: tuple[int, str] | None = None
        for key in keys:
            hit = index.get(key)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
        return None if best is None else best[1]

    def arg_keys(self) -> list[str]:
        """Each argument's own key (``args.to[0]`` -> ``to``), lowercased, in the order of
        ``args``, for the detectors that look arguments up by key."""
        return self.leaf_keys

    def lowered(self) -> list[str]:
        """Every argument string lowercased, in the order of ``args``."""
        return self.lowered_args

    @classmethod
    def of(cls, action: Action, cap: int) -> ActionView:
        args: list[tuple[str, str]] = []
        numbers: list[tuple[str, float]] = []
        keys: list[tuple[str, str]] = []
        leaves: list[str] = []
        first: dict[str, tuple[int, str]] = {}
        # Keys in another naming style, as snake case (``transferAmount`` ->
        # ``transfer_amount``): the key set holds both.
        aliases: list[str] = []
        raw = action.args
        names = _ARG_NAMES
        flat = type(raw) is dict
        nodes = 0
        # The first argument cut at ``cap``, read on the raw text: folding may shorten it.
        cut = ""
        if flat:
            # The common case, a flat object, read without the walk.
            for k, value in raw.items():
                kind = type(value)
                if kind not in _SCALARS:
                    flat = False
                    break
                path, key, leaf, said, alias = names.get(k) or _arg_name(k)
                if said:
                    flat = False
                    break
                if key:
                    keys.append((path, key))
                    if alias:
                        aliases.append(alias)
                if kind is str:
                    if len(value) >= cap and not cut:
                        cut = path
                    text = plain(value[:cap])
                    if leaf not in first:
                        first[leaf] = (len(args), text)
                    args.append((path, text))
                    leaves.append(leaf)
                elif kind is int or kind is float:
                    numbers.append((path, float(value)))
        if not flat:
            args.clear()
            numbers.clear()
            keys.clear()
            leaves.clear()
            first.clear()
            aliases.clear()
            cut = ""

            def add(path: str, text: str) -> None:
                leaf = _leaf_key(path)
                if leaf not in first:
                    first[leaf] = (len(args), text)
                args.append((path, text))
                leaves.append(leaf)

            for path, k, value in _walk(raw, "args"):
                nodes += 1
                if k:
                    low = k.lower()
                    keys.append((path, low))
                    if low != k or "-" in k:
                        aliases.append(snake_key(k))
                    if _SAID_KEY.search(k) and path.endswith(k) and not path.endswith("]"):
                        # A key that reads as text (``{"rm -rf /": ""}``) is read as an
                        # argument too: a tool may run its keys as well as its values.
                        add(path, plain(k[:cap]))
                kind = type(value)
                if kind is str:
                    if len(value) >= cap and not cut:
                        cut = path
                    add(path, plain(value[:cap]))
                elif kind is int or kind is float:
                    numbers.append((path, float(value)))
        texts = list(map(_SECOND, args))
        truncated = _truncation(raw, cut)
        if not flat and nodes >= _MAX_ARG_NODES:
            truncated = truncated or "args"
        words, tool_set = tool_words(action.tool)
        ctx = action.context
        sources: list[Source] = []
        tools: list[str] = []
        for i, step in enumerate(ctx.steps):
            base = f"context.steps[{i}]"
            if step.tool:
                tools.append(step.tool)
            if step.thought:
                origin = "thought" if step.tool else "plan"
                sources.append(Source(f"{base}.thought", plain(step.thought[:cap]), origin))
            for j, msg in enumerate(step.messages):
                if msg.content:
                    sources.append(
                        Source(f"{base}.messages[{j}]", plain(msg.content[:cap]), "message")
                    )
            if step.observation:
                sources.append(
                    Source(f"{base}.observation", plain(step.observation[:cap]), "observation")
                )
        for j, msg in enumerate(ctx.messages):
            if msg.content:
                sources.append(
                    Source(f"context.messages[{j}]", plain(msg.content[:cap]), "message")
                )
        # Every field, in declaration order: positional arguments cost half what twenty
        # keywords do, on every assessment.
        return cls(
            action.tool,  # tool
            words,
            args,
            numbers,
            keys,
            plain(ctx.instruction[:cap]),  # instruction
            sources,
            plain(ctx.thought[:cap]),  # thought
            action,
            tools,  # earlier_tools
            {},  # cache
            truncated,
            flat or nodes < _MAX_ARG_NODES,  # whole
            tool_set,  # word_set
            frozenset(map(_SECOND, keys)).union(aliases),  # key_set
            leaves,  # leaf_keys
            first,  # first_index
            None,  # effect
            list(map(str.lower, texts)),  # lowered_args
            " ".join(texts).lower(),  # args_lower
        )


def _truncation(raw: dict[str, Any], cut: str) -> str:
    """Where the arguments could not be read whole (``cut``: the first argument cut at
    the cap), or ""."""
    if (len(raw) == 1 and "_raw" in raw) if type(raw) is dict else set(raw) == {"_raw"}:
        return "args._raw"
    return cut


_ARG_NAMES: dict[str, tuple[str, str, str, bool, str]] = {}
# A key that holds a space or a shell's operators is text, not a name.
_SAID_KEY = re.compile(r"[\s;|&$<>`(]")


def _arg_name(key: Any) -> tuple[str, str, str, bool, str]:
    """The path of a top-level argument, its key lowercased, its leaf key (as
    ``_leaf_key`` reads the path), whether the key reads as text rather than a name,
    and the key in snake case when that is another key (``transferAmount``), else "";
    argument names recur."""
    hit = _ARG_NAMES.get(key) if type(key) is str else None
    if hit is not None:
        return hit
    path = f"args.{key}"
    name = str(key)
    low = name.lower()
    alias = snake_key(name) if low != name or "-" in name else ""
    alias = "" if alias == low else alias
    out = path, low, _leaf_key(path), _SAID_KEY.search(name) is not None, alias
    if type(key) is str and len(_ARG_NAMES) < 8192:
        _ARG_NAMES[key] = out
    return out


def _walk(value: Any, path: str, key: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every node of a JSON value as (path, key it sits under, value), size-limited."""
    stack: list[tuple[str, str, Any]] = [(path, key, value)]
    seen = 0
    while stack and seen < _MAX_ARG_NODES:
        p, k, v = stack.pop()
        seen += 1
        yield p, k, v
        if isinstance(v, dict):
            stack.extend((f"{p}.{ck}", str(ck), cv) for ck, cv in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((f"{p}[{i}]", k, cv) for i, cv in reversed(list(enumerate(v))))


_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}
_TOOL_CACHE: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
_SEPARATORS = re.compile(r"[._\-\s/:]+")


def split_words(name: str) -> tuple[str, ...]:
    """``BinanceWithdraw`` -> (binance, withdraw); ``iam.grant_role`` -> (iam, grant, role)."""
    hit = _SPLIT_CACHE.get(name)
    if hit is not None:
        return hit
    out: list[str] = []
    for part in _SEPARATORS.split(name):
        if part:
            out.extend(w.lower() for w in _CAMEL.findall(part))
    words = tuple(out)
    if len(_SPLIT_CACHE) < 8192:
        _SPLIT_CACHE[name] = words
    return words


def word_set(name: str) -> frozenset[str]:
    """``split_words(name)`` as a set, kept per name: tool names recur."""
    return tool_words(name)[1]


def tool_words(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """``split_words(name)`` and the same words as a set, kept per name."""
    hit = _TOOL_CACHE.get(name)
    if hit is not None:
        return hit
    words = split_words(name)
    out = words, frozenset(words)
    if len(_TOOL_CACHE) < 8192:
        _TOOL_CACHE[name] = out
    return out


def excerpt_at(text: str, start: int, end: int, pad: int = 0) -> tuple[str, str]:
    """The ``[start:end]`` slice suffix for a ``where`` and the excerpt itself, trimmed.

    Both ends are widened to the nearest whitespace (at most ``_WORD_REACH`` characters
    further), so an excerpt never starts or stops inside a word: ``9/seat/month`` cut
    out of ``$29/seat/month`` reads as a different price. A long excerpt is cut back to
    a word boundary too.
    """
    s = max(0, start - pad)
    e = min(len(text), end + pad)
    reach = max(0, s - _WORD_REACH)
    while s > reach and not text[s - 1].isspace():
        s -= 1
    reach = min(len(text), e + _WORD_REACH)
    while e < reach and not text[e].isspace():
        e += 1
    snippet = text[s:e]
    if len(snippet) > 160:
        head = snippet[:157]
        gap = max(head.rfind(" "), head.rfind("\n"))
        snippet = (head[:gap] if gap > 80 else head) + "..."
    return f"[{s}:{e}]", " ".join(snippet.split())


#: How far an excerpt may widen to reach a word boundary; a longer token is cut.
_WORD_REACH = 40


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only when no case-insensitive match in ``text`` can hold any of ``words``
    (lowercase ASCII): a cheap first look before a case-insensitive pattern every match
    of which holds one of them.

    ``text.lower()`` is searched for the words. That misses nothing except where the
    pattern matches an ASCII letter to a character ``lower()`` does not turn into that
    letter alone: dotted and dotless I and long S, the only three (tests check every
    character), whose presence answers True.
    """
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        return True
    return holds_any(text.lower(), words)


def holds_any(low: str, words: tuple[str, ...]) -> bool:
    """Whether ``low`` holds any of ``words``: what ``literals(words).search(low)`` says,
    for a fraction of its cost. The regex engine tries every alternative at nearly every
    position of the text; ``in`` looks for one word at a time and skips ahead."""
    # A loop, not any() over a generator: half the cost, on every assessment.
    for word in words:  # noqa: SIM110
        if word in low:
            return True
    return False


def literals(words: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern any of ``words`` matches (as written: no case folding), for the
    tests that check a tuple of hints against the full pattern it stands in for."""
    return re.compile("|".join(map(re.escape, words)))


def wordset(text: str) -> frozenset[str]:
    """A vocabulary from a space-separated string (easier to read and edit than a list)."""
    return frozenset(text.split())


def signal_at(
    code: str,
    message: str,
    path: str,
    text: str,
    m: re.Match[str],
    *,
    weight: float,
    impact: float,
    reversibility: float,
    sensitivity: float,
) -> Signal:
    """A signal pointing at what ``m`` matched in the argument ``path`` (whose text is
    ``text``), with a little context either side as the excerpt."""
    span, ex = excerpt_at(text, m.start(), m.end(), pad=20)
    return Signal(
        code,
        message,
        where=f"{path}{span}",
        excerpt=ex,
        weight=weight,
        impact=impact,
        reversibility=reversibility,
        sensitivity=sensitivity,
    )


def strong_signal(code: str, message: str, where: str, excerpt: str) -> Signal:
    """A signal with the weights the access and safeguard rules share (someone gains
    access, a check that kept people out stops checking, mail leaves on its own)."""
    return Signal(
        code,
        message,
        where=where,
        excerpt=excerpt[:120],
        weight=0.85,
        impact=0.8,
        reversibility=0.5,
        sensitivity=0.8,
    )


def beyond_instruction(message: str, tool: str) -> Signal:
    """``scope.beyond_instruction``: the call does something the request did not ask for."""
    return Signal(
        "scope.beyond_instruction",
        message,
        where="tool",
        excerpt=tool,
        weight=0.75,
        impact=0.4,
        uncertainty=0.7,
        sensitivity=0.5,
    )


_MAX_SCALARS = 300


def arg_scalars(view: ActionView) -> tuple[tuple[str, str, Any], ...]:
    """``scalars`` of the call's arguments, worked out once per call: the controls and
    the grants rules read them several times."""
    hit = view.cache.get("scalars")
    if hit is None:
        hit = view.cache["scalars"] = tuple(scalars(view.action.args))
    return cast(tuple[tuple[str, str, Any], ...], hit)


def scalars(value: Any, path: str = "args") -> list[tuple[str, str, Any]]:
    """(path, key, scalar) of the first scalars under ``value``, keys as written."""
    out: list[tuple[str, str, Any]] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and len(out) < _MAX_SCALARS:
        p, v = stack.pop()
        if isinstance(v, dict):
            for k, cv in v.items():
                if isinstance(cv, dict | list):
                    stack.append((f"{p}.{k}", cv))
                else:
                    out.append((f"{p}.{k}", str(k), cv))
        elif isinstance(v, list):
            stack.extend((f"{p}[{i}]", cv) for i, cv in enumerate(v[:50]))
    return out
