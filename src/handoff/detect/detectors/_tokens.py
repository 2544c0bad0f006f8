"""The values an argument may carry, found in any text: emails, IBANs, crypto wallets,
URLs and domains, storage buckets (``s3://``, ``gs://``, ``az://`` and the bucket a
client call in code names: ``Bucket='...'``), phone numbers, account numbers, one-time
codes and paths, each
normalised (case, spaces, a phone's last ten digits) so a value and its source compare
as the same."""

from __future__ import annotations

import re

from ._world import URL

__all__ = ["IBAN", "tokens"]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_WALLET = re.compile(r"\b0x[0-9a-fA-F]{40}\b|\bbc1[a-z0-9]{25,60}\b")
_DATE = re.compile(r"(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])")
# A sentence's full stop may follow a number; a decimal's digits may not.
_PHONE = re.compile(r"(?<![\w.])\+?\d[\d ().-]{7,}\d(?!\w|\.\d)")
# A record's number led by its year ("matter 2024-0231", "case 2023-0117"): no phone.
_YEAR_NUMBERED = re.compile(r"^(?:19|20)\d\d[-/]\d{3,6}$")
# A bank account's digits, not a reference's after its letters ("CHG-771204").
_ACCOUNT = re.compile(r"(?<![\w.])(?<![a-z]-)\d{6,}(?![\w.])", re.IGNORECASE)
_PATH = re.compile(r"(?<![\w:/])(?:~|\.{1,2})?/[\w.\-~]+(?:/[\w.\-~]*)*")
_DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]{1,63}\.){1,20}(?:com|net|org|io|co|ai|app|dev|info|biz|us|uk|de|fr|ru|cn|xyz|"
    r"top|me|tv|cc|ly|gg|site|online|shop|store|tech|cloud|email|link|click|zip)\b"
)
# A code: a lone 4-8 digit number, or capitals and digits in hyphenated groups.
_CODE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{2,}(?:-[A-Z0-9]{2,})+\b"
    r"|(?<![\w.,$/:-])\d{4,8}(?![\w,/:-]|\.\d)"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# A bucket by its URI, or as a storage client in code names it (``Bucket='b'``,
# ``bucket_name="b"``, ``upload_file('f.csv', 'b', 'k')``).
_BUCKET = re.compile(
    r"\b(?:s3a?|gs|az|abfss?|wasbs?|r2|oss)://([a-z0-9][a-z0-9._-]{1,62})"
    r"|\bbucket(?:_?name)?\s*[=:]\s*['\"]([a-z0-9][a-z0-9._-]{1,62})['\"]"
    r"|\bupload_file\(\s*[^,()]{1,200},\s*['\"]([a-z0-9][a-z0-9._-]{1,62})['\"]"
)
_TEXT_CACHE: dict[str, frozenset[tuple[str, str]]] = {}


def tokens(text: str) -> frozenset[tuple[str, str]]:
    """Every (kind, normalised value) in ``text``; cached, texts recur across steps."""
    hit = _TEXT_CACHE.get(text)
    if hit is not None:
        return hit
    out: set[tuple[str, str]] = set()
    low = text.lower()
    if "@" in text:
        out.update(("email", m.group(0).lower().strip(".")) for m in _EMAIL.finditer(text))
    for m in IBAN.finditer(text):
        out.add(("iban", m.group(0).replace(" ", "")))
    for m in _WALLET.finditer(text):
        out.add(("wallet", m.group(0).lower()))
    if "http" in low or "www." in low:
        for m in URL.finditer(text):
            host = m.group(1).lower().removeprefix("www.").split(":")[0]
            out.add(("domain", host))
            rest = m.group(0).lower().split(m.group(1).lower(), 1)[-1].rstrip("/.,")
            out.add(("url", host + rest))
    if "." in low:
        for m in _DOMAIN.finditer(low):
            out.add(("domain", m.group(0).removeprefix("www.")))
    if "://" in low or "bucket" in low or "upload_file" in low:
        for m in _BUCKET.finditer(low):
            out.add(("bucket", (m.group(1) or m.group(2) or m.group(3)).rstrip(".")))
    for m in _PHONE.finditer(text):
        if _DATE.search(m.group(0)) or _YEAR_NUMBERED.match(m.group(0)):
            continue  # 2027-05-03 is a day, not a number to call, nor is "112 2025-06-09"
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 15:
            out.add(("phone", digits[-10:]))
    for m in _ACCOUNT.finditer(text):
        out.add(("account", m.group(0)))
    for m in _CODE.finditer(text):
        if not _YEAR.match(m.group(0)):
            out.add(("code", m.group(0)))
    if "/" in text:
        for m in _PATH.finditer(text):
            p = m.group(0).rstrip("/.,")
            if len(p) > 2 and p.count("/") >= 1 and "//" not in p:
                out.add(("path", p))
    frozen = frozenset(out)
    if len(_TEXT_CACHE) >= 2048:
        _TEXT_CACHE.pop(next(iter(_TEXT_CACHE)))
    _TEXT_CACHE[text] = frozen
    return frozen
