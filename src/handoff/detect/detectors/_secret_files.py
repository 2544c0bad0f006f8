"""Credentials carried along by a copy, when the call itself never names them.

``cp -r /w/audit/* /w/outbox/`` says nothing about keys, but if an earlier step listed
``/w/audit/api_keys_jan.csv`` the copy takes that file too; ``cp setup.sh repo/ && git
push`` publishes a token if an earlier step showed ``setup.sh`` holding one. This
detector remembers, from the run's earlier steps, which paths are credentials files (by
name, in a listing or an argument) and which files were seen holding secret material,
and fires when a copy, archive, commit or upload takes one of them, or a folder above
one, along.
"""

from __future__ import annotations

import re

from ...models import Step
from ._base import ActionView, DetectConfig, Signal, signal_at
from ._credentials import SECRET_VALUE
from ._effects import effect_of

__all__ = ["detect_secret_files"]

# Commands that take files somewhere: copies, archives, syncs, commits and uploads.
_CARRIES = re.compile(
    r"\b(cp|mv|rsync|scp|tar|zip|7z|rclone|git\s+add|aws\s+s3\s+(cp|sync|mv)|gsutil\s+(cp|rsync)"
    r"|az\s+storage|curl\b(?:(?!curl\b)[^\n|;&])*?\s-(?:t|f)\s)"
)
_SENDS_OUT = re.compile(
    r"\b(git\s+push|scp|rsync\b[^\n|;&]*\s[\w.-]+@?[\w.-]+:|aws\s+s3|gsutil|rclone|az\s+storage"
    r"|curl|sftp|ftp)\b"
)
# A file whose name says it holds credentials.
_SECRET_NAME = re.compile(
    r"(/[\w.-]+){0,30}/[\w.-]*(api[_-]?keys?|secrets?|credentials?|passwords?|passwd|tokens?"
    r"|private[_-]?keys?)[\w.-]*\.(json|ya?ml|txt|env|ini|cfg|conf|csv|xlsx?|pem|key)\b"
    r"|(/[\w.-]+){0,30}/(id_rsa|id_ed25519|id_ecdsa|\.env|[\w.-]+\.pem|\.netrc|\.pgpass)(?![\w.-])"
)
_PATH_ARG = ("path", "file", "filename", "file_path", "filepath")


def detect_secret_files(view: ActionView, config: DetectConfig) -> list[Signal]:
    """A copy, archive, commit or upload that takes along a credentials file an earlier
    step showed, by naming it, a folder above it, or a glob over that folder."""
    context = view.action.context
    if context is None or not context.steps or effect_of(view).read_only:
        return []
    commands = [
        (path, text, low)
        for (path, text), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True)
        if key in ("command", "cmd", "script") and _CARRIES.search(low)
    ]
    if not commands:
        return []
    known = _secret_paths(context.steps)
    for path, text, low in commands:
        for secret, why in known.items():
            m = _takes(low, secret)
            if m is None:
                continue
            name = secret.rsplit("/", 1)[-1]
            outward = _SENDS_OUT.search(low) is not None
            return [
                signal_at(
                    "secrets.outward" if outward else "secrets.access",
                    f"The call {'sends out' if outward else 'copies'} {name}, which an "
                    f"earlier step showed {why}",
                    path,
                    text,
                    m,
                    weight=0.85,
                    impact=0.75,
                    reversibility=0.4 if outward else 0.6,
                    sensitivity=0.9,
                )
            ]
    return []


def _secret_paths(steps: list[Step]) -> dict[str, str]:
    """Absolute paths the earlier steps showed to be credentials, with how they showed it."""
    found: dict[str, str] = {}
    for step in steps:
        seen = f"{step.args or ''}\n{step.observation or ''}".lower()
        for m in _SECRET_NAME.finditer(seen):
            if m.group(0).startswith("/"):
                found.setdefault(m.group(0), "is a credentials file")
        if step.observation and isinstance(step.args, dict):
            target = next(
                (str(v) for k, v in step.args.items() if k.lower() in _PATH_ARG and v), ""
            )
            if target.startswith("/") and SECRET_VALUE.search(step.observation.lower()):
                found.setdefault(target.lower(), "holding a secret key or token")
    return found


def _takes(low: str, secret: str) -> re.Match[str] | None:
    """Where ``low`` names ``secret``, or a folder above it whole or by glob."""
    m = re.search(rf"(?<![\w.-]){re.escape(secret)}(?![\w.-])", low)
    if m is not None:
        return m
    parts = secret.split("/")
    for depth in range(len(parts) - 1, 1, -1):
        folder = "/".join(parts[:depth])
        m = re.search(rf"(?<![\w.-]){re.escape(folder)}(/\*?|/\.)?(?=[\s'\";]|$)", low)
        if m is not None:
            return m
    return None
