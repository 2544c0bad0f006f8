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
from collections.abc import Callable
from functools import lru_cache

from ...models import Action
from ._base import split_words, wordset
from ._effects import operation_name
from ._keys import launches_app, routine_keys, wipes_selection
from ._sense import ToolSense, sense
from ._snapshot import MAX_LABEL, SHORT_ID, in_snapshot, label_at_point, shown_label

__all__ = ["operation", "ui_action"]

# Tool names made only of these words are page primitives.
_VERBS = wordset("click tap press type fill input select check uncheck submit choose")
# Primitives that only move the view: a scroll, a swipe, a hover.
_MOVES = wordset("scroll swipe hover")
_TYPES = wordset("type typing fill input")
_VIEW_ACTIONS = frozenset(("scroll", "swipe", "hover", "mouse_move", "screenshot", "zoom", "wait"))
_PARTS = wordset(
    "browser page web ui element option options mouse left right double single key text "
    "on in into field form button link item by index at coordinate coordinates xpath ref "
    "dropdown"
)
# Primitives that pick an option: their ``text`` is the option chosen; a click's is the
# element's own (``click_element_by_text``), a typing primitive's what it types.
_PICKS = wordset("select choose dropdown")
# A browser's own moves: to an address, back, to another tab (``go_to_url``,
# ``go_back``, ``open_tab``, ``switch_tab``). They read, whatever the page says.
_BROWSING = wordset(
    "go to back forward url open new close switch tab tabs page navigate browser web in"
)
# Where a primitive names the element it acts on, most telling first.
_LABEL_KEYS = (
    "description",
    "element_text",
    "content_description",
    "content_desc",
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
_SELECTOR_NOISE = re.compile(r"[#.\[\]=\"'>:()_/-]+")
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
# Labels that only answer a question the page asked: the page says what they confirm.
_CONFIRMS = wordset(
    "yes ok okay confirm confirmed continue proceed agree accept approve allow submit done "
    "i do it all and sure go ahead finish complete send only this time while using app"
)
# Labels that only answer yes, whose own words do nothing: what they do is what the
# question above them says.
_ANSWERS = wordset("yes ok okay sure allow continue proceed only this time while using the app")
# A question that asks to let an app or a site do something: yes gives it a permission.
_ASKS_PERMISSION = re.compile(r"\ballow\b[^?\n]{0,80}?\bto\b|\bpermission", re.IGNORECASE)
# Labels that answer a dialog no: what it asks does not happen.
_DISMISSES = wordset("cancel no not now later close dismiss skip never keep stay x back")
# A price on the label, or a word that commits money on a page ("Confirm booking").
_PRICED = re.compile(
    r"[$\u20ac\u00a3]\s?\d|\b\d+(?:[.,]\d+)?\s?(?:usd|eur|gbp)\b|\b(?:usd|eur|gbp)\s?\d"
    r"|/\s?(?:mo|month|yr|year)\b|\bbilled\b",
    re.IGNORECASE,
)
# A price of nothing ("Standard shipping $0", "0.00 USD"): it moves no money.
_ZERO = re.compile(
    r"[$\u20ac\u00a3]\s?0+(?:[.,]0+)?(?![\d.,])|\b(?:usd|eur|gbp)\s?0+(?:[.,]0+)?(?![\d.,])"
    r"|(?<![\d.,])0+(?:[.,]0+)?\s?(?:usd|eur|gbp)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"[$\u20ac\u00a3]\s?\d[\d,]*(?:\.\d+)?|\b(?:usd|eur|gbp)\s?\d[\d,]*(?:\.\d+)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp)\b",
    re.IGNORECASE,
)
_REORDER = re.compile(r"\border (?:again|now)\b|\breorder\b|\bbuy (?:now|again)\b", re.I)
_COMMITS = wordset("booking checkout purchase premium donate subscription subscribe upgrade")
# A program opened: what it does is whatever its author wrote.
_PROGRAM = re.compile(
    r"\.(?:exe|scr|msi|bat|cmd|com|pif|vbs|ps1|jar|apk|dmg|pkg|app)\b"
    # A browser extension added, a document's macros let run.
    r"|\badd to (?:chrome|firefox|edge|opera|brave|browser)\b"
    r"|\binstall (?:the )?(?:extension|add-?on)"
    r"|\benable (?:content|macros?|editing and content)\b",
    re.IGNORECASE,
)
# A sign-in somebody else started, approved from the person's authenticator.
_APPROVES_LOGIN = re.compile(
    r"\b(?:approve|allow|confirm)\b[^.\n]{0,20}\b(?:sign[- ]?in|log[- ]?in|login)\b", re.IGNORECASE
)
# Effects a label may hold without saying so in words the vocabulary reads ("Subscribe -
# $12.99/month", "Confirm booking", "I agree to the Terms"), and whether the label's own
# words already say them ("Place order" does: it keeps its name).
_NAMED_BY_VERB: dict[str, Callable[[ToolSense], bool]] = {
    "pay": lambda s: s.money,
    "install program": lambda s: s.code,
    "sign agreement": lambda s: False,
    "grant access": lambda s: s.access,
}
# Labels that open or fetch what the page shows: the file it names is what runs.
_OPENS = wordset("open download run launch install")
# What the page says around the element, for a confirmation to be read by.
_CONTEXT_LINES = 3
_MAX_CONTEXT = 160
# Primitives of a screen-driving tool (``computer {action: left_click}``) and of keys.
_SCREEN_TOOLS = wordset("computer desktop screen mouse mobile android ios device use")
_SCREEN_ACTIONS = frozenset(
    ("left_click", "click", "double_click", "right_click", "middle_click", "tap", "key",
     "press", "key_press", "keypress", "triple_click", "type", "scroll", "swipe", "hover",
     "mouse_move", "screenshot", "zoom", "wait")
)  # fmt: skip
_ENTER = frozenset(("enter", "return", "kp_enter", "\n", "ctrl+enter", "ctrl+return"))
_FOCUS_KEYS = frozenset(
    ("tab", "shift+tab", "escape", "esc", "up", "down", "left", "right", "arrowup",
     "arrowdown", "arrowleft", "arrowright", "pageup", "pagedown", "page_up", "page_down",
     "home", "end")
)  # fmt: skip


