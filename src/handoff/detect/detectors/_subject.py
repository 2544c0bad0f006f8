"""Subject matter: whose area of the business a tool works in.

Not a reason to hand off, only a hint for routing: when the reasons that fired do not
name an owner (an injected instruction, say), the team that owns what the tool touches
is the one best placed to judge it. Areas are policy-neutral names (``money``,
``legal``, ``content``, ``product``, ``it``); the policy maps each to an owner through
the ``subject.<area>`` trigger rules.
"""

from __future__ import annotations

from ._base import ActionView, DetectConfig, Signal, wordset

__all__ = ["detect_subject", "subject_of", "subject_signal"]

# Order matters: the first area with a word in the name wins.
_AREAS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "it",
        wordset(
            "data database record records access network backup credential credentials "
            "account accounts firmware server servers security password passwords key "
            "keys encryption log logs firewall identity auth authentication login session "
            "sessions file files repository repositories iam role roles permission "
            "permissions malware"
        ),
    ),
    (
        "money",
        wordset(
            "money payment payments pay invoice invoices billing tax accounting bank "
            "banking credit loan loans transaction transactions trading trade stock "
            "stocks fund funds investment investments laundering financial finance budget "
            "expense expenses payroll crypto wallet withdraw withdrawal transfer price "
            "prices pricing discount discounts refund refunds"
        ),
    ),
    (
        "legal",
        wordset(
            "legal law contract contracts compliance lawsuit litigation settlement nda "
            "gdpr privacy consent regulation regulatory patent license licence court "
            "judicial advice"
        ),
    ),
    (
        "content",
        wordset(
            "campaign campaigns brand content post posts blog social newsletter seo ad "
            "ads advert advertising press influencer cms publication publish"
        ),
    ),
    (
        "product",
        wordset(
            "workflow workflows vehicle vehicles navigation path planning collision "
            "braking brake camera sensor sensors flight design service services "
            "optimization optimizer customer customers order orders feature features crm "
            "product products course courses grade grades"
        ),
    ),
)


def subject_of(words: tuple[str, ...]) -> str | None:
    """The business area a tool name points at, if any."""
    ws = set(words)
    for area, vocab in _AREAS:
        if ws & vocab:
            return area
    return None


def subject_signal(name: str, words: tuple[str, ...], weight: float) -> Signal | None:
    area = subject_of(words)
    if area is None:
        return None
    return Signal(
        f"subject.{area}",
        f"{name} works on {area} matters",
        where="tool",
        excerpt=name,
        weight=weight,
        trigger=False,
    )


_HINTS: dict[str, list[Signal]] = {}


def detect_subject(view: ActionView, config: DetectConfig) -> list[Signal]:
    """A routing hint from the proposed tool's name (cached: signals are immutable)."""
    hit = _HINTS.get(view.tool)
    if hit is None:
        sig = subject_signal(view.tool, view.words, 0.2)
        hit = [sig] if sig is not None else []
        if len(_HINTS) < 4096:
            _HINTS[view.tool] = hit
    return hit
