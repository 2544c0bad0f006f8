"""Access and limit checks gutted by an edit: the code still runs, but lets everyone in.

Read on an edit's before and after (``_edits``), outside test files, each a
``code.control_weakened``:

* a check's result replaced by a constant: ``return user.has_role(r)`` becomes
  ``return True``, or a condition becomes ``if False:`` or gains ``or True``;
* a refusal taken out: ``raise PermissionDenied``, ``abort(403)``, ``raise
  LimitExceeded`` gone, with nothing of the kind in its place;
* a verifying call deleted: ``verify_signature(...)``, ``hmac.compare_digest``,
  ``check_password``, ``authorize(...)``;
* a login, attempt or rate limit raised a thousandfold or to infinity;
* every host or origin let in (``ALLOWED_HOSTS = ['*']``, ``CORS_ALLOW_ALL_ORIGINS =
  True``) in a production settings file.

A refactor that keeps the check, a renamed variable, and the same change in a
development settings file are none of these.
"""

from __future__ import annotations

import math
import re

from ._base import ActionView, DetectConfig, Signal
from ._edits import Edit, edits, live

__all__ = ["detect_gates"]

_TEST_FILE = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__)/|(?:^|/)test_[\w-]+\.py$|_test\.(?:py|go|rb)$"
    r"|\.(?:test|spec)\.[jt]sx?$|(?:^|/)conftest\.py$"
)
_PROSE = re.compile(r"\.(?:md|markdown|txt|rst|adoc)$|readme")
_CONTROL_PATH = re.compile(
    r"auth|permission|access|acl|guard|polic|role|secur|verif|login|session|middleware|limit"
)
_ACCESS = re.compile(
    r"\b(?:has_\w+|is_(?:admin|staff|superuser|authenticated|owner|allowed|authorized|member"
    r"|active)|can_\w+|check_\w+|verify\w*|permission\w*|authori[sz]\w*|allowed\w*|roles?"
    r"|scopes?|owner\w*|acl|grants?)\b"
)
# Spaces and tabs, not ``\s``, at a line's ends: a run of blank lines is read once.
_RETURN = re.compile(r"(?m)^[ \t]*return[ \t]+(.+?)[ \t]*;?[ \t]*$")
_CONSTANT = re.compile(r"^(?:true|false|none|null|nil|0|1|yes|no)$")
_DENY = re.compile(
    r"\b(?:raise|throw\s+new|throw)\s+\w*(?:permission|forbidden|unauthori[sz]ed|accessdenied"
    r"|notauthenticated|authenticationfailed|http40[13]|limitexceeded|ratelimit|toomany|quota"
    r"|invalidsignature|signatureerror|invalidtoken|denied)\w*"
    r"|\babort\(\s*40[13]\b|\bhttpresponseforbidden\b|\bstatus\(\s*40[13]\s*\)"
    r"|\bhttp_40[13]_\w+|\breturn\s+40[13]\b"
)
_VERIFY = re.compile(
    r"(?<!def )(?<!function )\b(?:\w+\.)?(?:verify\w*|check_signature|check_password|checkpw"
    r"|compare_digest|validate_(?:token|signature|jwt|hmac|webhook)\w*|authenticate"
    r"|check_permissions?|has_perms?|authorize|require_(?:auth|login|role|permission)\w*)\s*\("
)
# A check the refusal may have moved into: a guard called or a decorator that refuses.
_GUARD = re.compile(
    _VERIFY.pattern + r"|@\w*(?:login_required|permission|requires?_\w+|authorize\w*|guard)"
    r"|\bdepends\(\s*\w*(?:auth|user|permission|guard)"
)
_DEAD = re.compile(
    r"\bif\s*\(?\s*(?:false|0|none|null)\s*\)?\s*(?::|\{|then\b)|\bor\s+true\s*\)?\s*:"
    r"|\|\|\s*true\s*\)\s*\{"
)
_IF = re.compile(r"\bif\b")
_LIMIT = re.compile(
    r"(?m)^[ \t]*([a-z_][\w.]*(?:login|attempt|lockout|throttle|rate|brute|otp|retr(?:y|ies)|fail)"
    r"[\w.]*)[ \t]*[:=][ \t]*([^\n#,;]+)"
)
_PROD = re.compile(r"(?:^|[/._-])(?:prod|production|prd|live)(?:[/._-]|$)")
_ALLOW_ALL = re.compile(
    r"\ballowed_hosts\s*=\s*\[\s*['\"]\*['\"]|\bcors_(?:origin_)?allow_all(?:_origins)?\s*=\s*true"
    r"|access-control-allow-origin['\"]?\s*[:,=]\s*['\"]\*['\"]|\ballow_origins\s*=\s*\[\s*['\"]\*"
    r"|\borigins?\s*[=:]\s*\[?\s*['\"]\*['\"]"
)


