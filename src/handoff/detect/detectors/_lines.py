"""The command lines a call runs, read out of its arguments.

A terminal runs what it is given under any key; another tool runs only what sits under
a key that names a command (``command``, ``script``, ``code``...), anywhere below it,
and a list of words there is one line read joined. A launcher's quoted line (``bash -c
'...'``, ``ssh host '...'``) is a command of its own. A tool that runs notebook cells
(``run_cell``, ``notebook.execute``) also runs what it is given as a cell's ``source``,
and a cell's ``!`` or ``%system`` line is handed to the shell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._base import ActionView, wordset
from ._calls import program_of, shell_line
from ._effects import TERMINAL, cli_line, command_is_verb

__all__ = [
    "RUN_KEYS",
    "code_texts",
    "command_lines",
    "routine_chmod",
    "runs_commands",
    "transfers",
]

RUN_KEYS = frozenset(
    ("command", "cmd", "script", "shell", "code", "exec", "cmdline", "command_line", "commands")
)
# A notebook names a cell's code by these keys; they run only for a tool that runs cells.
_CELL_KEYS = frozenset(("source", "cell", "cells", "snippet", "input", "program", "query"))
# Modes that make one's own script executable or keep a file to its owner (``600`` on a
# key is what ssh asks for); opening files to everyone is not among them.
_ROUTINE_CHMOD = re.compile(
    r"chmod\s+(?:-r\s+)?(?:[uga]?\+x|0?(?:755|750|700|744|775|711|600|400|640|644|440|444)"
    r"|(?:[ugo]*[go][ugo]*)-[rwx]+)(?:\s+[^\s;&|]+)+"
)
_RUN_VERBS = wordset("run runs execute exec eval evaluate")
_CELL_WORDS = wordset(
    "cell cells notebook notebooks jupyter ipython kernel colab python python3 code snippet "
    "interpreter repl js javascript node nodejs deno typescript"
)
# A name that is only a language's runtime (``python``, ``node``) runs what it is given.
_RUNTIMES = wordset("python python3 ipython node nodejs deno javascript tool")


def _runs_cells(view: ActionView) -> bool:
    """The tool runs notebook cells or code snippets: a verb that runs and a word that
    names code (``notebook.edit_cell`` only edits, so its ``source`` runs nothing), or a
    name that is a runtime's alone (``python``)."""
    words = view.word_set
    if words and words <= _RUNTIMES and words != {"tool"}:
        return True
    return not words.isdisjoint(_RUN_VERBS) and not words.isdisjoint(_CELL_WORDS)


def _terminal(view: ActionView) -> bool:
    return not TERMINAL.isdisjoint(view.word_set)


# A keyboard primitive's text, ended by Enter, runs where the focus is: a terminal's
# prompt, as often as not (``computer`` with ``action: type``, ``keyboard.type``).
_TYPE_WORDS = wordset("type typing keyboard keystrokes xdotool")
_TYPED_KEYS = frozenset(("text", "keys", "value", "input"))


def _typed(view: ActionView) -> bool:
    if view.key_set.isdisjoint(_TYPED_KEYS):
        return False
    if not view.word_set.isdisjoint(_TYPE_WORDS):
        return True
    action = view.first_arg(("action",))
    return action is not None and action.strip().lower() in ("type", "typing")


def runs_commands(view: ActionView) -> bool:
    """Whether any argument of the call may be a command line it runs (worked out once
    per view: several detectors ask)."""
    hit = view.cache.get("runs_commands")
    if isinstance(hit, bool):
        return hit
    keys = view.key_set
    runs = (
        _terminal(view)
        or cli_line(view) is not None
        or not keys.isdisjoint(RUN_KEYS)
        or (not keys.isdisjoint(_CELL_KEYS) and _runs_cells(view))
        or _typed(view)
    )
    view.cache["runs_commands"] = runs
    return runs


def _under_run_key(path: str) -> bool:
    """Whether an argument sits anywhere under a key that runs (``args.script.lines[0]``)."""
    return "." in path[5:] and not RUN_KEYS.isdisjoint(
        part.split("[", 1)[0].lower() for part in path.split(".")[1:-1]
    )


# A command that runs the quoted line after it: a shell's ``-c``, ``cmd /c``,
# PowerShell's ``-Command``, ``su -c``, a remote or container shell, ``watch``.
_LAUNCHER = re.compile(
    r"\b(?:(?:ba|z|da|k|fi)?sh(?:\s+-\w+)*\s+-\w*c|cmd(?:\.exe)?\s+/[ck]"
    r"|(?:powershell|pwsh)(?:\.exe)?(?:\s+-\w+)*\s+-c(?:ommand)?)\s+(['\"])"
    r"|\b(?:ssh|su|runuser|watch|ansible|(?:docker|podman|kubectl)\s+exec)\s[^'\"|;&\n]{0,300}?"
    r"(['\"])"
)
# One word that, as a command, throws data away or stops a machine.
_ONE_WORD_RUNS = frozenset(("flushall", "flushdb", "shutdown", "reboot", "poweroff", "halt"))
# IPython hands a line that starts with ``!``, ``!!``, ``%sx`` or ``%system`` to the shell.
_SHELL_ESCAPE = re.compile(r"^[ \t]*(?:!!?|%(?:sx|system)\b)", re.M)