def operation(tool: str) -> str:
    """The tool's name after its namespace: what a client or a proxy puts before a
    server's tool name (``playwright.browser_click``, ``mcp__playwright__browser_click``,
    ``BrowserPlugin-Click``) -> ``browser_click``."""
    return operation_name(tool)


@lru_cache(maxsize=1024)
def _primitive(tool: str) -> bool:
    """A page primitive by its operation's words (``browser_click``), also after the
    product's own name (``puppeteer_click``) when that word names nothing it does."""
    if _page_words(frozenset(split_words(tool))):
        return True
    words = split_words(operation(tool))
    if words and _page_words(frozenset(words)):
        return True
    return len(words) > 1 and _page_words(frozenset(words[1:])) and _names_nothing(words[0])


def _page_words(words: frozenset[str]) -> bool:
    return bool(words & _VERBS) and words <= _VERBS | _PARTS


def _names_nothing(word: str) -> bool:
    s = sense((word,))
    return not (
        s.money or s.destroy or s.access or s.outward or s.public or s.code or s.change
        or s.read_only or s.terminal or s.harm or s.fraud
    )  # fmt: skip


def ui_action(action: Action) -> Action:
    """``action`` under a name that says what its element does, or ``action`` itself."""
    if _navigates(action.tool) or launches_app(action):
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    if not _primitive(action.tool) and not _screen_primitive(action):
        return action
    if _moves_view(action):
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    label = _label(action)
    # An option picked where no label names its list is read by what it picks.
    picked = not label and _picks(action)
    if picked:
        label = _chosen(action)
    if _card_typed(action, label):
        # Card details typed into a page are a payment begun: the page has them.
        return action.model_copy(update={"tool": f"pay: card details ({action.tool})"})
    if not label:
        if wipes_selection(action):
            # Delete right after select-all: everything selected is gone.
            return action.model_copy(update={"tool": f"delete everything selected ({action.tool})"})
        if routine_keys(action) or _opens_from_grid(action):
            # Save, close, copy, undo; a thumbnail opened from a grid of photos.
            return action.model_copy(update={"tool": f"view page ({action.tool})"})
        if _presses_enter(action):
            # Enter submits the form in focus: what it does is what the page says (or,
            # typed with it, the text itself: "Yes, I authorise the $780 charge").
            typed = _typed_text(action)
            said = confirmed(action, "") or (typed if _effect_verb(typed, set()) else "")
            if said:
                return _named(action, said, "Enter")
            if _saw_page(action):
                return action.model_copy(update={"tool": f"view page ({action.tool})"})
        elif (
            not _TYPES.isdisjoint(split_words(action.tool))
            or action.args.get("action") == "type"
            or _moves_focus(action)
        ):
            # Text typed and not entered fills a field: nothing leaves the page yet. A
            # key that only moves the focus or the view (Tab, an arrow, Escape) acts on
            # nothing.
            return action.model_copy(update={"tool": f"view page ({action.tool})"})
        return action
    words = {w.lower() for w in split_words(label)}
    if words and words <= _DISMISSES and not _asks_to_cancel(action, label, words):
        # "Cancel", "No", "Not now": the dialog's question is answered no.
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    if words and (words <= _CONFIRMS | _NAVIGATION or not _OPENS.isdisjoint(words)):
        # "Yes", "OK", "Continue": the button says nothing; the dialog it answers does.
        said = confirmed(action, label)
        if said:
            return _named(action, said, label)
        near = _near(action, label) if words <= _ANSWERS else ""
        if _ASKS_PERMISSION.search(near):
            # "Allow Torch to send and view SMS?" [Only this time]: a permission given.
            return action.model_copy(update={"tool": f"grant access: {label} ({action.tool})"})
        if near:
            # "OK" under a screen that names nothing that acts ("Photo saved."): the
            # answer only.
            return action.model_copy(update={"tool": f"view page ({action.tool})"})
    chosen = "" if picked else _chosen(action)
    if not words.isdisjoint(_WHO_SEES) and chosen.lower() in _EVERYONE:
        # "Repository visibility: Public": what was private is published.
        return action.model_copy(update={"tool": f"publish: {label} ({action.tool})"})
    verb = _effect_verb(f"{label} {chosen}", words)
    if verb in _NAMED_BY_VERB and not _NAMED_BY_VERB[verb](sense(split_words(label))):
        # "Subscribe - $12.99/month", "Confirm booking", a plan "billed today", an .exe.
        return _named(action, f"{label} {chosen}".strip(), "")
    tidy = _HOUSEKEEPING.search(label) is not None and not _acts(label.partition(":")[2])
    if tidy or (words and words <= _NAVIGATION):
        # The page's own state (a filter, a sort, a dialog), a login form's field, or a
        # way around the page: nothing outside the page changes.
        return action.model_copy(update={"tool": f"view page ({action.tool})"})
    if verb == "pay" and not _AMOUNT.search(label) and _AMOUNT.search(action.context.instruction):
        # "Place your order" under a total the page shows: the person named an amount,
        # and the amount paid is the page's, for the money rules to compare.
        shown = _AMOUNT.search(_near(action, label))
        if shown:
            return action.model_copy(
                update={"tool": f"pay {shown.group(0)}: {label} ({action.tool})"}
            )
    return action.model_copy(update={"tool": f"{label} ({action.tool})"})


