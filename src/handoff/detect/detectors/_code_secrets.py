"""Secrets in code a tool runs: where it reads them and where it builds their paths.

* A read of a secret environment variable (``os.environ["AWS_SECRET_ACCESS_KEY"]``,
  ``os.getenv("STRIPE_SECRET_KEY")``, ``process.env.GITHUB_TOKEN``) or of the whole
  environment (``dict(os.environ)``, ``JSON.stringify(process.env)``), and every name
  assigned from one: ``_program`` asks whether a call's arguments carry one.
* A credentials file's path built from parts (``Path.home() / ".aws" / "credentials"``):
  no one part names the file, so the pattern for where credentials live sees it only
  joined.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from ._calls import Call, Program
from ._credentials import SECRET_PATH

__all__ = ["Secrets", "carries", "secret_path", "secrets_of"]

# An environment variable whose name says it holds a secret.
_SECRET_ENV = re.compile(
    r"(?:secret|token|passw(?:or)?d|pwd|private_?key|api_?key|access_?key|credential|auth_key)",
    re.I,
)
_ENV_READERS = frozenset(("environ", "getenv", "env"))
_NONE = ("", 0, 0, "")


@dataclass(frozen=True, slots=True)
class Secrets:
    """The tokens where the code reads a secret, in order, and the names that hold one;
    the same for the whole environment, which is printed while debugging as a matter of
    course (as ``printenv`` is) and counts only when it is sent."""

    reads: list[int]
    names: frozenset[str]
    whole: list[int]
    whole_names: frozenset[str]


def secrets_of(prog: Program) -> Secrets:
    """Where ``prog`` reads a secret variable or the whole environment, and the names
    assigned from such a read."""
    toks = prog.tokens
    reads: list[int] = []
    whole: list[int] = []
    for k, t in enumerate(toks):
        if t[0] != "n" or t[3] not in _ENV_READERS:
            continue
        nxt = toks[k + 1] if k + 1 < len(toks) else _NONE
        after = toks[k + 2] if k + 2 < len(toks) else _NONE
        before = toks[k - 1] if k else _NONE
        key = ""
        if nxt[0] in "[(" and after[0] == "s":
            key = after[3]
        elif nxt[0] == "." and after[0] == "n":
            key = prog.text[after[1] : after[2]]
            if after[3] == "get" and k + 4 < len(toks) and toks[k + 4][0] == "s":
                key = toks[k + 4][3]
        elif before[0] == "." and t[3] != "getenv" and nxt[0] not in "[(.":
            # The environment itself, as a value: ``dict(os.environ)``, ``process.env``.
            whole.append(k)
            continue
        if key and _SECRET_ENV.search(key):
            reads.append(k)
    return Secrets(reads, _holding(prog, reads), whole, _holding(prog, whole))


def _holding(prog: Program, reads: list[int]) -> frozenset[str]:
    """The names assigned a value that holds one of ``reads``."""
    if not reads:
        return frozenset()
    names = set()
    for name, values in prog.assigns.items():
        for i, j in values:
            at = bisect_left(reads, i)
            if at < len(reads) and reads[at] < j:
                names.add(name)
                break
    return frozenset(names)


def carries(
    prog: Program, call: Call, found: Secrets, skip: frozenset[str], whole: bool = True
) -> bool:
    """Whether ``call``'s arguments (but those under a keyword in ``skip``) hold a secret:
    a read in place, or a name that holds one; the whole environment too, if ``whole``."""
    reads, names = found.reads, found.names
    if whole and found.whole:
        reads = sorted(reads + found.whole)
        names = names | found.whole_names
    if not reads:
        return False
    for kw, i, j in prog.args(call):
        if kw in skip:
            continue
        at = bisect_left(reads, i)
        if at < len(reads) and reads[at] < j:
            return True
        if names and not names.isdisjoint(prog.names(i, j)):
            return True
    return False


def secret_path(prog: Program) -> tuple[int, int, str] | None:
    """A credentials file's path the code builds from parts: strings joined by ``/``,
    ``+`` or as the arguments of a join (``os.path.join(home, '.aws', 'credentials')``),
    as (start, end, the joined path)."""
    run: list[tuple[int, int, str]] = []
    gap = 0
    for t in prog.tokens:
        if t[0] == "s":
            run.append((t[1], t[2], t[3]))
            gap = 0
            continue
        if t[0] in "/+,)(" or (t[0] == "n" and gap == 0):
            gap += 1
            if gap <= 3:
                continue
        found = _joined(run)
        if found is not None:
            return found
        run, gap = [], 0
    return _joined(run)


def _joined(run: list[tuple[int, int, str]]) -> tuple[int, int, str] | None:
    if len(run) < 2:
        return None
    parts = [s.strip("/\\") for _, _, s in run[-8:] if len(s) < 200]
    joined = "/".join(p for p in parts if p)
    if SECRET_PATH.search(joined) and not any(SECRET_PATH.search(p) for p in parts):
        return run[0][0], run[-1][1], joined
    return None
