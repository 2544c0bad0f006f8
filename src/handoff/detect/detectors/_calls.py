"""The calls a piece of code makes, read by a small tokenizer.

A tool that runs code (a Python REPL, a notebook cell, a Node sandbox) does what the
code's calls do, whatever the tool is called. This module reads Python and JavaScript
alike, without parsing either: strings, comments, names and brackets, in one pass that
never looks back, so its cost grows with the text and no further. What comes out:

* each call, by its dotted name in snake case (``s3.deleteBucket(...)`` is
  ``s3.delete_bucket``; a method on what a call returned, ``Path('/x').unlink()``, is
  ``.unlink`` with the call before it as its receiver), the tokens of its arguments, and
  the keyword each argument is given under;
* each assignment of a name (``url = '...'``, ``const cp = require('child_process')``,
  ``with urlopen(u) as r``), so that a call handed the name can be read with its value.

Nothing is evaluated: a name the code builds at run time is not followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._base import ActionView

__all__ = ["ARG_TOKENS", "Call", "Program", "program", "program_of", "shell_line"]

# What the tokenizer looks for next: a string's opening quote (with Python's prefixes),
# a comment, a name, an operator of two characters, or one punctuation character.
_LEX = re.compile(
    r"(?P<q>(?<![\w$])[rRbBuUfF]{0,2}(?:'''|\"\"\"|['\"`]))"
    r"|(?P<c>#|//|/\*)"
    r"|(?P<n>[A-Za-z_$][\w$]*)"
    r"|(?P<d>\d[\w.]*)"
    r"|(?P<o>==|!=|<=|>=|=>|:=|\*\*)"
    r"|(?P<p>[()\[\]{},;=.:/+\n])"
)
# Where each kind of string ends; each always matches (at the end of the text, or of the
# line for a one-line string), so an unclosed quote costs one scan, not one per start.
_ENDS = {
    "'": re.compile(r"(?:[^'\\\n]++|\\[\s\S])*+(?:'|(?=\n)|\\?\Z)"),
    '"': re.compile(r'(?:[^"\\\n]++|\\[\s\S])*+(?:"|(?=\n)|\\?\Z)'),
    "`": re.compile(r"(?:[^`\\]++|\\[\s\S])*+(?:`|\\?\Z)"),
    "'''": re.compile(r"(?:[^'\\]++|\\[\s\S]|'(?!''))*+(?:'''|\\?\Z)"),
    '"""': re.compile(r'(?:[^"\\]++|\\[\s\S]|"(?!""))*+(?:"""|\\?\Z)'),
}
_LINE_END = re.compile(r"[^\n]*")
_BLOCK_END = re.compile(r"(?:[^*]++|\*(?!/))*+(?:\*/|\Z)")
# JavaScript's marks: a declaration, an arrow, ``require``, the console, a function.
_JS = re.compile(
    r"\b(?:const|let|var)\s+[\w${\[]|=>|\brequire\s*\(|\bconsole\.\w|\bfunction\b"
    r"|\bprocess\.env\b|\bimport\s+[\w{*][^\n]{0,200}?\bfrom\s+['\"]"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Past this many tokens a text is read no further (the view caps arguments at 20,000
# characters already; this keeps the token list itself small).
_MAX_TOKENS = 12_000
_MAX_DEPTH = 200


@dataclass(slots=True)
class Call:
    """One call: its dotted name, where it is, and which tokens are its arguments."""

    name: str
    start: int
    end: int
    open: int
    close: int
    # The call whose result this one is a method of (``Path(p).unlink()``), or -1; the
    # name it is a method of when that is a plain name (``s3`` in ``s3.delete_bucket``).
    recv: int = -1
    base: str = ""
    # The tokens of the commas between its arguments (at its own depth).
    commas: list[int] = field(default_factory=list)

    @property
    def last(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(slots=True)
class Program:
    """What ``program`` read from one text."""

    text: str
    js: bool
    # (kind, start, end, value): kind is ``s`` (a string; value its content, start and
    # end its content's span), ``n`` (a name, value lowercased), ``d`` (a number), ``o``
    # (an operator) or the punctuation character itself.
    tokens: list[tuple[str, int, int, str]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    # Name -> (first token, end token) of each value assigned to it, in order.
    assigns: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # How many more tokens the rules may read through ``strings`` and ``names``: a few
    # times the text's own, so that calls nested in one another, each read over its
    # arguments, cost no more than a few passes over the text.
    budget: int = 0

    def _span(self, i: int, j: int) -> list[tuple[str, int, int, str]]:
        j = min(j, i + ARG_TOKENS)
        if j <= i or self.budget <= 0:
            return []
        self.budget -= j - i
        return self.tokens[i:j]

    def strings(self, i: int, j: int) -> list[tuple[int, int, str]]:
        """The strings among tokens ``i`` to ``j`` (start, end, content), at most
        ``ARG_TOKENS`` tokens read."""
        return [(t[1], t[2], t[3]) for t in self._span(i, j) if t[0] == "s"]

    def names(self, i: int, j: int) -> set[str]:
        """The names among tokens ``i`` to ``j``, as ``strings`` reads them."""
        return {t[3] for t in self._span(i, j) if t[0] == "n"}

    def args(self, call: Call) -> list[tuple[str, int, int]]:
        """Each argument of ``call`` as (keyword or "", first token, end token)."""
        out: list[tuple[str, int, int]] = []
        start = call.open + 1
        for k in (*call.commas, call.close):
            if k > start:
                out.append(_keyword(self.tokens, start, k))
            start = k + 1
        return out

    def value_of(self, name: str) -> list[tuple[int, int]]:
        """The token spans assigned to ``name`` (a plain name), in order."""
        return self.assigns.get(name, [])


# How many tokens of one call's arguments are read: a call is judged on its first few
# hundred, so that calls nested in one another are not each read in full.
ARG_TOKENS = 400


def _keyword(toks: list[tuple[str, int, int, str]], i: int, j: int) -> tuple[str, int, int]:
    """An argument as (keyword, first token, end token): ``data=x`` and ``method: 'POST'``
    are given under a keyword; a positional argument under ""."""
    if j - i >= 2 and toks[i][0] == "n" and toks[i + 1][0] in "=:":
        return toks[i][3], i + 2, j
    if j - i >= 2 and toks[i][0] == "s" and toks[i + 1][0] == ":":
        return toks[i][3].lower(), i + 2, j
    return "", i, j


def program(text: str) -> Program:
    """The tokens, calls and assignments of ``text`` (Python or JavaScript)."""
    js = _JS.search(text) is not None
    prog = Program(text, js)
    toks = prog.tokens
    # Open brackets: (token index, index into calls or -1).
    stack: list[tuple[int, int]] = []
    calls = prog.calls
    # The dotted name being read: its parts, where it starts, the call it follows.
    parts: list[str] = []
    name_start = 0
    recv = -1
    last_closed = -1  # the call whose ``)`` was the last token
    # An assignment at the top level or in a block (``{ const r = … }``): the name, the
    # first token of its value, and how many brackets were open.
    target = ""
    value_from = -1
    target_depth = 0
    prev = ""  # the kind of the last token
    pos = 0
    n = len(text)
    while pos < n and len(toks) < _MAX_TOKENS:
        m = _LEX.search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        pos = m.end()
        if kind == "q":
            quote = m.group().lstrip("rRbBuUfF")
            end = _ENDS[quote].match(text, pos)
            close = end.end() if end else n
            inner_end = close - len(quote) if text.endswith(quote, 0, close) else close
            toks.append(("s", pos, max(pos, inner_end), text[pos:inner_end]))
            pos = close
            parts = []
            prev = "s"
            continue
        if kind == "c":
            mark = m.group()
            if (mark == "#") != js:
                # ``#`` starts a comment in Python; ``//`` and ``/*`` in JavaScript
                # (in Python they divide, and in JavaScript ``#`` names a private field).
                end = (_BLOCK_END if mark == "/*" else _LINE_END).match(text, pos)
                pos = end.end() if end else n
                continue
            if mark == "#":
                continue
            toks.append(("/", m.start(), m.start() + 1, "/"))
            pos = m.start() + 1
            prev = "/"
            parts = []
            continue
        value = m.group()
        if kind == "n":
            if prev == "." and parts:
                parts.append(value)
            else:
                parts = [value]
                name_start = m.start()
                recv = last_closed if prev == "." else -1
            toks.append(("n", m.start(), pos, value.lower()))
            prev = "n"
            last_closed = -1
            continue
        if kind == "d":
            toks.append(("d", m.start(), pos, value))
            prev = "d"
            parts = []
            last_closed = -1
            continue
        if kind == "o":
            toks.append(("o", m.start(), pos, value))
            prev = "o"
            parts = []
            last_closed = -1
            continue
        # Punctuation.
        if value == ".":
            toks.append((".", m.start(), pos, "."))
            prev = "."
            continue
        if value == "(" and prev == "n" and parts:
            name = ".".join(_CAMEL.sub("_", p).lower() for p in parts)
            if recv >= 0:
                name = "." + name
            base = parts[0].lower() if len(parts) > 1 and recv < 0 else ""
            calls.append(Call(name, name_start, n, len(toks), len(toks), recv, base))
            if len(stack) < _MAX_DEPTH:
                stack.append((len(toks), len(calls) - 1))
        elif value in "([{":
            if len(stack) < _MAX_DEPTH:
                stack.append((len(toks), -1))
        elif value in ")]}" and stack:
            _, ci = stack.pop()
            if target and len(stack) < target_depth:
                prog.assigns.setdefault(target, []).append((value_from, len(toks)))
                target = ""
            if ci >= 0:
                calls[ci].close = len(toks)
                calls[ci].end = pos
            toks.append((value, m.start(), pos, value))
            prev = value
            parts = []
            last_closed = ci
            continue
        elif (
            value == "="
            and prev == "n"
            and len(parts) == 1
            and (not stack or toks[stack[-1][0]][0] == "{")
        ):
            if target:
                prog.assigns.setdefault(target, []).append((value_from, len(toks)))
            target, value_from, target_depth = parts[0].lower(), len(toks) + 1, len(stack)
        elif value == "," and stack and stack[-1][1] >= 0:
            calls[stack[-1][1]].commas.append(len(toks))
        elif value in "\n;" and target and len(stack) == target_depth:
            prog.assigns.setdefault(target, []).append((value_from, len(toks)))
            target = ""
        toks.append((value, m.start(), pos, value))
        prev = value
        parts = []
        last_closed = -1
    if target:
        prog.assigns.setdefault(target, []).append((value_from, len(toks)))
    for call in calls:
        if call.close == call.open:
            # Never closed: its arguments run to the end.
            call.close = len(toks)
    _with_as(prog)
    prog.budget = 4 * len(toks) + 4 * ARG_TOKENS
    return prog


def _with_as(prog: Program) -> None:
    """``with urlopen(u) as r`` binds ``r`` to what the line's call returned, as ``r =``
    would: the value is the line up to ``as``."""
    toks = prog.tokens
    line = 0
    for k in range(1, len(toks) - 1):
        t = toks[k]
        if t[0] == "\n":
            line = k + 1
        elif t[0] == "n" and t[3] == "as" and toks[k + 1][0] == "n" and toks[k - 1][0] == ")":
            prog.assigns.setdefault(toks[k + 1][3], []).append((line, k))


def program_of(view: ActionView, path: str, text: str) -> Program | None:
    """The program read from the argument at ``path``, once per view; None for text
    with no call in it."""
    key = ("program", path)
    hit = view.cache.get(key, _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    prog = program(text) if "(" in text else None
    view.cache[key] = prog
    return prog


_MISSING = object()

# Calls that hand their arguments to a shell or start a program, whatever they are a
# method of; and those that do only as a method of a process module.
_SHELL_RUNS = frozenset(
    ("system", "popen", "popen2", "popen3", "getoutput", "getstatusoutput", "check_output",
     "check_call", "exec_sync", "spawn_sync", "exec_file_sync", "shell_exec", "passthru",
     "proc_open", "create_subprocess_shell", "create_subprocess_exec", "execl", "execle",
     "execlp", "execlpe", "execv", "execve", "execvp", "execvpe", "spawnl", "spawnle",
     "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe")
)  # fmt: skip
_SHELL_RUNS_ON = frozenset(("run", "call", "exec", "spawn", "exec_file", "command"))
_PROCESS_MODULES = frozenset(
    ("os", "subprocess", "sp", "child_process", "childprocess", "cp", "commands", "pty",
     "asyncio", "deno", "bun")
)  # fmt: skip


def _runs_shell(prog: Program, call: Call) -> bool:
    last = call.last
    if last in _SHELL_RUNS:
        return True
    if last not in _SHELL_RUNS_ON:
        return False
    owner = call.base
    if owner:
        if owner in _PROCESS_MODULES:
            return True
        return any(
            s[2] in ("child_process", "subprocess", "node:child_process")
            for i, j in prog.value_of(owner)[-1:]
            for s in prog.strings(i, min(j, i + 20))
        )
    if call.recv >= 0:
        recv = prog.calls[call.recv]
        return recv.last == "require" and any(
            "child_process" in s[2] for s in prog.strings(recv.open, min(recv.close, recv.open + 5))
        )
    # A bare ``run(…)`` imported from the process module (``from subprocess import
    # run``); Python's own ``exec`` runs Python, not a shell.
    if last == "exec" and not prog.js:
        return False
    return "subprocess" in prog.text or "child_process" in prog.text


def shell_line(prog: Program, low: str) -> str | None:
    """``low`` (the program's text, lowercased) with only what the code hands to a shell
    or starts as a program kept: each such call's string arguments, and the strings of
    the names it is handed, an argv list read as one command line (``["rm", "-rf", p]``
    reads ``rm -rf``). Everything else is blanked to spaces, so positions stay those of
    the text; each call's command starts on a line of its own. None when there is none,
    or when each command is one string already written in place (``os.system("…")``),
    which the text itself shows."""
    if len(low) != len(prog.text):
        return None
    kept: list[str] | None = None
    needed = False
    for call in prog.calls:
        if not _runs_shell(prog, call):
            continue
        spans: list[tuple[int, int, str]] = []
        for kw, i, j in prog.args(call):
            if kw and kw not in ("args", "cmd", "command"):
                continue
            spans.extend(prog.strings(i, j))
            for name in prog.names(i, j):
                for a, b in prog.value_of(name)[-1:]:
                    found = prog.strings(a, b)
                    needed = needed or bool(found)
                    spans.extend(found)
        if not spans:
            continue
        needed = needed or len(spans) > 1
        if kept is None:
            kept = [" "] * len(low)
        spans.sort()
        for s, e, _ in spans:
            kept[s:e] = low[s:e]
        if spans[0][0] > 0:
            kept[spans[0][0] - 1] = "\n"
    if kept is None or not needed:
        return None
    line = "".join(kept)
    return line if line.strip() else None
