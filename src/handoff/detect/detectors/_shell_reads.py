"""What a shell command line does, command by command: which commands only read
(``ls``, ``cat``, ``git status``), which change files here, which reach the network and
which delete. ``_effects.effect_of`` reads a terminal's command with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import wordset
from ._plain import shell_plain

__all__ = ["shell_effects"]

# Shell: what a command line does, command by command.
_SHELL_SPLIT = re.compile(r"&&|\|\||;|\n|\|")
_SHELL_READ = wordset(
    "ls ll cat head tail less more grep egrep fgrep rg ag find pwd echo printf wc stat file "
    "du df which whereis whoami id date uname hostname ps top htop free uptime tree diff "
    "sort uniq cut awk jq yq xxd od strings md5sum sha256sum sha1sum basename dirname "
    "realpath readlink env printenv type history true false test cd sleep nslookup dig "
    "host ping traceroute man help column nl tac"
)
_SHELL_LOCAL = wordset(
    "mkdir touch cp mv tar zip unzip gzip gunzip bzip2 xz ln python python3 node npm npx "
    "pip pip3 pytest make cargo go java javac gcc cc tsc yarn pnpm ruby perl php bundle "
    "poetry uv conda source export set alias git sed tee patch dos2unix sqlite3 psql mysql "
    "docker kubectl bash sh zsh chmod"
)
_GIT_READ = wordset("status log diff show branch remote ls-files blame rev-parse describe")
_GIT_OUT = wordset("push send-email request-pull")
_REDIRECT = re.compile(r"(?<![0-9&])>{1,2}\s*(?!&|/dev/null)")


@lru_cache(maxsize=8192)
def shell_effects(command: str) -> tuple[frozenset[str], bool]:
    """(families, read only) of a shell command line; unknown commands are changes."""
    fams: set[str] = set()
    read_only = True
    low = shell_plain(command.lower())
    if _REDIRECT.search(low):
        read_only = False
        fams.add("change")
    for part in _SHELL_SPLIT.split(low):
        tokens = part.strip().split()
        while tokens and ("=" in tokens[0] or tokens[0] in ("sudo", "nohup", "time", "env")):
            tokens = tokens[1:]
        if not tokens:
            continue
        cmd = tokens[0].rsplit("/", 1)[-1]
        if cmd in _SHELL_READ:
            if cmd == "find" and ("-delete" in tokens or "-exec" in tokens):
                fams.add("destroy")
                read_only = False
            continue
        if cmd == "git" and len(tokens) > 1:
            if tokens[1] in _GIT_OUT or tokens[1:3] in (["remote", "add"], ["remote", "set-url"]):
                # Where the repository's contents go from now on, or go at once.
                fams.add("network")
                read_only = False
                continue
            if tokens[1] in _GIT_READ:
                continue
        if cmd == "sed" and not any(t.startswith("-i") for t in tokens[1:]):
            continue
        read_only = False
        if cmd in ("rm", "rmdir", "shred", "unlink", "truncate", "dd", "mkfs"):
            fams.add("destroy")
        elif cmd in ("curl", "wget", "scp", "rsync", "ftp", "sftp", "nc", "ncat", "mail"):
            fams.add("network")
        elif cmd in _SHELL_LOCAL:
            fams.add("code" if cmd not in ("mkdir", "touch", "cp", "mv", "ln") else "change")
        else:
            fams.add("code")
    return frozenset(fams), read_only