def detect_gates(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``code.control_weakened`` for an edit that guts an access or limit check."""
    for e in edits(view):
        if _TEST_FILE.search(e.target) or _PROSE.search(e.target):
            continue
        found = _gutted(e)
        if found:
            line, why = found
            return [
                Signal(
                    "code.control_weakened",
                    f"The edit guts a check: {why}",
                    where=e.where,
                    excerpt=line.strip()[:120],
                    weight=0.8,
                    impact=0.6,
                    reversibility=0.5,
                    sensitivity=0.8,
                )
            ]
    return []


def _gutted(e: Edit) -> tuple[str, str] | None:
    new = live(e.new)
    m = _ALLOW_ALL.search(new)
    if (
        m
        and _PROD.search(e.target)
        and len(_ALLOW_ALL.findall(new)) > len(_ALLOW_ALL.findall(live(e.old or "")))
    ):
        return m.group(0), "every host or origin is let in, in production settings"
    if e.old is None:
        return None
    old = live(e.old)
    constant = _check_made_constant(e.target, old, new)
    if constant:
        return constant, "a check's result is replaced by a constant"
    # A guard in the new text that the old did not call: the refusal moved into it.
    moved = bool({m.group(0) for m in _GUARD.finditer(new)} - set(_GUARD.findall(old)))
    for rx, why in (
        (_DENY, "a refusal is taken out"),
        (_VERIFY, "a verifying call is deleted"),
    ):
        gone = _fewer(rx, old, new)
        if gone and not moved:
            return gone, why
    m = _DEAD.search(new)
    if m and _IF.search(old) and len(_DEAD.findall(new)) > len(_DEAD.findall(old)):
        return m.group(0), "a condition is made never (or always) true"
    raised = _limit_raised(old, new)
    if raised:
        return raised, "a login, attempt or rate limit is raised beyond use"
    return None


def _check_made_constant(target: str, old: str, new: str) -> str | None:
    """A ``return`` of a check in ``old`` gone from ``new``, where ``new`` returns a
    constant it did not before."""
    before = [m.group(1) for m in _RETURN.finditer(old)]
    after = [m.group(1) for m in _RETURN.finditer(new)]
    added = [r for r in after if _CONSTANT.match(r) and after.count(r) > before.count(r)]
    if not added:
        return None
    for r in before:
        if r in after or _CONSTANT.match(r):
            continue
        if _ACCESS.search(r) or _CONTROL_PATH.search(target.rsplit("/", 1)[-1]):
            return f"return {added[0]}"
    return None


def _fewer(rx: re.Pattern[str], old: str, new: str) -> str | None:
    found = rx.findall(old)
    if found and len(rx.findall(new)) < len(found):
        m = rx.search(old)
        return m.group(0) if m else None
    return None


def _limit_raised(old: str, new: str) -> str | None:
    """A limit named for logins, attempts or rates whose value grows a thousandfold or
    becomes unbounded."""
    before = {m.group(1): m.group(2) for m in _LIMIT.finditer(old)}
    for m in _LIMIT.finditer(new):
        was = _value(before.get(m.group(1), ""))
        now = _value(m.group(2))
        if was is None or now is None or was <= 0:
            continue
        if now >= was * 1000 or math.isinf(now):
            return m.group(0)
    return None


def _value(text: str) -> float | None:
    """A number written as a literal, a power, ``inf`` or ``sys.maxsize``; else ``None``."""
    t = text.strip().replace("_", "")
    if re.fullmatch(r"float\(\s*['\"]inf(?:inity)?['\"]\s*\)|math\.inf|infinity|sys\.maxsize", t):
        return math.inf
    m = re.fullmatch(r"(\d+)\s*\*\*\s*(\d+)", t)
    if m:
        return float(int(m.group(1)) ** min(int(m.group(2)), 300))
    try:
        return float(t)
    except ValueError:
        return None