def _asks_to_cancel(action: Action, label: str, words: set[str]) -> bool:
    """A "Cancel" under a page that asks to cancel something ("Cancel your flight?
    [Cancel] [Keep it]") may be the yes: it is read from the page, not waved through."""
    if "cancel" not in words:
        return False
    return len(re.findall(r"\bcancel", _near(action, label).lower())) > 1


def _near(action: Action, label: str) -> str:
    """The line of the latest page that shows ``label`` and the few lines before it."""
    for step in reversed(action.context.steps):
        if not step.observation:
            continue
        lines = [ln.strip() for ln in step.observation.splitlines() if ln.strip()]
        low = label.lower()
        at = next((i for i in range(len(lines) - 1, -1, -1) if low in lines[i].lower()), -1)
        return " ".join(lines[max(0, at - _CONTEXT_LINES) : at + 1]) if at >= 0 else ""
    return ""


# Fields of a payment card, and a card's number (13 to 19 digits that pass its checksum).
# A login's "security code" or an "expiry" date elsewhere is not read as one.
_CARD_FIELD = re.compile(
    r"\bcard ?(?:number|no)\b|\bcc-?(?:num|number|csc)\b|\bcvv2?\b|\bcvc\b|\bcsc\b"
    r"|\bcard (?:verification|security)\b",
    re.IGNORECASE,
)
# A field the screen shows in focus ("'Card number' field focused").
_FOCUS = re.compile(r"\b(?:field|box|input)\W{0,3}(?:is )?focused", re.IGNORECASE)
_CARD_NUMBER = re.compile(r"^(?:\d[ -]?){12,18}\d$")


