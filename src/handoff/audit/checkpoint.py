"""Signed audit checkpoints: the log's size and head hash, signed and kept elsewhere.

The hash chain proves that no event was edited, inserted or reordered *relative to
the stored head*. Someone with write access to the database can still cut the tail
(and move the head back) or rewrite events and recompute every hash after them. A
checkpoint closes that gap: every so often the head (``seq``, ``hash``) is signed with
an Ed25519 key that lives outside the database and written outside it too (a
directory, and optionally a URL). ``verify`` then checks each checkpoint against the
database: a signed seq the database no longer reaches is a truncated tail; a signed
hash the database no longer has at that seq is a rewritten chain.

A checkpoint file is one JSON object::

    {"v": 1, "seq": 1200, "hash": "…", "at": "2026-11-24T19:00:00Z",
     "key_id": "…", "signature": "…base64…"}

The signature covers ``handoff-checkpoint-v1\\n{seq}\\n{hash}\\n{at}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .._clock import Clock, SystemClock
from .._exceptions import HandoffError
from ..store import Store

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "CheckpointReport",
    "Checkpointer",
    "generate_key",
    "load_private_key",
    "load_public_key",
    "verify_checkpoints",
    "write_checkpoint",
]

_DOMAIN = "handoff-checkpoint-v1"
PUBLIC_NAME = "public.key"


class CheckpointError(HandoffError):
    """A key or checkpoint file that cannot be used; the message names the file."""

    code = "invalid_checkpoint"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The signed size and head of the audit log at one moment."""

    seq: int
    hash: str
    at: str
    key_id: str
    signature: str
    v: int = 1

    def message(self) -> bytes:
        return f"{_DOMAIN}\n{self.seq}\n{self.hash}\n{self.at}".encode()

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


# -- keys ---------------------------------------------------------------------------


def _raw_public(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex of its sha256."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def generate_key(path: Path) -> Path:
    """Write a new private key to ``path`` (mode 0600) and its public key to ``path.pub``.

    Refuses to overwrite an existing key: losing it would orphan every checkpoint
    signed with it. Returns the public key's path.
    """
    if path.exists():
        raise CheckpointError(f"{path}: a key already exists; refusing to overwrite it")
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex() + "\n")
    pub = path.with_name(path.name + ".pub")
    pub.write_text(_raw_public(key.public_key()).hex() + "\n")
    return pub


def _read_hex(path: Path, what: str) -> bytes:
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise CheckpointError(f"{path}: not an Ed25519 {what} (expected 64 hex characters)")
    return raw


def load_private_key(path: Path) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_read_hex(path, "private key"))


def load_public_key(path: Path) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_read_hex(path, "public key"))


# -- writing ------------------------------------------------------------------------


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_checkpoint(
    store: Store,
    key: Ed25519PrivateKey,
    directory: Path,
    *,
    clock: Clock | None = None,
    url: str | None = None,
) -> Checkpoint | None:
    """Sign the store's current head and write it to ``directory`` (and POST it to ``url``).

    The first checkpoint in a directory also writes the public key there
    (``public.key``), for reference only: verifiers pin the key they obtained apart
    from the folder. A ``public.key`` that is not this key's is refused
    (``CheckpointError``). Returns None for an empty log.
    """
    seq, head = store.head()
    if seq == 0:
        return None
    at = (clock or SystemClock()).now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    public = key.public_key()
    unsigned = Checkpoint(seq, head, at, key_id(public), "")
    signature = base64.b64encode(key.sign(unsigned.message())).decode()
    cp = Checkpoint(seq, head, at, unsigned.key_id, signature)
    directory.mkdir(parents=True, exist_ok=True)
    pub_path = directory / PUBLIC_NAME
    if not pub_path.exists():
        _atomic_write(pub_path, _raw_public(public).hex() + "\n")
    elif key_id(load_public_key(pub_path)) != key_id(public):
        # Someone put another key beside our checkpoints; signing on would hide that.
        raise CheckpointError(
            f"{pub_path}: public.key is not this signing key's public key; it was replaced"
            " or the folder belongs to another key"
        )
    _atomic_write(directory / f"checkpoint-{seq:012d}.json", cp.as_json() + "\n")
    if url:
        from .._egress import client

        with client(field="url") as http:
            http.post(url, content=cp.as_json()).raise_for_status()
    return cp


class Checkpointer:
    """Writes a checkpoint when ``every_events`` new events or ``every_seconds`` passed.

    Call ``maybe()`` from any periodic loop (the server's background task does); it
    is cheap when nothing is due: one read of the head.
    """

    def __init__(
        self,
        store: Store,
        key: Ed25519PrivateKey,
        directory: Path,
        *,
        every_events: int = 1000,
        every_seconds: float = 300.0,
        clock: Clock | None = None,
        url: str | None = None,
    ) -> None:
        if every_events < 1:
            raise ValueError("every_events: must be at least 1")
        if every_seconds <= 0:
            raise ValueError("every_seconds: must be positive")
        self.store, self.key, self.directory, self.url = store, key, directory, url
        self.every_events, self.every_seconds = every_events, every_seconds
        self.clock = clock or SystemClock()
        last = _latest(directory)
        self._last_seq = last.seq if last else 0
        self._last_at: datetime | None = None

    def maybe(self) -> Checkpoint | None:
        seq, _ = self.store.head()
        if seq <= self._last_seq:
            return None
        now = self.clock.now()
        elapsed = (
            self.every_seconds if self._last_at is None else (now - self._last_at).total_seconds()
        )
        if seq - self._last_seq < self.every_events and elapsed < self.every_seconds:
            return None
        cp = write_checkpoint(self.store, self.key, self.directory, clock=self.clock, url=self.url)
        if cp is not None:
            self._last_seq, self._last_at = cp.seq, now
        return cp


