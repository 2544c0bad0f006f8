"""Identifiers that sort by creation time (48-bit milliseconds, then 80 random bits)."""

from __future__ import annotations

import secrets
from datetime import datetime

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str, at: datetime) -> str:
    value = (int(at.timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return prefix + "".join(reversed(chars))