def _launched(low: str) -> str | None:
    """``low`` with only the quoted lines a launcher in it runs kept, the rest blanked to
    spaces, so that positions stay those of ``low``; None when nothing is launched."""
    if "'" not in low and '"' not in low:
        return None
    kept: list[str] | None = None
    for m in _LAUNCHER.finditer(low):
        start = m.end()
        end = low.find(low[start - 1], start)
        if end < 0:
            end = len(low)
        if kept is None:
            kept = [" "] * len(low)
        kept[start:end] = low[start:end]
    if kept is None:
        return None
    for i, ch in enumerate(kept):
        if ch in "'\"":
            kept[i] = " "
    line = "".join(kept)
    return line if line.strip() else None


def _escaped(low: str) -> str | None:
    """``low`` with each notebook shell escape blanked to spaces (``!rm -rf x`` reads
    `` rm -rf x``), positions kept; None when it has none."""
    if "!" not in low and "%" not in low:
        return None
    line = _SHELL_ESCAPE.sub(lambda m: " " * len(m.group()), low)
    return None if line == low else line


def code_texts(view: ActionView) -> Iterator[tuple[str, str]]:
    """(path, text) of each argument the call runs as code or as a command line: under
    a key that runs, a notebook's cell, anything a terminal is given, the line a tool
    named after a command-line program runs."""
    if not runs_commands(view):
        return
    cli = cli_line(view)
    if cli is not None:
        yield cli
        return
    terminal = _terminal(view)
    cells = not view.key_set.isdisjoint(_CELL_KEYS) and _runs_cells(view)
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if terminal or key in RUN_KEYS or (cells and key in _CELL_KEYS) or _under_run_key(path):
            yield path, text


def command_lines(view: ActionView) -> Iterator[tuple[str, str, str]]:
    """(path, text, lowercased text) of each command line the call runs; the lowercased
    text of a launched or escaped line, or of the commands code hands to a shell
    (``subprocess.run(["rm", "-rf", p])``), keeps the positions of ``text``."""
    cli = cli_line(view)
    if cli is not None:
        yield cli[0], cli[1], cli[1].lower()
        return
    terminal = _terminal(view)
    cells = not view.key_set.isdisjoint(_CELL_KEYS) and _runs_cells(view)
    typed = _typed(view)
    words: dict[str, list[str]] = {}
    for (path, text), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        runs = (
            terminal
            or key in RUN_KEYS
            or (cells and key in _CELL_KEYS)
            or (typed and key in _TYPED_KEYS and ("\n" in text or "\r" in text))
        )
        if not runs and not _under_run_key(path):
            continue
        if path.endswith("]"):
            words.setdefault(path[: path.rindex("[")], []).append(text)
        if not command_is_verb(text) or low.strip() in _ONE_WORD_RUNS:
            yield path, text, low
            inner = _launched(low)
            if inner is not None:
                # ``bash -c 'rm -rf /srv'``: the quoted line is a command of its own.
                yield path, text, inner
            escaped = _escaped(low)
            if escaped is not None:
                yield path, text, escaped
            prog = program_of(view, path, text)
            handed = None if prog is None else shell_line(prog, low)
            if handed is not None:
                yield path, text, handed
    for path, parts in words.items():
        if len(parts) > 1:
            line = " ".join(parts)
            yield path, line, line.lower()


def routine_chmod(command: str) -> bool:
    """Whether the lowercased ``command``, from its ``chmod`` to the end of that command,
    only makes a file executable or keeps it to its owner."""
    return _ROUTINE_CHMOD.fullmatch(command.split("&&")[0].split(";")[0].strip()) is not None


def transfers(
    view: ActionView,
    line: re.Pattern[str] | None,
    sources: frozenset[str],
    dests: frozenset[str] | None,
) -> list[tuple[str, str, str]]:
    """(source, destination, where) of each copy or move the call makes, lowercased.

    A command line ``line`` matches names its sources and, last, its destination (flags
    dropped); arguments name them under a key of ``sources`` and the first key of
    ``dests``. ``None`` skips that reading."""
    out: list[tuple[str, str, str]] = []
    if line is not None and runs_commands(view):
        for path, _text, low in command_lines(view):
            for m in line.finditer(low):
                words = [w for w in m.group(1).split() if not w.startswith("-")]
                out.extend((w, words[-1], path) for w in words[:-1])
    if dests is None:
        return out
    found: list[tuple[str, str]] = []
    dest = ""
    for (path, _), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True):
        if key in sources:
            found.append((path, low.strip()))
        elif key in dests and not dest:
            dest = low.strip()
    if dest:
        out.extend((source, dest, path) for path, source in found)
    return out
