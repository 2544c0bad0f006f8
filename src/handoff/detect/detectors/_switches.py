"""What a setting turns on, when the tool's name only says "edit" or "read".

A verb in the name places a tool (``accounts.patch``, ``github.repos.edit``,
``vault.read``), so it is not unknown; what it does is in the setting it changes or the
store it opens:

* a flag that makes someone an administrator (``is_superuser: true``), or that turns
  multi-factor sign-in off (``mfa_enabled: false``);
* a flag that makes something public (``private: false``, ``public: true``);
* a safeguard turned off (``enforce_admins: false``, ``deletion_protection: false``,
  ``allow_force_pushes: true``), or a push told to force (``force: true``);
* mail forwarded wholesale (``forward_all``, a rule whose action is ``forward``);
* a read from a secrets store (``vault.read``, ``secrets.get``, a ``secret/`` path, a
  cluster tool asked for ``{"kind": "Secret"}`` or ``{"resource": "secrets"}``);
* a DNS record written, which moves where a name leads.
"""

from __future__ import annotations

import re
from typing import Any

from ._base import ActionView, DetectConfig, Signal, wordset
from ._effects import effect_of
from ._provenance import OUTWARD_ASK, said_unforbidden

__all__ = ["detect_switches"]

_ADMIN_FLAG = re.compile(r"^(is_?)?(super_?user|admin(istrator)?|staff|root|owner|sudo(er)?)$")
_PUBLIC_FLAG = re.compile(r"^(is_?)?public$")
_PRIVATE_FLAG = re.compile(r"^(is_?)?private$")
# Every key one of the three flag patterns matches (``$`` also matches before a final
# newline): a set lookup passes on only the keys worth matching.
_FLAG_KEYS = frozenset(
    f"{prefix}{name}{end}"
    for prefix in ("", "is", "is_")
    for name in (
        "superuser",
        "super_user",
        "admin",
        "administrator",
        "staff",
        "root",
        "owner",
        "sudo",
        "sudoer",
        "public",
        "private",
    )
    for end in ("", "\n")
)
# A setting that, turned off, lets an account sign in with a password alone.
_MFA_KEYS = frozenset(
    f"{name}{end}"
    for name in (
        "mfa",
        "mfa_enabled",
        "mfa_required",
        "require_mfa",
        "enforce_mfa",
        "2fa",
        "2fa_enabled",
        "require_2fa",
        "two_factor",
        "two_factor_enabled",
        "two_factor_required",
        "require_two_factor",
        "otp_required",
    )
    for end in ("", "\n")
)
# A safeguard that, turned off, lets admins past branch rules or lets a resource be
# deleted; and repository rules that, turned on, let history be rewritten or removed.
_GUARD_KEYS = frozenset(
    f"{name}{end}"
    for name in (
        "enforce_admins",
        "deletion_protection",
        "deletion_protection_enabled",
        "termination_protection",
        "disable_api_termination_protection",
        "require_signed_commits",
        "required_signatures",
    )
    for end in ("", "\n")
)
_UNGUARD_KEYS = frozenset(
    f"{name}{end}" for name in ("allow_force_pushes", "allow_deletions") for end in ("", "\n")
)
# A push told to force: it rewrites the remote's history.
_FORCE_KEYS = frozenset(f"{name}{end}" for name in ("force", "force_push") for end in ("", "\n"))
_FLAG_KEYS = _FLAG_KEYS | _MFA_KEYS | _GUARD_KEYS | _UNGUARD_KEYS | _FORCE_KEYS
_FORWARD_ALL = wordset("all auto automatic rule rules filter filters every everything")
_SECRET_STORE = wordset("vault secret secrets secretsmanager keyvault kms keychain passwords")
_SECRET_PATH = re.compile(r"^\s*/?(v\d/)?secrets?/\S+")
# A cluster tool asked for secrets by kind or resource (``{"kind": "Secret"}``,
# ``{"resource": "secrets"}``): what it returns is their data.
_KIND_KEYS = frozenset(
    ("kind", "kinds", "resource", "resources", "resource_type", "resource_kind", "resourcetype")
)
_SECRET_KIND = re.compile(r"^\s*(?:(?:core/)?v1/)?secrets?(?:/[\w.-]{1,253})?\s*$")
# A cluster's own tool: its ``type`` names a kind too, and its command may leave out the
# program (``{"command": "get secret db -o yaml"}``, ``{"args": ["describe", "secret"]}``).
_CLUSTER = wordset("kubectl kubernetes kube oc openshift")
_CLUSTER_SECRET = re.compile(
    r"(?:^|\s)(?:describe\s+secrets?(?:/|(?![\w.-]))|get"
    r"(?=[^|;&\n]{0,300}?(?:\s-o\s*=?\s*|\s--output[=\s]\s*)['\"]?"
    r"(?:yaml|json|jsonpath|go-template))\s[^|;&\n]{0,200}?(?<=\s)secrets?(?:/|(?![\w.-])))"
)
_DNS = wordset("dns route53 zone zones cname nameserver nameservers")
# A reply on a help desk's ticket or case: its ``public`` flag says the requester reads it
# (not an internal note), so it reaches one known person, not the world.
_REPLIES = wordset("reply replies respond response comment comments answer")
_TICKETS = wordset(
    "ticket tickets case cases conversation conversations helpdesk support inquiry inquiries"
)
# A ticket opened, not answered: whom its public comment reaches is its requester field.
_OPENS = wordset("create new open add")
_TRUE = (True, "true", "yes", "1", "on")
_FALSE = (False, "false", "no", "0", "off")


