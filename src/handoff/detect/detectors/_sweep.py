"""A sweep: a change whose selector means every record.

``tickets.update {"ticket_ids": "*"}``, ``users.update {"filter": "all"}``,
``invoices.mark_paid {"select_all": true}``: whatever the tool is called, a call that
changes, deletes, grants or pays, and picks its records with a value that means
all of them, reaches every record it can. Unless the person asked for all of them ("all",
"every", "each", "entire" in the request or a later turn), that goes beyond a request
that named one, and fires ``scope.beyond_instruction``.

Not a sweep: a wildcard under a key that picks fields rather than records (``fields``,
``columns``, ``select``), one under a read, and a flag set to false.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, DetectConfig, Signal, beyond_instruction, split_words, wordset
from ._effects import FIRST_READS, effect_of
from ._errand import person_text
from ._sense import operation_start

__all__ = ["detect_sweep"]

_EVERY = frozenset(
    ("*", "%", "*:*", "all", "every", "everyone", "everybody", "everything", "any", "all records")
)
_LONGEST = max(map(len, _EVERY))
# Keys that pick which fields, not which records, or say how, not which.
_NOT_RECORDS = wordset(
    "field fields column columns select include expand properties attributes projection "
    "format type kind mode level verbosity fmt output sort "
    # Whom a message goes to: a crowd, which the reach rules read.
    "list lists audience recipient recipients to cc bcc segment channel channels "
    # Whom a change notifies (``sendUpdates: all``), not what it changes.
    "updates notify notification notifications"
)
_FLAGS = re.compile(r"^(?:select_?all|apply_?to_?all|all|all_\w+|every\w*|everyone|update_?all)$")
# A send to "all" is a crowd, which the reach rules read.
_FAMILIES = ("change", "destroy", "money", "access", "dispatch")
_ASKED_ALL = re.compile(r"\b(?:all|every|each|everyone|everybody|everything|entire|whole|bulk)\b")


def detect_sweep(view: ActionView, config: DetectConfig) -> list[Signal]:
    hit = _selector(view)
    if hit is None:
        return _by_part(view) or _extra_ids(view)
    effect = effect_of(view)
    if effect.read_only or not effect.has(*_FAMILIES) or "draft" in view.word_set:
        return []
    if _ASKED_ALL.search(person_text(view, view.instruction)):
        return []
    where, value = hit
    return [
        beyond_instruction(
            (
                f"{view.tool} acts on every record its name says"
                if where == "tool"
                else f"{view.tool} picks its records with {where.removeprefix('args.')}={value!s}"
            )
            + ": it reaches every record, and the request named no such sweep",
            view.tool,
        )
    ]


# A selector that matches by part of a value (``provider_name_contains: "Lee"``): on a
# write it reaches every record whose value merely holds the part.
_PARTIAL = wordset("contains contain like matches match startswith endswith prefix substring")
_ASKED_PART = re.compile(
    r"\b(?:contain\w*|start\w* with|begin\w* with|end\w* with|match\w*"
    r"|whose \w+ (?:has|have|includes?)|with \S+ (?:anywhere )?in (?:the|their|its) names?)\b"
)


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _partial_key(key: str) -> bool:
    return not _PARTIAL.isdisjoint(split_words(key))


_EVERY_SAID = re.compile(r"\b(?:every|everyone|everybody|all|any|each)\b")
# Tools that define a filter or a rule: a partial match there is what the rule does.
_RULE_MADE = wordset("filter filters rule rules alert alerts segment segments view views")
# Selectors by a name's start or end: a branch prefix, a mail domain.
_ENDS_KEY = wordset("prefix startswith endswith")


def _class_said(view: ActionView, value: str) -> bool:
    """The person's words hold the prefix or the domain itself ("the dependabot
    branches", "their emails are @globex.com")."""
    core = value.strip().strip("/@.*%")
    return len(core) >= 3 and core in person_text(view, view.instruction)


def _by_part(view: ActionView) -> list[Signal]:
    """``scope.beyond_instruction`` for a write that picks its records by part of a
    value, unless the person asked for that match."""
    keyed = any(map(_partial_key, view.key_set))
    operated = not view.key_set.isdisjoint(_OPERATOR_KEYS)
    if not (keyed or operated) or not _RULE_MADE.isdisjoint(view.word_set):
        return []  # no partial selector; or a filter or rule defined, not records picked
    picks = _operated(view) if operated else []
    if keyed:
        picks.extend(
            (path, low, key)
            for path, low, key in zip(
                map(_first, view.args), view.lowered_args, view.leaf_keys, strict=True
            )
            if _partial_key(key)
        )
    for path, low, key in picks:
        if not low.strip() or "=" in low:
            continue  # an exact selector (``app=checkout``) picks no part
        if _ENDS_KEY.isdisjoint(split_words(key)) is False and _class_said(view, low):
            continue  # a prefix or a domain the person named for a class of records
        if (
            key == "contains"
            and _class_said(view, low)
            and _EVERY_SAID.search(person_text(view, view.instruction))
        ):
            continue  # "every deal tagged q3-promo": the token names the class they asked for
        effect = effect_of(view)
        if effect.read_only or not effect.has(*_FAMILIES):
            return []
        if _ASKED_PART.search(person_text(view, view.instruction)):
            return []
        return [
            beyond_instruction(
                f"{view.tool} picks its records by part of a value "
                f"({path.removeprefix('args.')}={low.strip()!r}): it also reaches every "
                "record that merely holds it, which the request never named",
                view.tool,
            )
        ]
    return []


