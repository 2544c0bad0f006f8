"""Script run inside a page is code run with the person's session.

Browser servers let an agent run JavaScript in the open page (``browser_evaluate
{function}``, ``puppeteer_evaluate {script}``, any tool whose operation is ``evaluate``
and that carries code, ``browser_run_code``). Their names read as looking, but the code
runs with the page's cookies, storage and logged-in session: it can post them anywhere,
click, or submit a form. So the code is read, and fails closed:

* a request sent from the page (``fetch``, ``XMLHttpRequest``, ``sendBeacon``, a
  WebSocket, an image's ``src`` or the location set to an address) is
  ``code.exfiltration``;
* the page's cookies, local or session storage, IndexedDB, stored credentials or a
  password field read is ``secrets.access``;
* a form submitted, a click, an event dispatched or a field set is
  ``action.untrusted_code``, and so is any other code that is not a plain read.

A plain read is a short expression made only of the document's text, title, address and
attributes (``document.title``, ``document.querySelector('h1').innerText``,
``[...document.querySelectorAll('a')].map(a => a.href)``): it runs on its own.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, signal_at, split_words, wordset
from ._ui import operation

__all__ = ["detect_page_script"]

# An operation that runs script in a page: ``browser_evaluate``, ``evaluate_script``,
# ``page.eval``, ``run_javascript``...
_RUNS = wordset("evaluate eval js javascript")
# ... or runs code or a script with the browser or the page: ``browser_run_code``.
_PAGE = wordset("browser page tab")
_RUN = wordset("run execute exec")
_SCRIPT = wordset("code script")
_CODE_KEYS = frozenset(
    ("function", "script", "expression", "code", "js", "javascript", "source", "pagefunction",
     "func", "fn")
)  # fmt: skip

_SENDS = re.compile(
    r"\bfetch\s*\(|\bxmlhttprequest\b|\bsendbeacon\b|\bwebsocket\b|\beventsource\b"
    r"|\bnew\s+image\b|\.src\s*=(?!=)|\blocation(?:\.href)?\s*=(?!=)|\blocation\.(?:assign|replace)\s*\("
    r"|\bwindow\.open\s*\(|\$\.(?:ajax|post|get|getjson)\b|\baxios\b|\bpostmessage\s*\("
    r"|\bimport\s*\(",
    re.IGNORECASE,
)
_STORES = re.compile(
    r"\bdocument\.cookie\b|\bcookiestore\b|\blocalstorage\b|\bsessionstorage\b|\bindexeddb\b"
    r"|\bnavigator\.credentials\b|type\s*=\s*\\?['\"]?password",
    re.IGNORECASE,
)
_ACTS = re.compile(
    r"\.(?:submit|requestsubmit|click)\s*\(|\bdispatchevent\s*\(|\.value\s*=(?!=)"
    r"|\.(?:innerhtml|outerhtml|innertext|textcontent)\s*=(?!=)",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://([\w.-]{1,253})", re.IGNORECASE)

# What a plain read may name: the document, its text, title, address and attributes, and
# the few array and string helpers that shape what was read.
_READS = wordset(
    "document window title body head documentelement location href host hostname "
    "pathname origin url referrer readystate lang dir characterset contenttype "
    "queryselector queryselectorall getelementbyid getelementsbyclassname "
    "getelementsbytagname getelementsbyname closest matches parentelement children "
    "firstelementchild lastelementchild nextelementsibling previouselementsibling "
    "innertext textcontent innerhtml outerhtml getattribute hasattribute alt src id "
    "classname tagname nodename checked disabled hidden dataset links images headings "
    "getboundingclientrect top left right bottom width height x y scrollx scrolly "
    "scrollheight scrollwidth innerwidth innerheight devicepixelratio length array "
    "from map filter find some every slice join trim split tolowercase touppercase "
    "includes startswith endswith indexof at concat json stringify math round min max "
    "number string parseint parsefloat tofixed return function const let var true "
    "false null undefined of size count"
)
_STRING = re.compile(r"'(?:[^'\\\n]|\\.){0,200}'|\"(?:[^\"\\\n]|\\.){0,200}\"")
_TEMPLATE = re.compile(r"`[^`$\\]{0,200}`")
_NAME = re.compile(r"[A-Za-z_$][\w$]{0,60}")
# Names the code binds itself: an arrow's or a function's parameters, a declaration.
_BOUND = re.compile(
    r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]{0,60})|([A-Za-z_$][\w$]{0,60})\s*=>"
    r"|\(([\w$, ]{0,120})\)\s*=>|\bfunction\s*[\w$]{0,60}\s*\(([\w$, ]{0,120})\)"
)
# Assignment, other than a declaration's: ``=`` that is not ``==``, ``=>``, ``<=``...
_ASSIGN = re.compile(r"(?<![=!<>])=(?![=>])|\+\+|--|[+\-*/%&|^]=")
_DECLARED = re.compile(r"\b(?:const|let|var)\s+[A-Za-z_$][\w$]{0,60}\s*=(?![=>])")
# Bracket access other than by a number: ``window['fe' + 'tch']``.
_INDEX = re.compile(r"[\w$)\]]\s*\[(?!\s*-?\d+\s*\])")
_MAX_PLAIN = 400


def detect_page_script(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for script a tool runs inside a page: what it sends, the secrets it
    reads, what it clicks or submits, and anything that is not a plain read."""
    if view.key_set.isdisjoint(_CODE_KEYS):
        return []
    op = frozenset(split_words(operation(view.tool)))
    if _RUNS.isdisjoint(op) and not (op & _PAGE and op & _RUN and op & _SCRIPT):
        return []
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in _CODE_KEYS and text.strip():
            return _read(path, text)
    return []