def detect_switches(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for privileged or public flags, mail forwarding, secret stores and DNS."""
    effect = effect_of(view)
    words = view.word_set
    out: list[Signal] = []
    if not effect.read_only:
        if not (view.whole and view.key_set.isdisjoint(_FLAG_KEYS)):
            reply = not words.isdisjoint(_REPLIES) and not words.isdisjoint(_TICKETS)
            for path, key, value in _settings(view.action.args):
                if key in _FORCE_KEYS:
                    out.extend(_force(path, key, value, words))
                else:
                    # ``update_ticket {"comment": {"public": true}}``: the flag is the reply's.
                    under = reply or (
                        not words.isdisjoint(_TICKETS)
                        and words.isdisjoint(_OPENS)
                        and not _REPLIES.isdisjoint(path.lower().split("."))
                        and said_unforbidden(view, OUTWARD_ASK)
                    )
                    out.extend(_flag(path, key, value, under))
        if ("forward" in words and words & _FORWARD_ALL) or _forward_rule(view):
            out.append(
                _signal(
                    "action.data_outward",
                    "The call forwards mail wholesale (every message, or a rule), so what "
                    "arrives later leaves too",
                    "tool",
                    view.tool,
                    0.85,
                )
            )
        if words & _DNS:
            out.append(
                _signal(
                    "web.dns_change",
                    "The call changes a DNS record: where the name leads for everyone",
                    "tool",
                    view.tool,
                    0.75,
                )
            )
    secret_path = _secret_named(view) if "secret" in view.args_lower else None
    if words & _SECRET_STORE or secret_path:
        where, ex = secret_path or ("tool", view.tool)
        out.append(
            _signal(
                "secrets.access",
                "The call opens a secrets store, where credentials and keys are kept",
                where,
                ex,
                0.8,
            )
        )
    if len(out) < 2:
        return out
    # One signal per code is enough for a reviewer.
    return list({s.code: s for s in reversed(out)}.values())[::-1]


def _secret_named(view: ActionView) -> tuple[str, str] | None:
    """(where, text) of the argument that asks for a secret: a ``secret/`` path, or a
    cluster's secrets by kind, by resource or by a command its own tool runs."""
    # ``k8s`` splits into ``k``, ``8``, ``s``: it is looked for in the name itself.
    cluster = not _CLUSTER.isdisjoint(view.word_set) or "k8s" in view.tool.lower()
    kinds = _KIND_KEYS | {"type"} if cluster else _KIND_KEYS
    for (p, t), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True):
        if "secret" in low and (
            _SECRET_PATH.match(t) or (key in kinds and _SECRET_KIND.match(low))
        ):
            return p, t
    if cluster:
        m = _CLUSTER_SECRET.search(view.args_lower)
        if m is not None:
            return "args", m.group(0).strip()
    return None


