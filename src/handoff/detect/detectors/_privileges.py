"""Privilege handed over in a setting, and safeguards switched off under their own names.

``_controls`` reads a control's switch (``logging_enabled: false``); these rules read the
settings that name a requirement or a bypass, the fields that give a container or a
network peer the host, and the lines that weaken a server's own configuration:

* a requirement lifted (``required_reviews: 0``, ``require_sso: false``, also when the
  flag is named by a value: ``{flag: require_sso, enabled: false}``) or a check bypassed
  (``bypass_checks: true``, ``skip_verification: true``) → ``action.permissions``;
* a container given the host (``privileged``, ``hostPID``, ``hostNetwork``, ``hostIPC``,
  ``runAsUser: 0``, the host's ``/`` or the Docker socket mounted), as fields or in a
  manifest's text, or a network peer or rule open to every address (``0.0.0.0/0``)
  → ``action.permissions``;
* an SSH, SELinux or sudo setting that lets anyone in (``PasswordAuthentication yes``,
  ``PermitRootLogin yes``, ``SELINUX=disabled``, ``NOPASSWD: ALL``) written by a command
  or an editor, unless the person named it → ``action.permissions``;
* a system configuration file (``/etc/…``) written when the person asked for no change
  at all → ``action.destructive``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ._base import (
    ActionView,
    DetectConfig,
    Signal,
    holds_any,
    split_words,
    strong_signal,
    wordset,
)
from ._controls import arg_scalars
from ._effects import FIRST_READS, effect_of
from ._provenance import trusted_text

__all__ = ["detect_privileges"]

# What a requirement or a bypass guards: sign-in, review, signatures, checks.
_GUARDED = wordset(
    "sso saml mfa 2fa twofactor auth authentication login password passwords ssl tls https "
    "signed signature signatures review reviews reviewer reviewers approval approvals approver "
    "approvers approving check checks status verification verify verified captcha encryption "
    "encrypted codeowners owner owners"
)
_REQUIRE = wordset("require required requires enforce enforced mandatory min minimum")
_BYPASS = wordset("bypass skip ignore override disable no")
# How a key that lifts or bypasses begins, lowercased (``requiredReviews``); ``min`` and
# ``no`` only before an underscore (``minutes`` and ``note`` lift nothing).
_LIFTS = (*sorted((_REQUIRE | _BYPASS) - {"min", "no"}), "min_", "no_")
_FLAG_KEYS = ("flag", "feature", "setting", "name", "key", "option")
_FLAG_SWITCH = ("enabled", "enable", "value", "state", "on", "active", "status")
_FALSE = frozenset(("false", "no", "0", "off", "disabled", "disable", "none"))
_TRUE = frozenset(("true", "yes", "1", "on"))
# A container given the host: fields true, and the user that is root.
_HOST_FIELDS = frozenset(
    (
        "privileged",
        "hostpid",
        "host_pid",
        "hostnetwork",
        "host_network",
        "hostipc",
        "host_ipc",
        "allowprivilegeescalation",
        "allow_privilege_escalation",
    )
)
_ROOT_FIELDS = frozenset(("runasuser", "run_as_user"))
_HOST_KEYS = _HOST_FIELDS | _ROOT_FIELDS | {"hostpath"}
_MOUNT_WORDS = wordset("volume volumes mount mounts bind binds hostpath path source src")
# The host's root or its Docker socket mounted into a container.
_HOST_MOUNT = re.compile(r"^\s*(?:/|/var/run/docker\.sock|/run/docker\.sock)\s*(?::|$)")
# The same written as a manifest's text (YAML or JSON).
_HOST_TEXT = re.compile(
    r"\b(privileged|hostpid|hostnetwork|hostipc|allowprivilegeescalation)[\"']?\s*:\s*[\"']?true\b"
    r"|\b(runasuser)[\"']?\s*:\s*0\b"
)
_HOST_HINTS = ("privileged", "hostpid", "hostnetwork", "hostipc", "escalation", "runasuser")
# A rule or a peer that admits every address.
_EVERY_ADDRESS = re.compile(r"(?<![\d.])0\.0\.0\.0/0\b|(?<![\w:])::/0\b")
_NET_WORDS = wordset(
    "allowed ips cidr cidrs cidr_blocks ranges range source sources ingress prefix prefixes "
    "allowedips sourceranges ip_ranges"
)
# Settings of a server that let anyone in, as its configuration file writes them.
_WEAK_CONFIG = re.compile(
    r"\b(passwordauthentication|permitrootlogin|permitemptypasswords"
    r"|kbdinteractiveauthentication|challengeresponseauthentication)\s+yes\b"
    r"|\b(selinux)\s*=\s*(?:disabled|permissive)\b|\b(nopasswd)\s*:\s*all\b"
)
_WEAK_HINTS = ("authentication", "permit", "selinux", "nopasswd")
# Arguments whose text a call writes into a file or runs.
_WRITTEN = wordset("command cmd script shell code content contents file_text new_str text data")
_NOTES = re.compile(r"\.(?:md|txt|rst)$")
# A system's own configuration, by where it lives.
_SYSTEM_CONFIG = re.compile(r"^/(?:etc|boot)/")
_PATH_KEYS = ("path", "file", "file_path", "filename", "filepath", "target")
_CONTENT_KEYS = wordset("content contents file_text text data body")
_WRITE_WORDS = wordset("write overwrite save put create replace upload")
_CHANGE_ASK = re.compile(
    r"\b(?:update|change|set|edit|modify|replace|fix|correct|apply|adjust|switch|rename|move"
    r"|write|rewrite|overwrite|configure|add|create|install|enable|disable|remove|delete"
    r"|reset|restore|add)\b"
)


def detect_privileges(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for privilege given in a setting or a safeguard lifted by its own name."""
    if view.words and view.words[0] in FIRST_READS:
        return []
    effect = effect_of(view)
    if effect.read_only:
        # A read takes no bypass: one set anyway (``status_match {skip_verification:
        # true}``) says the name misleads.
        lifted = _lifted(view) if _lifts_a_key(view.key_set) else None
        return [lifted] if lifted is not None else []
    out: list[Signal] = []
    keys = view.key_set
    low = view.args_lower
    if keys:
        hit = None
        if not keys.isdisjoint(_FLAG_KEYS) or _lifts_a_key(keys):
            hit = _lifted(view)
        if hit is None and _safety_keyed(keys):
            hit = _safety_off(view)
        if hit is None and not keys.isdisjoint(_APPROVER_KEYS):
            hit = _self_approved(view)
        if hit is None and (
            not keys.isdisjoint(_HOST_KEYS)
            or "/:" in low
            or "0/0" in low
            or "::/0" in low
            or "docker.sock" in low
            or holds_any(low, _HOST_HINTS)
        ):
            hit = _host_given(view)
        if hit is not None:
            out.append(hit)
    if holds_any(low, _WEAK_HINTS):
        hit = _weak_config(view)
        if hit is not None:
            out.append(hit)
    if "/etc/" in low or "/boot/" in low:
        hit = _system_config(view)
        if hit is not None:
            out.append(hit)
    return out


