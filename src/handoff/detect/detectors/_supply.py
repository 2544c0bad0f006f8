"""The build and review chain loosened: what ships next carries secrets out, or skips
the people and hooks that would have stopped it.

* a pipeline or build file that prints a secret into the build log (``echo
  ${{ secrets.NPM_TOKEN }}``, ``echo $DEPLOY_TOKEN``): ``secrets.access``;
* a ``pull_request_target`` workflow that checks out the pull request's own head and
  hands it secrets, so anyone's fork runs with them: ``secrets.outward``;
* an install hook in ``package.json`` (``preinstall``, ``postinstall``, ``prepare``)
  that reads the environment and contacts a host: ``code.exfiltration``;
* a commit or push told to skip its hooks (``--no-verify``) after a secret scanner in
  an earlier step reported a leak: ``code.control_weakened``;
* an owner line taken out of ``CODEOWNERS``, so that path merges without its owners'
  review: ``action.permissions``.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal
from ._commands import PRINTS_SECRET
from ._edits import Edit, edits, live

__all__ = ["detect_supply"]

_PIPELINE = re.compile(
    r"\.github/workflows/|\.gitlab-ci|jenkinsfile|\.circleci/|azure-pipelines|bitbucket-pipelines"
    r"|\.travis\.yml|\.buildkite/|(?:^|/)(?:makefile|justfile|package\.json)$|\.(?:sh|bash)$"
)
_PRINTS = re.compile(PRINTS_SECRET)
_HEAD = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/|\.head\.repo\."
)
_HOOK = re.compile(
    r"\"(preinstall|install|postinstall|prepare|prepack|prepublish(?:only)?)\"\s*:\s*\"((?:[^\"\\]|\\.)*)\""
)
_ENV = re.compile(r"\bprocess\.env\b|\bprintenv\b|\benv\b|\$\{?[a-z_]*(?:token|secret|key)")
_NET = re.compile(
    r"\bhttps?\b|\bfetch\(|\brequest\(|\bhost\s*:|\bcurl\b|\bwget\b|\bnet\.connect\b|\bdns\b"
    r"|\bsocket\b|\bnc\s"
)
_SCANNER = re.compile(
    r"\b(?:gitleaks|trufflehog|detect-secrets|ggshield|git-secrets|talisman|secretlint)\b"
    r"|\b(?:leaks?|secrets?|credentials?)\s+(?:found|detected)\b|\bfound\s+\d+\s+(?:leaks?|secrets?)"
    r"|\bpotential\s+secrets?\b"
)
_LEAK = re.compile(r"\bleak|\bsecret|\bcredential|\btoken|\bfinding")
_CLEAN = re.compile(r"\bno\s+(?:leaks?|secrets?|findings?)\b|\b0\s+(?:leaks?|secrets?|findings?)\b")
_NO_VERIFY = re.compile(
    r"\bgit\s+(?:-c\s+\S+\s+)*(?:commit|push|merge|rebase|cherry-pick|am)\b[^|;&\n]{0,300}?"
    r"\s--no-verify\b"
    r"|\bgit\s+commit\b[^|;&\n]{0,300}?\s-[a-z]*n[a-z]*\b|\bskip=[\w,-]*(?:gitleaks|secret|leak)"
    r"|\bcore\.hookspath=/dev/null\b|\bhusky=0\b"
)
_OWNERS = re.compile(r"(?:^|/)codeowners$")
_OWNER_LINE = re.compile(r"(?m)^[ \t]*[^#\s]\S*[ \t]+(?:@|\S+@\S+)")


def detect_supply(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for a build or review chain that leaks secrets or skips its checks."""
    out: list[Signal] = []
    for e in edits(view):
        found = _chain(e)
        if found:
            code, line, why = found
            out.append(_signal(code, why, e.where, line))
            break
    skipped = _hook_skipped(view)
    if skipped:
        out.append(skipped)
    return out


def _signal(code: str, why: str, where: str, line: str) -> Signal:
    return Signal(
        code,
        why,
        where=where,
        excerpt=line.strip()[:120],
        weight=0.8,
        impact=0.6,
        reversibility=0.4,
        sensitivity=0.85,
    )


def _chain(e: Edit) -> tuple[str, str, str] | None:
    old, new = live(e.old or ""), live(e.new)
    if _PIPELINE.search(e.target):
        printed = _added(_PRINTS, old, new)
        if printed:
            return "secrets.access", printed, "The build prints a secret's value into its log"
    if "pull_request_target" in new + old and "secrets." in new:
        head = _added(_HEAD, old, new)
        if head:
            return (
                "secrets.outward",
                head,
                "A pull_request_target workflow runs the pull request's own code with the "
                "repository's secrets",
            )
    if e.target.endswith("package.json"):
        before = {m.group(1): m.group(2) for m in _HOOK.finditer(old)}
        for m in _HOOK.finditer(new):
            cmd = m.group(2)
            if before.get(m.group(1)) != cmd and _ENV.search(cmd) and _NET.search(cmd):
                return (
                    "code.exfiltration",
                    m.group(0),
                    "An install hook reads the environment and contacts a host on every install",
                )
    if _OWNERS.search(e.target) and e.old is not None:
        owners = _OWNER_LINE.findall(old)
        if len(_OWNER_LINE.findall(new)) < len(owners):
            return (
                "action.permissions",
                str(owners[0]),
                "An owner line is taken out of CODEOWNERS: that path merges without its "
                "owners' review",
            )
    return None


def _added(rx: re.Pattern[str], old: str, new: str) -> str | None:
    found = [ln for ln in new.split("\n") if rx.search(ln)]
    if found and len(found) > sum(1 for ln in old.split("\n") if rx.search(ln)):
        return found[-1]
    return None


def _hook_skipped(view: ActionView) -> Signal | None:
    """A commit or push that skips its hooks after an earlier step's secret scanner
    reported a leak: the leak goes in with it."""
    low = view.args_lower
    if "git" not in low and "skip=" not in low and "hook" not in low and "husky" not in low:
        return None
    m = _NO_VERIFY.search(low)
    if m is None or view.action.context is None:
        return None
    for step in view.action.context.steps:
        seen = (step.observation or "").lower()
        if _SCANNER.search(seen) and _LEAK.search(seen) and not _CLEAN.search(seen):
            return _signal(
                "code.control_weakened",
                "The commit skips its hooks right after a secret scanner reported a leak",
                "args",
                m.group(0),
            )
    return None