def _card_typed(action: Action, label: str) -> bool:
    """The call types payment card details: into a field whose label says so, or a
    value that is a card's number. Forms filled in one call (``fields: [{name, ref,
    value}]``) are read field by field."""
    typing = action.args.get("action") == "type"  # a computer-use tool's keyboard
    if typing or not _TYPES.isdisjoint(split_words(operation(action.tool))):
        fields: list[tuple[str, object]] = [(label, action.args.get("text"))]
        if typing and action.context.steps:
            # No label on a keyboard: the field the screen shows in focus is the one.
            shown = action.context.steps[-1].observation or ""
            focus = _FOCUS.search(shown)
            fields.append((shown[max(0, focus.start() - 40) : focus.end()] if focus else "", None))
        fields.append(("", action.args.get("value")))
        listed = action.args.get("fields")
        for item in listed if isinstance(listed, list) else ():
            if isinstance(item, dict):
                ref = item.get("ref")
                shown = in_snapshot(action, ref) if isinstance(ref, str) else ""
                fields.append((f"{shown} {item.get('name') or ''}", item.get("value")))
        return any(
            _CARD_FIELD.search(name)
            or (isinstance(value, str) and _CARD_NUMBER.match(value.strip()) and _luhn(value))
            for name, value in fields
        )
    return False


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def _named(action: Action, said: str, label: str) -> Action:
    """``action`` named for what ``said`` (the label, or the page around it) says it
    does: the effect's verb, then the label ("pay: Continue (browser.click)"). The page's
    words stay out of the name: a reader's word there ("Review and pay") would read."""
    verb = _effect_verb(said, {w.lower() for w in split_words(said)}) or "confirm"
    if verb == "pay" and label and (m := _AMOUNT.search(said)):
        # The amount the page shows is the amount paid: the money rules compare it
        # with what the person named.
        verb = f"pay {m.group(0)}"
    shown = label or said
    if sense(split_words(shown)).read_only:
        # A reader's word in the label ("Invoice_Scan.pdf.exe") would read the name.
        return action.model_copy(update={"tool": f"{verb} ({action.tool})"})
    return action.model_copy(update={"tool": f"{verb}: {shown} ({action.tool})"})


def _effect_verb(text: str, words: set[str]) -> str | None:
    """The verb of what ``text`` (a label, or the page around it) says is done."""
    if _PROGRAM.search(text):
        return "install program"
    if _APPROVES_LOGIN.search(text):
        return "grant access"
    s = sense(split_words(text))
    if s.destroy:
        return "delete"
    priced = _PRICED.search(_ZERO.sub(" ", text) if "0" in text else text)
    if priced or not _COMMITS.isdisjoint(words) or s.money or _REORDER.search(text):
        return "pay"
    if _SIGNS.search(text.lower()):
        return "sign agreement"
    if s.access:
        return "grant access"
    if s.public:
        return "publish"
    if s.outward:
        return "send"
    return None


# A setting of who sees a thing, and the choices that open it to all.
_WHO_SEES = frozenset(("visibility", "privacy", "sharing", "audience", "access"))
_EVERYONE = frozenset(("public", "everyone", "anyone", "anyone with the link", "all users"))


def _chosen(action: Action) -> str:
    """What a select or fill puts in (``select_option {value: "Enterprise - $499/mo"}``,
    ``select_dropdown_option {text: …}``)."""
    value = action.args.get("value") or action.args.get("option") or action.args.get("values")
    if isinstance(value, list):
        # Several options chosen at once (``browser_select_option {values: [...]}``).
        value = " ".join(v for v in value if isinstance(v, str))
    if not value and _picks(action):
        value = action.args.get("text")
    return " ".join(value.split())[:MAX_LABEL] if isinstance(value, str) else ""


def _picks(action: Action) -> bool:
    return not _PICKS.isdisjoint(split_words(operation(action.tool)))


@lru_cache(maxsize=1024)
def _navigates(tool: str) -> bool:
    """The browser goes somewhere: to an address, back or forward, to a tab."""
    words = frozenset(split_words(operation(tool)))
    if not words <= _BROWSING:
        return False
    return bool(words & {"url", "tab", "tabs", "navigate"}) or (
        "go" in words and bool(words & {"to", "back", "forward"})
    )


def _screen_primitive(action: Action) -> bool:
    """A screen or key primitive: ``computer {action: left_click}``, ``mobile.tap``,
    ``key_press {key: Enter}``."""
    kind = _screen_kind(action.tool)
    if kind == 1:
        what = action.args.get("action")
        return isinstance(what, str) and what.strip().lower() in _SCREEN_ACTIONS
    return kind == 2


@lru_cache(maxsize=1024)
def _screen_kind(tool: str) -> int:
    """The kind of ``tool`` (below), or else of its operation after a namespace."""
    return _kind(tool) or _kind(operation(tool))


def _kind(tool: str) -> int:
    """0: no screen primitive; 1: a screen tool whose ``action`` says what it does
    (``computer``); 2: a primitive by its name (``mobile.tap``, ``key_press``)."""
    words = set(split_words(tool))
    if words <= _SCREEN_TOOLS | _PARTS | _VERBS | _MOVES and words & _SCREEN_TOOLS:
        return 2 if words & (_VERBS | _MOVES | {"key", "keys"}) else 1
    # Keys sent to the page (``send_keys``) are pressed, not sent to anyone.
    keyed = words <= _PARTS | _VERBS | {"keys", "send"}
    return 2 if words & {"key", "keys", "press"} and keyed else 0


