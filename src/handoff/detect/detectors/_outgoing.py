"""What a send or a publish carries out, read against the person's words: a page
published as they asked, a street address read from a record and sent on."""

from __future__ import annotations

import re

from ._asked import records_of
from ._base import ActionView, wordset
from ._provenance import said_unforbidden, trusted_text

__all__ = ["asked_publish", "street_looked_up"]

# The person asked to publish: "publish it now", "make the page public", "go live".
_ASKED_PUBLISH = re.compile(
    r"\b(?:publish(?:es|ed|ing)?|go live|make (?:it|them|this|that|the \w+) public"
    r"|reshare|repost|retweet)\b"
)
# The keys that name what a publish call publishes.
_PAGE_KEYS = wordset(
    "slug slugs page pages page_id page_ids id ids post post_id post_ids title handle "
    "handles path url article article_id"
)
_SEPARATORS = re.compile(r"[-_/\s]+")


def asked_publish(view: ActionView) -> bool:
    """The person's words ask to publish, and not "don't publish it yet", and every page
    the call names by its slug, id or title is one they named ("the Linen Apron page"
    for ``linen-apron``), or the id an earlier lookup gave that page; or the call posts
    the very words the person dictated and asked to post or schedule."""
    if _dictated(view):
        return True
    if not said_unforbidden(view, _ASKED_PUBLISH):
        return False
    flat = _SEPARATORS.sub(" ", trusted_text(view).lower())
    return all(
        _SEPARATORS.sub(" ", low).strip() in flat or _found_for(view, low, flat)
        for low, key in zip(view.lowered_args, view.leaf_keys, strict=True)
        if key in _PAGE_KEYS
    )


def _found_for(view: ActionView, value: str, flat: str) -> bool:
    """``value`` is the id that an earlier tool output gives, in one record, beside a
    slug or title the person wrote (``post_331`` beside ``five-ways-to-cut-waste``)."""
    value = value.strip()
    if len(value) < 3:
        return False
    for step in view.action.context.steps:
        seen = (step.observation or "").lower()
        if value not in seen:
            continue
        if _got_by_name(step.args, seen, flat):
            return True
        for record in records_of(seen):
            if value in record and any(
                len(other) >= 10 and other != value and _SEPARATORS.sub(" ", other) in flat
                for other in record
            ):
                return True
    return False


def _got_by_name(args: object, seen: str, flat: str) -> bool:
    """The step fetched one object (its output is a single JSON object, not a list) by a
    slug or title the person wrote (``cms.posts.get {slug: five-ways-to-cut-waste}``)."""
    if not isinstance(args, dict) or not seen.lstrip().startswith("{"):
        return False
    return any(
        isinstance(v, str) and len(v) >= 10 and _SEPARATORS.sub(" ", v.lower()).strip() in flat
        for v in args.values()
    )


# Asked to post what they wrote: "Schedule this for our page Tuesday: “...”".
_ASKED_POST = re.compile(
    r"\b(?:post|publish|schedule|tweet|share|put (?:it|this|that) (?:up|out))\b"
)
_TEXT_KEYS = wordset("text content body message status commentary caption post")
_QUOTES = re.compile(r"[\"\u201c\u201d\u2018\u2019']")


def _dictated(view: ActionView) -> bool:
    """The call's text is the person's own words, quoted in their request (20 or more
    characters), and they asked to post, publish or schedule it."""
    said: str | None = None
    for low, key in zip(view.lowered_args, view.leaf_keys, strict=True):
        if key not in _TEXT_KEYS or len(low) < 20:
            continue
        if said is None:
            said = " ".join(_QUOTES.sub("", trusted_text(view).lower()).split())
        if " ".join(_QUOTES.sub("", low).split()) in said:
            return said_unforbidden(view, _ASKED_POST)
    return False


_DIGIT = re.compile(r"\d")
# The kind of street every match of ``_STREET`` ends with: a cheap first look.
_STREET_KIND = re.compile(
    r"\b(?:rd|road|st|street|ave|avenue|ln|lane|blvd|boulevard|dr|drive|way|ct|court|pl"
    r"|place|hwy|highway)\b"
)
# A street address: a house number, a street's name, its kind ("210 Harbor Rd").
_STREET = re.compile(
    r"\b\d{1,5}[a-z]? [a-z][a-z .'-]{0,40}? (?:rd|road|st|street|ave|avenue|ln|lane|blvd"
    r"|boulevard|dr|drive|way|ct|court|pl|place|hwy|highway)\b"
)


def street_looked_up(view: ActionView) -> tuple[str, str] | None:
    """A street address the send carries that a tool's output showed and the person never
    wrote: where someone lives or receives parcels, read from a record."""
    low_all = view.args_lower
    if _DIGIT.search(low_all) is None or _STREET_KIND.search(low_all) is None:
        return None
    for (path, _), low in zip(view.args, view.lowered_args, strict=True):
        m = _STREET.search(low) if any(c.isdigit() for c in low) else None
        if m is None:
            continue
        street = m.group(0)
        if street in trusted_text(view).lower():
            continue
        if any(src.kind == "observation" and street in src.text.lower() for src in view.sources):
            return path, street
    return None