def _read(path: str, text: str) -> list[Signal]:
    m = _SENDS.search(text)
    if m:
        host = _URL.search(text)
        where = f" to {host.group(1)}" if host else ""
        return [
            signal_at(
                "code.exfiltration",
                f"The script run in the page sends a request{where} with the person's "
                "session: whatever it carries leaves the page",
                path,
                text,
                m,
                weight=0.8,
                impact=0.6,
                reversibility=0.3,
                sensitivity=0.85,
            )
        ]
    m = _STORES.search(text)
    if m:
        return [
            signal_at(
                "secrets.access",
                "The script run in the page reads its cookies, stored tokens or credentials",
                path,
                text,
                m,
                weight=0.85,
                impact=0.6,
                reversibility=0.5,
                sensitivity=0.9,
            )
        ]
    m = _ACTS.search(text)
    if m:
        return [
            signal_at(
                "action.untrusted_code",
                "The script run in the page clicks, submits a form or changes the page: "
                "nothing says what that commits",
                path,
                text,
                m,
                weight=0.65,
                impact=0.6,
                reversibility=0.5,
                sensitivity=0.4,
            )
        ]
    if _plain_read(text):
        return []
    return [
        Signal(
            "action.untrusted_code",
            "The call runs script in the page that does more than read its text: "
            "it runs with the person's session",
            where=path,
            excerpt=" ".join(text.split())[:120],
            weight=0.65,
            impact=0.6,
            reversibility=0.5,
            sensitivity=0.4,
        )
    ]


def _plain_read(code: str) -> bool:
    """The code only reads the page's text, title, address or attributes."""
    if len(code) > _MAX_PLAIN or "\\" in _STRING.sub("''", code):
        return False
    bare = _TEMPLATE.sub("''", _STRING.sub("''", code))
    if "`" in bare or _INDEX.search(bare):
        return False
    if _ASSIGN.search(_DECLARED.sub(" ", bare)):
        return False
    bound: set[str] = set()
    for m in _BOUND.finditer(bare):
        for group in m.groups():
            if group:
                bound.update(n.strip() for n in group.split(",") if n.strip())
    return all(_reads(n.group(0), bound) for n in _NAME.finditer(bare))


# The capitalised names a plain read may use; any other (``Function``) is not the
# lower-case name it folds to.
_GLOBALS = frozenset(("Array", "JSON", "Math", "Number", "String"))


def _reads(name: str, bound: set[str]) -> bool:
    if name in bound:
        return True
    return name.lower() in _READS and (name[0].islower() or name in _GLOBALS)
