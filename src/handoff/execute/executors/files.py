"""``FilesExecutor``: publish text files into a directory, keeping every version.

Layout under ``root``::

    posts/launch.md                             the live file
    .versions/posts/launch.md/000002.<k>.publish  every version, numbered, named by key
    .canary/posts/launch.md                     the canary stage's staging copy
    .canary/.versions/...                       and its versions

A version file is written (atomically) before the live file is replaced, and its name
carries a hash of the idempotency key, so ``apply`` with a key that already has a
version returns that version instead of publishing again (and finishes the live
replace if a crash came between the two). A path must stay inside ``root``, also after
following symbolic links; one that leads out is refused with an ``InputError`` naming
``path``, in the preview as in every stage. ``rollback`` writes a new version holding
the previous content (or a deletion) and makes it live; it refuses when a later change
is live (the live file no longer holds this version), rather than clobbering it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from ..._exceptions import InputError
from ..execution import Confirmation, RollbackImpossible

__all__ = ["FilesExecutor"]

#: ``(path, content)`` to publish for an action's args.
Render = Callable[[Mapping[str, Any]], tuple[str, str]]
#: A content check run by ``confirm``: a reason when the content is not fit, else None.
Check = Callable[[str, str], str | None]


def _args_file(args: Mapping[str, Any]) -> tuple[str, str]:
    return str(args["path"]), str(args["content"])


def _key_tag(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class Version(NamedTuple):
    number: int
    tag: str
    kind: str  # publish | rollback | delete
    path: Path


class _Tree:
    """One published tree: live files plus their versions."""

    def __init__(self, base: Path, name: str) -> None:
        self.base, self.name = base, name

    def live(self, rel: str) -> Path:
        return self.base / rel

    def versions(self, rel: str) -> list[Version]:
        vdir = self.base / ".versions" / rel
        if not vdir.is_dir():
            return []
        out = []
        for p in vdir.iterdir():
            parts = p.name.split(".")
            if len(parts) == 3 and parts[0].isdigit():
                out.append(Version(int(parts[0]), parts[1], parts[2], p))
        return sorted(out)

    def read_live(self, rel: str) -> str | None:
        path = self.live(rel)
        return path.read_text(encoding="utf-8") if path.exists() else None

    def _add(self, rel: str, number: int, tag: str, kind: str, text: str) -> Version:
        vpath = self.base / ".versions" / rel / f"{number:06d}.{tag}.{kind}"
        _write_atomic(vpath, text)
        return Version(number, tag, kind, vpath)

    def _make_live(self, rel: str, v: Version) -> None:
        if v.kind == "delete":
            self.live(rel).unlink(missing_ok=True)
        else:
            _write_atomic(self.live(rel), v.path.read_text(encoding="utf-8"))

    def _result(self, rel: str, v: Version, previous: int | None, key: str) -> dict[str, Any]:
        return {
            "tree": self.name,
            "path": rel,
            "version": v.number,
            "previous_version": previous,
            "sha256": _sha(v.path.read_text(encoding="utf-8")),
            "idempotency_key": key,
        }

    def find(self, rel: str, key: str, kind: str = "publish") -> dict[str, Any] | None:
        """The result of the version ``key`` published, finishing an interrupted replace."""
        tag = _key_tag(key)
        versions = self.versions(rel)
        for i, v in enumerate(versions):
            if v.tag == tag and v.kind == kind:
                if v is versions[-1] and self.read_live(rel) != v.path.read_text("utf-8"):
                    self._make_live(rel, v)
                return self._result(rel, v, versions[i - 1].number if i else None, key)
        return None

    def publish(self, rel: str, text: str, key: str) -> dict[str, Any]:
        found = self.find(rel, key)
        if found is not None:
            return found
        versions = self.versions(rel)
        previous = versions[-1].number if versions else None
        v = self._add(rel, (previous or 0) + 1, _key_tag(key), "publish", text)
        self._make_live(rel, v)
        return self._result(rel, v, previous, key)

    def rollback(self, rel: str, result: Mapping[str, Any]) -> dict[str, Any]:
        key = str(result["idempotency_key"])
        undo_key = f"{key}:rollback"
        tag = _key_tag(undo_key)
        versions = self.versions(rel)
        for kind in ("rollback", "delete"):
            if any(v.tag == tag and v.kind == kind for v in versions):
                return {"tree": self.name, "path": rel, "restored": result.get("previous_version")}
        mine = [v for v in versions if v.tag == _key_tag(key) and v.kind == "publish"]
        if not mine:
            raise RollbackImpossible(f"no version of {rel} was published with key {key}")
        ours = mine[0].path.read_text(encoding="utf-8")
        if versions[-1] != mine[0] and self.read_live(rel) != ours:
            # a later change is live; undoing ours now would clobber it
            raise RollbackImpossible(
                f"{rel} has a later version {versions[-1].number}; roll that back first"
            )
        before = [v for v in versions if v.number < mine[0].number]
        if before and before[-1].kind != "delete":
            text, kind = before[-1].path.read_text(encoding="utf-8"), "rollback"
        else:
            text, kind = "", "delete"
        v = self._add(rel, versions[-1].number + 1, tag, kind, text)
        self._make_live(rel, v)
        return {
            "tree": self.name,
            "path": rel,
            "version": v.number,
            "restored": before[-1].number if before else None,
        }


class FilesExecutor:
    """Publishes ``args["content"]`` to ``root / args["path"]`` (or what ``render`` says).

    ``dry_run`` only previews; ``canary`` publishes into ``root/.canary`` (a staging
    copy a checker or a person can look at); ``full`` publishes the live file.
    ``confirm`` reads the published file back, compares its hash and runs ``check``,
    if given, on the path and content.
    """

    stages = ("dry_run", "canary", "full")

    def __init__(
        self,
        root: str | Path,
        *,
        render: Render | None = None,
        check: Check | None = None,
    ) -> None:
        self.root = Path(root)
        self.render = render or _args_file
        self.check = check
        self._trees = {
            "canary": _Tree(self.root / ".canary", "canary"),
            "full": _Tree(self.root, "live"),
        }

    def _file(self, args: Mapping[str, Any]) -> tuple[str, str]:
        rel, text = self.render(args)
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or pure.parts[0][:1] == ".":
            raise InputError(
                f"path {rel!r} must stay inside the publishing directory", field="path"
            )
        self._contain(str(pure))
        return str(pure), text

    def _contain(self, rel: str) -> None:
        """Refuse ``rel`` when a symbolic link on its way leads out of ``root``.

        Resolve first, then check: a preview once showed ``/etc/passwd`` to the
        reviewer (and a publish would have written there) because a link inside the
        root pointed out of it. Every path the stages touch is checked: the live file
        and its versions, in the live and the canary tree. A link made between this
        check and the write is not caught; the root must not be writable by others.
        """
        root = self.root.resolve()
        for tree in self._trees.values():
            for path in (tree.live(rel), tree.base / ".versions" / rel):
                if not path.resolve().is_relative_to(root):
                    raise InputError(
                        f"path {rel!r} leads outside the publishing directory through a"
                        " symbolic link",
                        field="path",
                    )

    def preview(self, args: Mapping[str, Any]) -> dict[str, Any]:
        rel, text = self._file(args)
        tree = self._trees["full"]
        before = tree.read_live(rel)
        versions = tree.versions(rel)
        diff = "".join(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"a/{rel}" if before is not None else "/dev/null",
                tofile=f"b/{rel}",
            )
        )
        return {
            "target": str(self.root / rel),
            "before": before,
            "after": text,
            "diff": diff,
            "before_version": versions[-1].number if versions else None,
        }

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        rel, text = self._file(args)
        if stage == "dry_run":
            shown = self.preview(args)
            return {"tree": "dry_run", "path": rel, "diff": shown["diff"], "stage": stage}
        return self._trees[stage].publish(rel, text, idempotency_key)

    def confirm(self, result: Any) -> Confirmation:
        if not isinstance(result, Mapping):
            return Confirmation.failed("no publishing result to confirm")
        if result.get("tree") == "dry_run":
            return Confirmation.passed(result)
        if result.get("recovering"):
            found = self._find(str(result["idempotency_key"]), str(result["stage"]))
            if found is None:
                return Confirmation.failed("nothing was published with this key")
            result = found
        tree = self._trees["canary" if result.get("tree") == "canary" else "full"]
        live = tree.read_live(str(result["path"]))
        if live is None or _sha(live) != result.get("sha256"):
            return Confirmation.failed(f"{result['path']} does not hold the published version")
        if self.check is not None:
            reason = self.check(str(result["path"]), live)
            if reason:
                return Confirmation.failed(reason, dict(result))
        return Confirmation.passed(dict(result))

    def _find(self, key: str, stage: str) -> dict[str, Any] | None:
        """Look a key up in the stage's tree (recovery has only the key)."""
        if stage == "dry_run":
            return {"tree": "dry_run", "stage": stage}
        tree = self._trees.get(stage)
        if tree is None:
            return None
        tag = _key_tag(key)
        vroot = tree.base / ".versions"
        if not vroot.is_dir():
            return None
        for vfile in vroot.rglob(f"*.{tag}.publish"):
            rel = str(vfile.parent.relative_to(vroot))
            return tree.find(rel, key)
        return None

    def rollback(self, result: Any) -> Any:
        if not isinstance(result, Mapping) or "path" not in result:
            raise RollbackImpossible("no publishing result to roll back")
        if result.get("tree") == "dry_run":
            return None
        tree = self._trees["canary" if result.get("tree") == "canary" else "full"]
        return tree.rollback(str(result["path"]), result)

    def effects(self, key: str) -> int:
        """How many versions ``key`` published, over both trees (for tests: must be <= 1)."""
        tag = _key_tag(key)
        return sum(
            1
            for tree in self._trees.values()
            if (tree.base / ".versions").is_dir()
            for _ in (tree.base / ".versions").rglob(f"*.{tag}.publish")
        )