def _lifts_a_key(keys: frozenset[str]) -> bool:
    for key in keys:  # noqa: SIM110 (a loop costs less than any() over a generator)
        if key.startswith(_LIFTS):
            return True
    return False


def _lifted(view: ActionView) -> Signal | None:
    """A requirement set to nothing or a check bypassed, by a key or a named flag."""
    scalars = arg_scalars(view)
    for path, key, value in scalars:
        kw = split_words(key)
        if len(kw) < 2 or _GUARDED.isdisjoint(kw[1:]):
            continue
        if kw[0] in _REQUIRE and _is_false(value):
            return _permissions(f"lifts a requirement ({key}={value})", path, f"{key}={value}")
        if kw[0] in _BYPASS and _is_true(value):
            return _permissions(f"bypasses a check ({key}={value})", path, f"{key}={value}")
    flag = view.first_arg(_FLAG_KEYS)
    if flag is None:
        return None
    fw = split_words(flag)
    if len(fw) < 2 or fw[0] not in _REQUIRE or _GUARDED.isdisjoint(fw[1:]):
        return None
    for path, key, value in scalars:
        if key.lower() in _FLAG_SWITCH and _is_false(value):
            return _permissions(f"turns {flag} off", path, f"{flag}: {key}={value}")
    return None


def _host_given(view: ActionView) -> Signal | None:
    """A container given the host, or a network peer or rule open to every address."""
    keys = view.key_set
    low = view.args_lower
    if not keys.isdisjoint(_HOST_FIELDS) or not keys.isdisjoint(_ROOT_FIELDS):
        for path, key, value in arg_scalars(view):
            k = key.lower()
            if (k in _HOST_FIELDS and _is_true(value)) or (
                k in _ROOT_FIELDS and not isinstance(value, bool) and value in (0, "0")
            ):
                return _permissions(f"gives a container the host ({key}={value})", path, k)
    if "/:" in low or "docker.sock" in low or "0/0" in low or "::/0" in low or "hostpath" in keys:
        for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
            if not _MOUNT_WORDS.isdisjoint(split_words(key)) and _HOST_MOUNT.match(text):
                return _permissions(
                    "mounts the host's root or its Docker socket into a container",
                    path,
                    text[:80],
                )
            if (
                "egress" not in path.lower()
                and "egress" not in view.word_set
                and _EVERY_ADDRESS.search(text)
                and (not _NET_WORDS.isdisjoint(split_words(key)) or "peer" in view.word_set)
            ):
                return _permissions("opens access to every address", path, text[:80])
    if holds_any(low, _HOST_HINTS):
        for (path, _), low_text in zip(view.args, view.lowered(), strict=True):
            m = _HOST_TEXT.search(low_text)
            if m is not None and not _NOTES.search(_path(view)):
                field = m.group(1) or m.group(2)
                return _permissions(f"gives a container the host ({field})", path, m.group(0))
    return None


