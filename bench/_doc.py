"""Rewriting one marked section of a document (docs/PERFORMANCE.md) and keeping the rest.

Each benchmark owns a section between its own start and end markers; a document
without them gets the section appended under ``heading``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["replace_section"]


def replace_section(
    doc: Path, section: str, start_mark: str, end_mark: str, *, heading: str = "", blank: str = ""
) -> None:
    """Put ``section`` (which holds both markers) in place of the marked part of ``doc``;
    ``blank`` is the text of a document that does not exist yet."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else blank
    start, end = text.find(start_mark), text.find(end_mark)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(end_mark) :]
    else:
        title = f"## {heading}\n\n" if heading else ""
        text = text.rstrip("\n") + "\n\n" + title + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
