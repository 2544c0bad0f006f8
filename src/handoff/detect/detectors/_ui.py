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
# Labels of what only changes the page in front of the agent, or fills a login form.
_HOUSEKEEPING = re.compile(
    r"^\s*(?:reset|clear|remove|close|dismiss|hide|show|toggle)\b[^.]{0,30}?\b"
    r"(?:filters?|sort(?:ing)?"
    r"|search|selection|view|zoom|layout|columns?|tabs?|dialog|modal|popup|banner|menu"
    r"|notification)\b"
    r"|^\s*(?:forgot (?:your )?password|(?:show|hide) password|remember me|user ?name"
    r"|e-?mail(?: address)?|password)\s*\??\s*(?::|$)",
    re.IGNORECASE,
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
    if _HOUSEKEEPING.search(label):
        # The page's own state (a filter, a sort, a dialog) or a login form's field:
        # nothing outside the page changes.
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    return action.model_copy(update={"tool": f"{label} ({action.tool})"})


def _label(action: Action) -> str:
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
    # Only where a line starts: a page's own text can say "[42]" anywhere else.
    line = re.compile(
        rf"^[ \t-]*\[{re.escape(element)}\][ \t]*([^\n\[]{{1,{_MAX_LABEL}}})", re.MULTILINE
    )
    for step in reversed(action.context.steps):
        if not step.observation:
            continue
        shown = {m.group(1).strip() for m in line.finditer(step.observation)}
        if len(shown) != 1:
            return ""  # not shown, or shown twice with two labels: nobody can tell
        words = _SELECTOR_NOISE.sub(" ", shown.pop()).split()
        if words and words[0].lower() in _ROLES:
            words = words[1:]  # "button 'Place order'": the role, then the name
        return " ".join(words)
    return ""