def _weak_config(view: ActionView) -> Signal | None:
    """A server setting that lets anyone in, written by the call."""
    said = re.sub(r"\s+", "", trusted_text(view).lower())
    for (path, _), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        if key not in _WRITTEN:
            continue
        m = _WEAK_CONFIG.search(low)
        if m is None or _NOTES.search(_path(view)):
            continue
        setting = next(g for g in m.groups() if g)
        if setting in said:
            continue  # the person named the setting
        return _permissions(
            f"writes a setting that lets anyone in ({m.group(0)})", path, m.group(0)
        )
    return None


def _system_config(view: ActionView) -> Signal | None:
    """A file under ``/etc`` or ``/boot`` written when the person asked for no change."""
    target = _path(view)
    if not _SYSTEM_CONFIG.match(target):
        return None
    command = (view.first_arg(("command",)) or "").strip().lower()
    writes = (
        not _WRITE_WORDS.isdisjoint(view.word_set) and bool(view.key_set & _CONTENT_KEYS)
    ) or (command in ("create", "write", "overwrite"))
    if not writes or _CHANGE_ASK.search(trusted_text(view).lower()):
        return None
    return Signal(
        "action.destructive",
        f"The call overwrites the system's configuration ({target}) when the person asked "
        "for no change",
        where="args",
        excerpt=target[:120],
        weight=0.75,
        impact=0.7,
        reversibility=0.7,
        sensitivity=0.4,
    )


def _path(view: ActionView) -> str:
    return (view.first_arg(_PATH_KEYS) or "").strip().lower()


# What keeps people or machines safe, named by a key: an interlock, a guard, a parental
# or a second person's approval, a check of who someone is.
_SAFETY = wordset(
    "interlock interlocks safety guard guards lockout parental consent kyc mfa 2fa twofactor "
    "sso approval approvals verification captcha encryption signature review reviews estop"
)
_SAFETY_HINTS = re.compile(
    r"interlock|safety|guard|lockout|parental|consent|kyc|mfa|2fa|twofactor|sso|approval"
    r"|verification|captcha|encryption|signature|review|estop"
)
_OFF = _FALSE | frozenset(
    ("skip", "skipped", "bypass", "bypassed", "waive", "waived", "ignore", "ignored", "off")
)
_APPROVER_KEYS = frozenset(("approver", "approved_by", "approver_id", "reviewer", "signed_off_by"))
_REQUESTER_KEYS = (
    "requester", "requested_by", "requester_id", "submitter", "submitted_by", "author",
    "created_by", "employee", "employee_id", "applicant", "owner",
)  # fmt: skip
_SELF = frozenset(("me", "self", "myself", "i"))


@lru_cache(maxsize=4096)
def _safety_keyed(keys: frozenset[str]) -> bool:
    """Some key names a safeguard; cached, for a tool's calls carry the same keys."""
    return any(_SAFETY_HINTS.search(k) for k in keys)


def _safety_off(view: ActionView) -> Signal | None:
    """A safeguard named by its key, set off or bypassed: ``interlock_bypass: true``,
    ``door_interlock: off``, ``parental_approval: skip``."""
    for path, key, value in arg_scalars(view):
        kw = frozenset(split_words(key))
        if kw.isdisjoint(_SAFETY):
            continue
        bypassed = not kw.isdisjoint(_BYPASS) and _is_true(value)
        off = value is False or (isinstance(value, str) and value.strip().lower() in _OFF)
        if bypassed or (off and kw.isdisjoint(_BYPASS)):
            return _permissions(
                f"sets {key} to {value}, which lifts a safeguard", path, f"{key}={value}"
            )
    return None


def _self_approved(view: ActionView) -> Signal | None:
    """An approval whose approver is its requester (or "me"): nobody else looked."""
    approver = view.first_arg(tuple(_APPROVER_KEYS))
    if not approver:
        return None
    who = approver.strip().lower()
    requester = view.first_arg(_REQUESTER_KEYS)
    if who in _SELF or (requester and requester.strip().lower() == who):
        return _permissions(f"approves its own request (approver: {approver})", "args", approver)
    return None


def _is_false(value: Any) -> bool:
    if isinstance(value, bool):
        return value is False
    if isinstance(value, int | float):
        return value == 0
    return isinstance(value, str) and value.strip().lower() in _FALSE


def _is_true(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _permissions(how: str, where: str, excerpt: str) -> Signal:
    return strong_signal(
        "action.permissions",
        f"The call weakens a safeguard or hands over privilege: it {how}",
        where,
        excerpt,
    )
