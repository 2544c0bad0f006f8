"""A click or a keystroke on a page does what the thing it lands on says.

Browser and computer-use agents act through a handful of primitives (``click``,
``browser_click``, ``type``, ``select_option``): the tool's name says nothing about the
effect, the element does. A button labelled "Place order" commits money, "Delete
repository" destroys, "Invite member" grants access. ``ui_action`` gives the detectors
the same action under a name that says so (``Place order (click)``), read from the
element's label in the arguments or, for an element named only by its id
(``click [42]``), from the line of the last page snapshot that shows that id. An element
that cannot be read leaves the action as it was: a click on nothing known stays
unknown, and unknown means ask.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...models import Action
from ._base import split_words, wordset
from ._sense import sense

__all__ = ["ui_action"]

# Tool names made only of these words are page primitives.
_VERBS = wordset("click tap press type fill input select check uncheck submit choose")
_PARTS = wordset(
    "browser page web ui element option options mouse left right double single key text "
    "on in into field form button link item"
)
# Where a primitive names the element it acts on, most telling first.
_LABEL_KEYS = (
    "description",
    "element_description",
    "label",
    "aria_label",
    "name",
    "element_name",
    "title",
    "button",
    "link",
    "target",
    "element",
    "selector",
)
# Where it names the element only by an id the page snapshot shows.
_ID_KEYS = ("element_id", "id", "ref", "bid", "index", "node", "element")
_SHORT_ID = re.compile(r"^\s*\[?([\w-]{1,24})\]?\s*$")
_SELECTOR_NOISE = re.compile(r"[#.\[\]=\"'>:()_/-]+")
_MAX_LABEL = 80
# Labels of what only changes the page in front of the agent, or fills a login form: the
# whole label, nothing after it ("Close dialog and transfer $5,000" is not one).
_HOUSEKEEPING = re.compile(
    r"^\s*(?:(?:reset|clear|close|dismiss|hide|show|toggle|open)\s+(?:all\s+|the\s+)?"
    r"(?:filters?|sort(?:ing)?|search|selection|view|zoom|layout|dialog|modal|popup|banner"
    r"|menu|notifications?)|remove\s+(?:all\s+|the\s+)?filters?(?::[^\n]{0,40})?"
    r"|forgot (?:your )?password\??|(?:show|hide) password|remember me|user ?name"
    r"|e-?mail(?: address)?|password)\s*:?\s*$",
    re.IGNORECASE,
)
# Words of a label that only move around a page: a label made of these and nothing
# else (a product's name aside, which names no effect) reads the page.
_NAVIGATION = wordset(
    "next back previous continue more less expand collapse details sort by price low high "
    "to from accept cookies cookie sign log in out home page view open menu close cancel "
    "filter filters search results show all see load go up down left right zoom image "
    "images gallery tab tabs first last of the a an and"
)
# Accessibility roles a snapshot writes before an element's name.
_ROLES = wordset(
    "button link textbox checkbox radio combobox listbox option menuitem menu tab switch "
    "searchbox slider spinbutton heading img image generic statictext cell row gridcell"
)


@lru_cache(maxsize=1024)
def _primitive(tool: str) -> bool:
    words = set(split_words(tool))
    return bool(words & _VERBS) and words <= _VERBS | _PARTS


def ui_action(action: Action) -> Action:
    """``action`` under a name that says what its element does, or ``action`` itself."""
    if not _primitive(action.tool):
        return action
    label = _label(action)
    if not label:
        return action
    words = {w.lower() for w in split_words(label)}
    tidy = _HOUSEKEEPING.search(label) is not None and not _acts(label.partition(":")[2])
    if tidy or (words and words <= _NAVIGATION):
        # The page's own state (a filter, a sort, a dialog), a login form's field, or a
        # way around the page: nothing outside the page changes.
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    return action.model_copy(update={"tool": f"{label} ({action.tool})"})


def _acts(text: str) -> bool:
    """Whether some words name money, destruction, access or sending."""
    s = sense(split_words(text))
    return s.money or s.destroy or s.access or s.outward or s.public


def _label(action: Action) -> str:
    """The element's label: what the page shows for its id first (the page is the
    truth, whatever the agent calls it), else the label the call gives."""
    return _shown(action) or _given(action)


def _given(action: Action) -> str:
    args = action.args
    for key in _LABEL_KEYS:
        value = args.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        if _SHORT_ID.match(value) and not any(c.isalpha() for c in value):
            continue  # "42" names an element, it does not describe one
        text = _SELECTOR_NOISE.sub(" ", value) if key == "selector" else value
        text = " ".join(text.split())[:_MAX_LABEL]
        if any(c.isalpha() for c in text):
            return text
    return ""


def _shown(action: Action) -> str:
    args = action.args
    for key in _ID_KEYS:
        value = args.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            continue
        m = _SHORT_ID.match(value)
        if m is None:
            continue
        shown = _in_snapshot(action, m.group(1))
        if shown:
            return shown
    return ""


def _in_snapshot(action: Action, element: str) -> str:
    """What the last page snapshot shows on the line of ``element`` (``[42] button
    'Delete project'``), or nothing."""
    # Only where a line starts ("[42] button 'x'"), or a Playwright snapshot's reference
    # at a line's end ("- button "x" [ref=e42]"): a page's text can say "[42]" anywhere.
    e = re.escape(element)
    line = re.compile(
        rf"^[ \t-]*\[{e}\][ \t]*([^\n\[]{{1,{_MAX_LABEL}}})"
        rf"|^[ \t-]*([^\n\[]{{1,{_MAX_LABEL}}}?)[ \t]*\[ref={e}\][^\n\[]*$",
        re.MULTILINE,
    )
    for step in reversed(action.context.steps):
        if not step.observation:
            continue
        shown = {(m.group(1) or m.group(2)).strip() for m in line.finditer(step.observation)}
        if len(shown) != 1:
            return ""  # not shown, or shown twice with two labels: nobody can tell
        words = _SELECTOR_NOISE.sub(" ", shown.pop()).split()
        if words and words[0].lower() in _ROLES:
            words = words[1:]  # "button 'Place order'": the role, then the name
        return " ".join(words)
    return ""