# -- verifying ----------------------------------------------------------------------


def _parse(path: Path) -> Checkpoint:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return Checkpoint(
            seq=int(raw["seq"]),
            hash=str(raw["hash"]),
            at=str(raw["at"]),
            key_id=str(raw["key_id"]),
            signature=str(raw["signature"]),
            v=int(raw.get("v", 1)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a checkpoint file ({exc})") from exc


def _files(directory: Path) -> Iterator[Path]:
    return iter(sorted(directory.glob("checkpoint-*.json")))


def _latest(directory: Path) -> Checkpoint | None:
    files = list(_files(directory)) if directory.is_dir() else []
    return _parse(files[-1]) if files else None


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    """What checking the checkpoints found: how many agreed, and the first disagreement."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"checkpoints ok: {self.checked} signed heads match the database"
        if self.bad_seq is None:
            return f"checkpoint check FAILED: {self.problem}"
        return f"checkpoint check FAILED at event seq {self.bad_seq}: {self.problem}"


def verify_checkpoints(
    store: Store,
    directory: Path,
    public_key: Ed25519PublicKey | None,
    *,
    required: bool = True,
    max_uncovered: int | None = None,
) -> CheckpointReport:
    """Check every checkpoint in ``directory`` against ``store``, oldest first.

    ``public_key`` is the pinned key, obtained apart from the folder: whoever can write
    the folder can also replace its ``public.key`` and re-sign a rewritten log, so that
    file is never trusted (None raises ``CheckpointError``), and one that differs from
    the pinned key is itself a finding. A checkpoint with a bad signature is a finding
    (someone forged or edited it). Otherwise the database must still hold the signed
    seq with the signed hash; when it does not, the first bad event lies after the
    newest checkpoint that still matches, and the report names that range's first seq.

    With ``required`` (the default) a folder without checkpoints beside a non-empty log
    fails: deleting every checkpoint must not read as "ok: 0". ``max_uncovered`` is the
    cadence the verifier expects: more events than that after the newest checkpoint
    fails too, since deleting the newest checkpoints leaves a tail the chain alone
    protects.
    """
    if public_key is None:
        raise CheckpointError(
            "no pinned public key: pass the checkpoint public key obtained apart from the"
            f" folder (--public-key FILE or HANDOFF_CHECKPOINT_PUBLIC_KEY); {directory}"
            f"/{PUBLIC_NAME} is not trusted, whoever writes the folder can replace it"
        )
    if max_uncovered is not None and max_uncovered < 0:
        raise ValueError("max_uncovered: must be 0 or more")
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: no such checkpoint directory")
    want_id = key_id(public_key)
    head_seq, _ = store.head()
    found = directory / PUBLIC_NAME
    folder_id = key_id(load_public_key(found)) if found.exists() else want_id
    swapped = (
        f"{PUBLIC_NAME} in the folder holds key {folder_id}, not the pinned key {want_id}:"
        " it was replaced"
    )
    good_seq, checked = 0, 0
    for path in _files(directory):
        cp = _parse(path)
        try:
            if cp.key_id != want_id:
                raise InvalidSignature
            public_key.verify(base64.b64decode(cp.signature), cp.message())
        except (InvalidSignature, ValueError):
            why = "signature does not verify"
            if cp.key_id != want_id and cp.key_id == folder_id:
                why = f"signed by key {cp.key_id}; {swapped}"
            return CheckpointReport(False, checked, cp.seq, f"{path.name}: {why}")
        rows = list(store.event_rows(cp.seq, cp.seq))
        if not rows:
            last = max(head_seq, good_seq)
            return CheckpointReport(
                False,
                checked,
                min(last + 1, cp.seq),
                f"the log was truncated: {path.name} signed {cp.seq} events, "
                f"the database ends at seq {head_seq}",
            )
        if rows[0][7] != cp.hash:
            return CheckpointReport(
                False,
                checked,
                good_seq + 1,
                f"the chain was rewritten between seq {good_seq + 1} and {cp.seq}: "
                f"{path.name} signed hash {cp.hash[:16]}…, the database has "
                f"{str(rows[0][7])[:16]}…",
            )
        good_seq, checked = cp.seq, checked + 1
    if folder_id != want_id:
        return CheckpointReport(False, checked, None, swapped)
    if required and checked == 0 and head_seq > 0:
        return CheckpointReport(
            False,
            0,
            1,
            f"no checkpoints in {directory}, but the log holds {head_seq} events:"
            " none of it is covered",
        )
    if max_uncovered is not None and head_seq - good_seq > max_uncovered:
        return CheckpointReport(
            False,
            checked,
            good_seq + 1,
            f"{head_seq - good_seq} events after the newest checkpoint (seq {good_seq}),"
            f" more than the expected cadence of {max_uncovered}: checkpoints were"
            " deleted or signing stopped",
        )
    return CheckpointReport(True, checked)
