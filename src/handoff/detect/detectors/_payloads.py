"""Payloads: secrets that leave through a call whose name does not say it sends.

``_content`` reads a credential in a call that sends (an email, a post, a request). A
calendar event's description, an issue's body, a note and a web search's query leave
too: the attendees, the repository's readers, the note's sharers and the search engine
read them. So:

* ``secrets.outward`` — a token whose shape says what it is (``ghp_…``, ``sk-…``,
  ``AKIA…``, a private key block) or a connection string that carries its password, in
  any text a call that stores or shares writes (not a call that sends: ``_content``
  reads those; not a file or a shell line: ``_code`` reads those; not a secret store:
  keeping a token there is what it is for), or in a web search's query;
* ``action.data_outward`` — a card number (13 to 19 digits that pass the Luhn check) or
  a social security number in a web search's query or in a URL the call requests.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, wordset
from ._credentials import CONNECTION_SECRET, TOKEN
from ._effects import effect_of

__all__ = ["detect_payloads"]

# Tools that keep secrets: a token written there is kept, not leaked.
_STORES = wordset(
    "vault secret secrets ssm parameter parameters kms keychain keyring credential "
    "credentials password passwords dotenv env envvar environment config variable variables "
    "1password bitwarden lastpass"
)
# Tools that search the open web.
_WEB_SEARCH = wordset(
    "web google bing duckduckgo brave serp serpapi tavily internet perplexity yahoo baidu"
)
# Every match of TOKEN or CONNECTION_SECRET holds one of these.
_TOKEN_HINTS = re.compile(r"private key|akia|gh[pousr]_|xox|sk-|sk_live_|://")
_QUERY_KEYS = frozenset(("query", "q", "search", "search_query", "keywords", "term", "terms"))
_FILE_KEYS = frozenset(("path", "file", "filename", "filepath", "file_path", "target_file"))
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
_URL = re.compile(r"\bhttps?://\S{1,2000}")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(text: str) -> re.Match[str] | None:
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and digits[0] in "3456" and _luhn(digits):
            return m
    return None


def _personal(text: str) -> tuple[str, re.Match[str]] | None:
    m = _card(text)
    if m is not None:
        return "a card number", m
    m = _SSN.search(text)
    if m is not None:
        return "a social security number", m
    return None


def detect_payloads(view: ActionView, config: DetectConfig) -> list[Signal]:
    words = view.word_set
    low_all = view.args_lower
    effect = effect_of(view)
    if (
        "search" not in words
        and "://" not in low_all
        and view.tool.lower() not in ("search", "websearch")
        and (effect.read_only or _TOKEN_HINTS.search(low_all) is None)
    ):
        return []  # no web search, no address, nothing stored with a token's shape
    web_search = (bool(words & _WEB_SEARCH) and "search" in words) or view.tool.lower() in (
        "search",
        "websearch",
    )
    sends = effect.has("outward", "public", "network", "open_world")
    stores = (
        not effect.read_only
        and not sends
        and not effect.has("code")
        and not (words & _STORES)
        and view.key_set.isdisjoint(_FILE_KEYS)
    )
    out: list[Signal] = []
    # One search over every argument joined says whether any single one needs a look
    # (neither pattern is anchored, and neither matches across a space it needs).
    tokens = (
        (stores or web_search)
        and _TOKEN_HINTS.search(low_all) is not None
        and bool(TOKEN.search(low_all) or CONNECTION_SECRET.search(low_all))
    )
    if not tokens and not web_search and "://" not in low_all:
        return out
    for (path, text), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        query = web_search and key in _QUERY_KEYS
        if tokens and (stores or query) and not out:
            m = TOKEN.search(low) or CONNECTION_SECRET.search(low)
            if m is not None:
                where = "a web search's query" if query else f"the {key} it writes"
                out.append(
                    Signal(
                        "secrets.outward",
                        f"The call puts a credential into {where} ({path}): whoever reads "
                        "it holds the credential",
                        where=path,
                        excerpt=m.group(0)[:12] + "\u2026",
                        weight=0.9,
                        impact=0.8,
                        reversibility=0.6,
                        sensitivity=0.9,
                    )
                )
        if query or "://" in low:
            texts = [text] if query else [u.group(0) for u in _URL.finditer(text)]
            for part in texts:
                found = _personal(part)
                if found is None:
                    continue
                what, m = found
                into = "a web search's query" if query else "a URL it requests"
                return [
                    *out,
                    Signal(
                        "action.data_outward",
                        f"The call puts {what} into {into} ({path}): the site receives it",
                        where=path,
                        excerpt=m.group(0)[:4] + "\u2026",
                        weight=0.85,
                        impact=0.6,
                        reversibility=0.9,
                        sensitivity=0.9,
                    ),
                ]
    return out
