"""A person's whole folder moved: their home, or a folder where they keep their own
files (Documents, Desktop, Pictures, Downloads, Music, Videos, …).

``mv ~/Documents /tmp/x`` and ``move_file {"source": "/home/u/Documents", …}`` carry off
everything kept there at once. Where it lands in a temporary, trash or hidden place it is
as good as lost (``action.destructive``); anywhere else every program and link that
looked there finds nothing, and the person never asked for it
(``scope.beyond_instruction``). Moving one file out of such a folder, copying it, and a
move the person asked for by the folder's name, run.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, beyond_instruction, wordset
from ._effects import effect_of
from ._errand import person_text
from ._lines import transfers

__all__ = ["detect_user_folders"]

_FOLDERS = (
    r"documents|my documents|desktop|pictures|photos|downloads|music|videos|movies|mail"
    r"|onedrive|dropbox"
)
# The home folder itself, or one of its own folders, whole (``~/Documents``, ``…/*``).
_WHOLE = re.compile(
    r"^[\"']?(?:~|\$home|\$\{home\}|%userprofile%|/home/[\w.-]{1,64}|/users/[\w. -]{1,64}"
    r"|/root|[a-z]:\\users\\[\w. -]{1,64})"
    rf"(?:[/\\](?P<folder>{_FOLDERS}))?[/\\]?\*?[\"']?$"
)
# Where what is moved is as good as lost: a temporary place, the trash, a hidden folder.
_LOST = re.compile(
    r"^[\"']?(?:/tmp\b|/var/tmp\b|/dev/shm\b|/private/(?:tmp|var/folders)\b|\$tmpdir\b"
    r"|%temp%|[a-z]:\\(?:windows\\)?te?mp\b)"
    r"|\.trash\b|/trash/|\$recycle\.bin|(?:^|[/\\])\.(?!\.?[/\\]|\.)[^/\\\s]"
)
# A move on a command line: ``mv``, PowerShell's ``Move-Item`` and ``move``.
_MOVE = re.compile(r"(?:^|[;&|(\n]|\bsudo)[ \t]*(?:mv|move-item|move)[ \t]+([^;&|\n]{1,600})")
_MOVES = wordset("move mv rename relocate")
_SOURCE_KEYS = frozenset(
    ("source", "src", "from", "from_path", "old_path", "source_path", "path", "folder",
     "directory", "dir")
)  # fmt: skip
_DEST_KEYS = frozenset(
    ("destination", "dest", "dst", "to", "to_path", "new_path", "target", "target_path", "new_name")
)
_MOVE_ASKED = re.compile(r"\b(?:move|moving|relocate|transfer|migrate|rename|archive|put)\b")


def detect_user_folders(view: ActionView, config: DetectConfig) -> list[Signal]:
    """A move whose source is a person's home, or a whole folder of their own files."""
    if effect_of(view).read_only:
        return []
    for source, dest, where in _moves(view):
        m = _WHOLE.match(source)
        if m is None:
            continue
        folder = (m.group("folder") or "home").strip()
        if _asked(view, folder):
            return []
        if _LOST.search(dest):
            return [
                Signal(
                    "action.destructive",
                    f"The call moves the person's whole {folder} folder ({source}) to "
                    f"{dest}, where it is as good as lost",
                    where=where,
                    excerpt=f"{source} -> {dest}"[:120],
                    weight=0.85,
                    impact=0.75,
                    reversibility=0.6,
                    sensitivity=0.6,
                )
            ]
        if not view.instruction.strip():
            return []
        return [
            beyond_instruction(
                f"{view.tool} moves the person's whole {folder} folder ({source}) to {dest}, "
                "which the request never asked for",
                view.tool,
            )
        ]
    return []


def _moves(view: ActionView) -> list[tuple[str, str, str]]:
    """(source, destination, where) of each move the call makes, lowercased."""
    low_all = view.args_lower
    line = _MOVE if "mv" in low_all or "move" in low_all else None
    keyed = None if _MOVES.isdisjoint(view.word_set) else _DEST_KEYS
    return transfers(view, line, _SOURCE_KEYS, keyed)


def _asked(view: ActionView, folder: str) -> bool:
    """The person asked to move that folder: their words name it and a move."""
    said = person_text(view, view.instruction)
    name = "home" if folder == "home" else folder
    return name in said and _MOVE_ASKED.search(said) is not None