# A filter written as a property, an operator and a value (``{"operator":
# "CONTAINS_TOKEN", "value": "Lee"}``): the operator says the value is only a part.
_OPERATOR_KEYS = frozenset(
    ("operator", "op", "match", "match_type", "matchtype", "comparison", "comparator",
     "condition", "operation", "comparison_operator")
)  # fmt: skip
_PARTIAL_OPS = frozenset(("like", "ilike", "~", "=~", "~*", "^", "starts_with", "begins_with"))
# Where such a filter writes the part it compares.
_COMPARED_KEYS = frozenset(("value", "values", "compare_value", "query", "term", "text"))


def _operated(view: ActionView) -> list[tuple[str, str, str]]:
    """(path, value, key) of each value a partial operator beside it compares."""
    ops = [
        path.rsplit(".", 1)[0]
        for (path, _), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True)
        if key in _OPERATOR_KEYS and (low.strip() in _PARTIAL_OPS or _partial_key(low.strip()[:40]))
    ]
    if not ops:
        return []
    return [
        (path, low, "contains")
        for (path, _), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True)
        if key in _COMPARED_KEYS and path.rsplit(".", 1)[0] in ops
    ]


# A list of the records a write acts on, by their ids (``ids``, ``ticket_ids``).
_IDS_KEY = re.compile(r"(?:^|_)ids$|^ids?_list$")


def _extra_ids(view: ActionView) -> list[Signal]:
    """``scope.beyond_instruction`` for a write on a list of ids of which the person
    named some and not the rest ("Close out 5530" and ``ids: [5530, 5541, 5562]``),
    unless they asked for more than the ones they named ("and the rest", "all of")."""
    lists: dict[str, list[str]] = {}
    for path, text in view.args:
        leaf = path.rpartition(".")[2].split("[", 1)[0]
        if _ids_key(leaf):
            # A list, or one string of ids set apart by commas ("5530,5541").
            values = text.split(",") if "[" not in path.rpartition(".")[2] else [text]
            lists.setdefault(path.split("[", 1)[0], []).extend(v.strip().lower() for v in values)
    for path, n in view.numbers:
        leaf = path.rpartition(".")[2].split("[", 1)[0]
        if "[" in path and _ids_key(leaf) and n == int(n):
            lists.setdefault(path.split("[", 1)[0], []).append(f"{n:g}")
    lists = {k: v for k, v in lists.items() if len(v) >= 2}
    if not lists:
        return []
    effect = effect_of(view)
    if effect.read_only or not effect.has(*_FAMILIES):
        return []
    said = person_text(view, view.instruction)
    if any(
        (_ASKED_ALL.search(s) or _ASKED_MORE.search(s)) and not _HOLDS_BACK.search(s)
        for s in re.split(r"[.!?;\n]+", said)
    ):
        return []  # "and the rest", "all of them", where no "leave" or "don't" says not
    for path, values in lists.items():
        named = [v for v in values if re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", said)]
        rest = [v for v in values if v not in named]
        if named and rest:
            return [
                beyond_instruction(
                    f"{view.tool} acts on {len(values)} records ({path.removeprefix('args.')}), "
                    f"where the person named {', '.join(named[:3])}; {', '.join(rest[:3])} "
                    "they never named",
                    view.tool,
                )
            ]
    return []


_HOLDS_BACK = re.compile(r"\b(?:leave|keep|don'?t|do not|not|never|without|except)\b")


def _ids_key(leaf: str) -> bool:
    """``ids``, ``ticket_ids``, ``ticketIds``: a key that holds ids."""
    words = split_words(leaf)
    return bool(words) and (words[-1] == "ids" or _IDS_KEY.search(leaf.lower()) is not None)


_ASKED_MORE = re.compile(r"\b(?:the rest|others?|these|those|them all|and similar)\b")


def _selector(view: ActionView) -> tuple[str, str] | None:
    """The first argument whose value picks every record, as (path, value); or the
    tool's own name (``donations.refund_all``, ``close_all_tickets``)."""
    ws = view.word_set
    if ("all" in ws or "every" in ws) and _named_for_all(view.tool):
        return "tool", view.tool
    for v in view.lowered_args:
        if len(v) <= _LONGEST and v in _EVERY:
            break
    else:
        if True not in view.action.args.values():
            return None  # no value that is only "*" or "all", and no flag set
    for path, low in zip(map(_first, view.args), view.lowered_args, strict=True):
        if low in _EVERY and _picks_records(path):
            return path, low
    raw = view.action.args
    for key, value in raw.items():
        if value is True and _FLAGS.match(key.lower()) and not key.lower().startswith("notify"):
            return f"args.{key}", "true"
    return None


@lru_cache(maxsize=1024)
def _named_for_all(tool: str) -> bool:
    """The operation says it acts on all (``refund_all``), and it is no read."""
    op = split_words(tool)[operation_start(tool) :]
    return len(op) > 1 and ("all" in op or "every" in op) and op[0] not in FIRST_READS


def _first(arg: tuple[str, str]) -> str:
    return arg[0]


def _picks_records(path: str) -> bool:
    # Split before it is lowercased: ``sendUpdates`` is two words.
    leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return _NOT_RECORDS.isdisjoint(split_words(leaf)) if leaf else False