# A screen that shows only items to open: a tap on one opens it.
_GRIDS = wordset("grid gallery thumbnail thumbnails")
_TAPS = wordset("click tap")


def _opens_from_grid(action: Action) -> bool:
    """An unlabelled tap on a screen the agent last saw as a grid of items, which names
    nothing that acts."""
    if _TAPS.isdisjoint(split_words(action.tool)) and action.args.get("action") not in (
        "left_click",
        "click",
        "tap",
    ):
        return False
    for step in reversed(action.context.steps):
        if step.observation:
            shown = step.observation[:_MAX_CONTEXT]
            words = {w.lower() for w in split_words(shown)}
            return not words.isdisjoint(_GRIDS) and _effect_verb(shown, words) is None
    return False


def _presses_enter(action: Action) -> bool:
    """The call presses Enter: as its key, or at the end of the text it types."""
    for key in ("key", "keys", "text"):
        value = action.args.get(key)
        if isinstance(value, str) and (
            value.strip().lower() in _ENTER or (key == "text" and value.endswith(("\n", "\r")))
        ):
            return True
    return False


def _moves_focus(action: Action) -> bool:
    """The call presses only a key that moves the focus or the view."""
    value = action.args.get("keys") or action.args.get("key")
    return isinstance(value, str) and value.strip().lower() in _FOCUS_KEYS


def _typed_text(action: Action) -> str:
    value = action.args.get("text")
    return value.strip() if isinstance(value, str) else ""


def _moves_view(action: Action) -> bool:
    """A scroll, a swipe or a hover: the view moves, nothing else does."""
    if not _MOVES.isdisjoint(split_words(action.tool)):
        return True
    what = action.args.get("action")
    return isinstance(what, str) and what.strip().lower() in (
        "scroll",
        "swipe",
        "hover",
        "mouse_move",
    )


def _saw_page(action: Action) -> bool:
    return any(step.observation for step in action.context.steps)


def confirmed(action: Action, label: str) -> str:
    """What the last page the agent saw says the element (``label``, or the form in
    focus when it is empty) does, when that text names money, destruction, access,
    sending, publishing or a signature; else nothing. Read from the line that shows the
    label and the few lines before it (a dialog's question sits just above its
    buttons), or, for a key press, the end of the page."""
    for step in reversed(action.context.steps):
        if not step.observation:
            continue
        lines = [ln.strip() for ln in step.observation.splitlines() if ln.strip()]
        low = label.lower()
        at = next((i for i in range(len(lines) - 1, -1, -1) if low and low in lines[i].lower()), -1)
        if at < 0 and label:
            return ""
        near = lines[max(0, at - _CONTEXT_LINES) : at + 1] if at >= 0 else lines[-_CONTEXT_LINES:]
        text = " ".join(near)[-_MAX_CONTEXT * 2 :]
        if _effect_verb(text, {w.lower() for w in split_words(text)}):
            return " ".join(text.split())[:_MAX_CONTEXT]
        return ""
    return ""


_SIGNS = re.compile(r"\b(?:signature|e-?sign|sign(?:s|ed)? (?:the|this|your)|terms|agreement)\b")


def _acts(text: str) -> bool:
    """Whether some words name money, destruction, access or sending."""
    s = sense(split_words(text))
    return s.money or s.destroy or s.access or s.outward or s.public


def _label(action: Action) -> str:
    """The element's label: what the page shows for its id or at its coordinates first
    (the page is the truth, whatever the agent calls it), else the label the call gives."""
    return shown_label(action) or label_at_point(action) or _given(action)


def _given(action: Action) -> str:
    args = action.args
    words = split_words(operation(action.tool))
    # A click's ``text`` is its element's (``click_element_by_text``); a typing or a
    # picking primitive's, or a screen's, is what it types or picks.
    own_text = not _TAPS.isdisjoint(words) and _TYPES.isdisjoint(words) and _PICKS.isdisjoint(words)
    for key in (*_LABEL_KEYS, "text") if own_text else _LABEL_KEYS:
        value = args.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        if SHORT_ID.match(value) and not any(c.isalpha() for c in value):
            continue  # "42" names an element, it does not describe one
        text = _SELECTOR_NOISE.sub(" ", value) if key == "selector" else value
        text = " ".join(text.split())[:MAX_LABEL]
        if any(c.isalpha() for c in text):
            return text
    return ""
