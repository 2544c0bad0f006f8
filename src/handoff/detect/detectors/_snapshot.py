"""What the last page the agent saw shows for an element: the label a page snapshot
gives its id (``[42] button 'Delete project'``, a Playwright ``[ref=e42]``, a
browser agent's ``[12]<button>Place order</button>``) or the label written beside its
coordinates ("Button at (812, 604): 'Confirm purchase'"). A page primitive is read
under that label (``_ui.py``).
"""

from __future__ import annotations

import re

from ...models import Action
from ._base import wordset

__all__ = ["ID_KEYS", "MAX_LABEL", "SHORT_ID", "in_snapshot", "label_at_point", "shown_label"]

# Where a primitive names the element only by an id the page snapshot shows.
ID_KEYS = ("element_id", "id", "ref", "bid", "index", "node", "element")
SHORT_ID = re.compile(r"^\s*\[?([\w-]{1,24})\]?\s*$")
MAX_LABEL = 80

# Accessibility roles a snapshot writes before an element's name.
_ROLES = wordset(
    "button link textbox checkbox radio combobox listbox option menuitem menu tab switch "
    "searchbox slider spinbutton heading img image generic statictext cell row gridcell"
)


# The last quoted label in a stretch of text, with at most a word or two after it
# ("'Place your order' button "), none of them another point.
_QUOTED_LAST = re.compile(
    r"['\"\u2018\u201c]([^'\"\u2019\u201d\n]{1,120})['\"\u2019\u201d][^'\"\u2018\u201c()\n,;.:]{0,16}$"
)


def label_at_point(action: Action) -> str:
    """What the last page description shows at the click's coordinates ("Button at (812,
    604): 'Confirm purchase'"), or nothing."""
    point = action.args.get("coordinate") or action.args.get("coordinates")
    if point is None and "x" in action.args and "y" in action.args:
        point = [action.args["x"], action.args["y"]]
    if not (isinstance(point, list) and len(point) == 2):
        return ""
    x, y = point
    if not (isinstance(x, int | float) and isinstance(y, int | float)):
        return ""
    at = re.compile(
        rf"\(\s*{int(x)}\s*,\s*{int(y)}\s*\)\W{{0,4}}['\"\u2018\u201c]([^'\"\u2019\u201d\n]{{1,{MAX_LABEL}}})"
    )
    where = re.compile(rf"(?:\bat\s*)?\(\s*{int(x)}\s*,\s*{int(y)}\s*\)")
    for step in reversed(action.context.steps):
        if step.observation:
            # "'Place your order' at (812, 640)", "'Empty Trash' (700, 480)": a label
            # just before the point is its own; else "Button at (812, 604): 'Confirm'".
            w = where.search(step.observation)
            if w is None:
                return ""
            before = step.observation[max(0, w.start() - 40 - MAX_LABEL) : w.start()]
            quoted = _QUOTED_LAST.search(before)
            if quoted:
                return quoted.group(1).strip()
            m = at.search(step.observation)
            return m.group(1).strip() if m else _bare_before(before)
    return ""


_CLAUSE = re.compile(r"[,;:.!?()\[\]\n]")


def _bare_before(text: str) -> str:
    """A label written bare just before the point ("viewfinder, shutter at (540, 2050)"):
    the last clause's few words."""
    last = _CLAUSE.split(text)[-1].strip()
    words = last.split()
    return last if 0 < len(words) <= 4 and last[0].isalpha() else ""


def shown_label(action: Action) -> str:
    args = action.args
    for key in ID_KEYS:
        value = args.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            continue
        m = SHORT_ID.match(value)
        if m is None:
            continue
        shown = in_snapshot(action, m.group(1))
        if shown:
            return shown
    return ""


def in_snapshot(action: Action, element: str) -> str:
    """What the last page snapshot shows on the line of ``element`` (``[42] button
    'Delete project'``, ``- button "Delete project" [ref=e42] [cursor=pointer]``), or
    nothing."""
    for step in reversed(action.context.steps):
        if not step.observation:
            continue
        shown = {
            label
            for line in step.observation.splitlines()
            if (label := _element_line(line, element)) is not None
        }
        if len(shown) != 1:
            return ""  # not shown, or shown twice with two labels: nobody can tell
        words = _QUOTES.sub(" ", shown.pop()).split()
        if words and words[0].lower() in _ROLES:
            words = words[1:]  # "button 'Place order'": the role, then the name
        return " ".join(words)[:MAX_LABEL]
    return ""


_QUOTES = re.compile(r"[\"'\u2018\u2019\u201c\u201d]+")
# A Playwright snapshot's attribute after a name: ``[ref=e42]``, ``[cursor=pointer]``,
# ``[level=2]``, ``[checked]``, ``[active]``.
_ATTR = re.compile(r"\[[\w-]{1,24}(?:=[^\[\]\n]{0,40})?\]")
_MAX_ATTRS = 8


def _element_line(line: str, element: str) -> str | None:
    """The label ``line`` gives ``element``, when the line is that element's: its id in
    brackets where the line starts (``[42] button 'x'``), or a Playwright reference among
    the attributes after the name (``- button "x" [ref=e42] [cursor=pointer]``, the name
    after a colon when the role has none: ``- generic [ref=e7]: Total $12``). A page's
    text that says "[42]" or "[ref=e42]" elsewhere, or inside quotes, is not one. A
    browser agent's element written as markup after its id (``[12]<button>Place
    order</button>``, ``*[12]*<input placeholder='Card number' />``, new ones starred)
    is named by its text, or else by its label, placeholder, title or value."""
    body = line.lstrip(" \t-*")
    tag = f"[{element}]"
    if body.startswith(tag):
        after = body[len(tag) :].lstrip("* \t")
        if after.startswith("<"):
            return _markup_label(after[:_MAX_MARKUP])
        return after.split("[", 1)[0].strip()[:MAX_LABEL] or None
    at = body.find(f"[ref={element}]")
    if at < 0:
        return None
    head, tail = body[:at], body[at + len(element) + 6 :]
    if head.count('"') % 2:
        return None  # inside a quoted text
    for _ in range(_MAX_ATTRS):
        tail = tail.lstrip(" \t")
        m = _ATTR.match(tail)
        if m is None:
            break
        tail = tail[m.end() :]
    tail = tail.strip()
    if tail and not tail.startswith(":"):
        return None
    for _ in range(_MAX_ATTRS):
        cut = head.rstrip().rfind("[")
        if cut < 0 or not _ATTR.fullmatch(head.rstrip()[cut:]):
            break
        head = head[:cut]
    label = " ".join(head.split())
    if label.split(" ", 1)[0].lower() in _ROLES and " " not in label:
        label = f"{label} {tail[1:].strip()}".strip()  # "generic [ref=e7]: Total $12"
    return label[:MAX_LABEL] or None


# An element written as markup: its tags, and the attributes that name it when it has
# no text of its own.
_MAX_MARKUP = 400
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>|/>")
_NAMED_BY = re.compile(
    r"\b(?:aria-label|placeholder|title|value|alt|name)\s*=\s*['\"]([^'\"<>]{1,80})['\"]",
    re.IGNORECASE,
)


def _markup_label(markup: str) -> str | None:
    """The label of an element written as markup: its text, else what its attributes
    call it (``<input placeholder='Search products' />``)."""
    text = " ".join(_TAG.sub(" ", markup).split())
    if any(c.isalpha() for c in text):
        return text[:MAX_LABEL]
    m = _NAMED_BY.search(markup)
    return " ".join(m.group(1).split())[:MAX_LABEL] if m else None
