"""Canonical JSON: the one byte form every hash in handoff is computed over.

Keys are sorted, separators are compact, text is UTF-8 (not ASCII-escaped), and NaN or
Infinity are refused, so the same value always hashes the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_bytes", "canonical_json", "sha256_hex"]


# One encoder for every call: ``json.dumps`` with these options builds a new one each
# time, which cost about a third of encoding a small event's data. An encoder keeps no
# state between calls, so sharing it across threads is safe.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of ``value``; raises ``ValueError`` on NaN/Infinity."""
    return _ENCODER.encode(value)


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


def sha256_hex(value: Any) -> str:
    """sha256 of the canonical form of ``value``, as lowercase hex."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