def _settings(value: Any, path: str = "args") -> list[tuple[str, str, Any]]:
    """Every (path, key lowercased, scalar) under ``value`` whose key could name a flag:
    the settings a call writes that ``_flag`` reads (at most the first 500 scalars)."""
    out: list[tuple[str, str, Any]] = []
    seen = 0
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and seen < 500:
        p, v = stack.pop()
        if isinstance(v, dict):
            for k, cv in v.items():
                if isinstance(cv, dict | list):
                    stack.append((f"{p}.{k}", cv))
                else:
                    seen += 1
                    key = str(k).lower()
                    if key in _FLAG_KEYS:
                        out.append((f"{p}.{k}", key, cv))
        elif isinstance(v, list):
            stack.extend((f"{p}[{i}]", cv) for i, cv in enumerate(v))
    return out


def _flag(path: str, key: str, value: Any, reply: bool = False) -> list[Signal]:
    """The signal a flag's value gives; ``reply``: the call answers on a ticket, where
    public means read by the requester."""
    v = value.strip().lower() if isinstance(value, str) else value
    if _ADMIN_FLAG.match(key) and v in _TRUE:
        return [
            _signal(
                "action.permissions",
                f"The call sets {key} to true: it makes someone an administrator",
                path,
                f"{key}={value}",
                0.9,
            )
        ]
    if key in _MFA_KEYS and v in _FALSE:
        return [
            _signal(
                "action.permissions",
                f"The call sets {key} to {value}: it turns multi-factor sign-in off",
                path,
                f"{key}={value}",
                0.85,
            )
        ]
    if (key in _GUARD_KEYS and v in _FALSE) or (key in _UNGUARD_KEYS and v in _TRUE):
        return [
            _signal(
                "action.permissions",
                f"The call sets {key} to {value}: it turns a safeguard off",
                path,
                f"{key}={value}",
                0.85,
            )
        ]
    if not reply and (
        (_PUBLIC_FLAG.match(key) and v in _TRUE) or (_PRIVATE_FLAG.match(key) and v in _FALSE)
    ):
        return [
            _signal(
                "action.public_access",
                f"The call sets {key} to {value}: it makes something readable by anyone",
                path,
                f"{key}={value}",
                0.85,
            )
        ]
    return []


def _force(path: str, key: str, value: Any, words: frozenset[str]) -> list[Signal]:
    v = value.strip().lower() if isinstance(value, str) else value
    if "push" not in words or v not in _TRUE:
        return []
    return [
        _signal(
            "action.destructive",
            f"The call pushes with {key}={value}: it rewrites the remote's history",
            path,
            f"{key}={value}",
            0.85,
        )
    ]


def _forward_rule(view: ActionView) -> bool:
    low = view.args_lower
    if "forward" not in low and "redirect" not in low:
        return False
    return any(
        text.strip().lower() in ("forward", "forward_to", "redirect")
        and path.rsplit(".", 1)[-1].lower() in ("action", "type", "kind", "operation")
        for path, text in view.args
    )


def _signal(code: str, message: str, where: str, excerpt: str, weight: float) -> Signal:
    return Signal(
        code,
        message,
        where=where,
        excerpt=excerpt,
        weight=weight,
        impact=weight,
        reversibility=weight / 2,
        sensitivity=0.8,
    )
