"""``python -m bench [--quick] [--dir DIR] [--out FILE] [--no-anchor]``.

A full run rewrites the bench section of docs/PERFORMANCE.md; ``--quick`` (small
counts) only prints, unless ``--out`` names a file to write.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .report import render, write_section
from .runner import FULL, QUICK, run

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    ap.add_argument(
        "--dir",
        type=Path,
        help="where the database files go (default: a temporary folder inside bench/, "
        "so they sit on the repository's disk, not a tmpfs)",
    )
    ap.add_argument("--out", type=Path, help="the document to rewrite the bench section of")
    ap.add_argument("--no-anchor", action="store_true", help="skip the LangGraph anchor")
    args = ap.parse_args(argv)

    out = args.out or (None if args.quick else ROOT / "docs" / "PERFORMANCE.md")
    counts = QUICK if args.quick else FULL
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        results = run(args.dir, counts, anchor=not args.no_anchor, quick=args.quick)
    else:
        here = Path(__file__).resolve().parent
        with tempfile.TemporaryDirectory(prefix=".data-", dir=here) as tmp:
            results = run(Path(tmp), counts, anchor=not args.no_anchor, quick=args.quick)
    section = render(results)
    print()
    print(section)
    if out is not None:
        write_section(out, section)
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
