"""The command line a tool named after a command-line program runs.

A tool named after a program (``git``, ``kubectl``, ``aws``) and given that program's
arguments, as one string (``kubectl {"args": "get pods"}``) or as a list of words
(``git {"args": ["push", "--force", "origin", "main"]}``), runs the line
``<program> <arguments>``: it is read as that line, as a shell call running it would be.
A word of a list is passed as it is, not split by a shell: one with spaces in it is
read quoted.
"""

from __future__ import annotations

import shlex

from ._base import ActionView, wordset

__all__ = ["CLIS", "cli_line"]

CLIS = wordset("kubectl helm terraform docker podman git gh aws gcloud gsutil az oc psql mysql")
_CLI_KEYS = ("args", "argv", "arguments", "subcommand", "input", "command", "cmd")
# A list longer than this is read only this far.
_MAX_WORDS = 200


def _listed(view: ActionView, index: int) -> str:
    """The words of the list whose first string is argument ``index``, joined as a shell
    line; numbers in it are words too (``--retention-in-days 1``)."""
    path = view.args[index][0]
    prefix = path[: path.rindex("[") + 1]
    items: list[tuple[int, str]] = []
    for entries in (view.args, view.numbers):
        for p, value in entries:
            if not p.startswith(prefix) or not p.endswith("]"):
                continue
            at = p[len(prefix) : -1]
            if not at.isdigit():
                continue
            if isinstance(value, float):
                word = str(int(value)) if value.is_integer() else str(value)
            else:
                word = value
            items.append((int(at), word))
            if len(items) >= _MAX_WORDS:
                break
    items.sort()
    return " ".join(shlex.quote(w) for _, w in items)


def cli_line(view: ActionView) -> tuple[str, str] | None:
    """(argument, line) for a tool named after a command-line program and given its
    arguments: ``kubectl {"args": "get pods"}`` runs ``kubectl get pods``, and
    ``git {"command": "push", "args": ["--force", "origin"]}`` runs
    ``git push --force origin`` (worked out once per view)."""
    if len(view.words) != 1 or view.words[0] not in CLIS:
        return None
    hit = view.cache.get("cli_line", _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    out = _read(view)
    view.cache["cli_line"] = out
    return out


_MISSING = object()


def _part(view: ActionView, index: int, text: str) -> tuple[str, str]:
    """(argument, text) of the argument at ``index``, a list's words joined."""
    path = view.args[index][0]
    if path.endswith("]"):
        return path[: path.rindex("[")], _listed(view, index).strip()
    return path, text.strip()


def _read(view: ActionView) -> tuple[str, str] | None:
    hits = sorted(view.first_index[k] for k in _CLI_KEYS if k in view.first_index)
    if not hits:
        return None
    where, line = _part(view, hits[0][0], hits[0][1])
    if not line:
        return None
    if len(hits) > 1 and " " not in line:
        # A subcommand and its arguments apart: ``{"command": "push", "args": [...]}``.
        line = f"{line} {_part(view, hits[1][0], hits[1][1])[1]}".strip()
    program = view.words[0]
    line = line if line.split(None, 1)[0] == program else f"{program} {line}"
    return where, line
