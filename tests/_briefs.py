"""What the packaging tests build: assessments by hand, findings, a publish action."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from handoff.models import (
    Action,
    Assessment,
    Factor,
    Finding,
    Level,
    Mode,
    Package,
)

BODY = "We launched today. Our tool is 100% guaranteed to double your revenue. Try it now."
CLAIM_START = BODY.index("100%")


def _text(**kwargs: int) -> st.SearchStrategy[str]:
    """Text the models accept: no NUL, no lone surrogate (both refused; see test_plane)."""
    return st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), **kwargs)


def assessment(
    *findings: Finding,
    level: Level = Level.MEDIUM,
    mode: Mode = Mode.REVIEW,
    owner: str | None = "marketing-ops",
    quorum: int = 1,
    reasons: list[Finding] | None = None,
) -> Assessment:
    return Assessment(
        level=level,
        score={Level.LOW: 0.1, Level.MEDIUM: 0.45, Level.HIGH: 0.8}[level],
        factors=[
            Factor(name="impact", score=0.5, reasons=reasons or []),
            Factor(name="uncertainty", score=0.2),
        ],
        triggers=list(findings),
        owner=owner,
        mode=mode,
        quorum=quorum,
        policy_version="test",
    )


def finding(code: str, message: str = "", where: str = "", excerpt: str = "") -> Finding:
    return Finding(code=code, message=message or f"{code} fired", where=where, excerpt=excerpt)


def claim_finding(body: str = BODY, start: int = CLAIM_START, end: int | None = None) -> Finding:
    end = end if end is not None else start + len("100% guaranteed")
    s, e = max(0, start - 30), min(len(body), end + 30)
    return finding(
        "language.claims",
        "The text makes an absolute product claim",
        where=f"args.body[{s}:{e}]",
        excerpt=" ".join(body[s:e].split()),
    )


def publish(**kw: Any) -> Action:
    args = {"title": "Launch day", "site": "public", "body": BODY}
    return Action(tool="cms.publish", args=args, agent="mkt-bot", **kw)


def ids(p: Package) -> list[str]:
    return [o.id for o in p.options]
