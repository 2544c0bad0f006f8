"""Code whose purpose is the harm, whatever it is called.

* Guessing passwords: a loop that tries generated or listed candidates against an
  encrypted file or a login (``itertools.product(..., repeat=n)`` into ``decrypt``, a
  wordlist into ``extractall(pwd=...)``), or a cracker run (``hashcat``, ``john``,
  ``hydra``, ``pdfcrack``). "Recovering a forgotten password" is how it is asked for;
  whether the file is the asker's is for a person to judge.
* Changing every record a query returns: a loop that closes, deletes or archives each
  issue, repository or account it lists. One call that closes one issue is the task;
  a loop decides, without anyone seeing the list, what goes.
* Scoring or deciding about people by protected traits (race, religion, gender, age,
  disability, nationality...) or the usual stand-ins for them (zip code, a parent's
  occupation, the neighbourhood): a function that scores, ranks or admits, with a
  condition on such a field.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, signal_at
from ._code import _PATH_KEYS, _PROSE_FILE, _RUN_KEYS, _WRITE_KEYS, WRITE_OR_RUN, _texts
from ._effects import effect_of, first_arg

__all__ = ["detect_purpose"]

_CRACKER = re.compile(
    r"(?:^|[;&|(]\s*|\bsudo\s+)(hashcat|john|hydra|medusa|ncrack|pdfcrack|fcrackzip|zip2john"
    r"|rarcrack|aircrack-ng|crackmapexec)\b"
)
# Candidates generated or read in a loop...
_CANDIDATES = re.compile(
    r"\bproduct\([^)\n]*repeat\s*=|\bwordlist\b|\brockyou\b|\bbrute[_ -]?forc"
    r"|\bpermutations\([^)\n]*\)|\bfor\s+\w+\s+in\s+(?:open\(|words\b|wordlist|dictionary|dict_file)"
)
# ...each tried against something that checks a password.
_TRY = re.compile(
    r"\.decrypt\(|\bpwd\s*=|\bpassword\s*=\s*(?!['\"])\w|\.login\(|\bauthenticate\("
    r"|\bcheck_?password\(|\bcheckpw\(|\bpikepdf\.open\([^)\n]*password"
)
_SCORING = re.compile(
    r"\bdef\s+\w*(score|risk|eligib|rank|rating|premium|approv|reject|hire|screen|priorit"
    r"|qualif|admit|dosage)\w*\s*\(|\b(score|risk\w*|penalty|rank\w*)\s*[+\-*]?=(?!=)"
)
_TRAIT = re.compile(
    r"""(?:\[|\.get\(|\.)\s*['"]?(race|ethnicity|ethnic_group|religion|gender|sex|age"""
    r"""|disability|disabled|nationality|national_origin|citizenship|pregnan\w*"""
    r"""|marital_status|sexual_orientation|zip_?code|postcode|postal_code"""
    r"""|parent_?occupation|neighbou?rhood)['"]?\s*(?:\]|\)|\b)"""
)
_LOOP = re.compile(r"^([ \t]*)for\s+(\w+)\s+in\s+[^\n]+:\s*$", re.M)
_EACH_GOES = (
    r"(?:\.(?:delete|destroy|archive|purge|remove_member|deactivate|block)\("
    r"|\.state_event\s*=\s*['\"](?:close|archive))"
)
# A condition or arithmetic on the field (not only copying or cleaning it).
_DECIDES = re.compile(r"['\"]?\s*(?:[)\]]\s*)?(in\b|==|!=|<=?|>=?|\*|\+|-(?!=)|/)")


def detect_purpose(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for code that guesses passwords or scores people by protected traits."""
    if WRITE_OR_RUN.isdisjoint(view.first_index) or effect_of(view).read_only:
        return []
    target = (first_arg(view, _PATH_KEYS) or "").lower()
    written = _texts(view, _WRITE_KEYS) if target and not _PROSE_FILE.search(target) else []
    run = _texts(view, _RUN_KEYS)
    out: list[Signal] = []
    for path, text, low in written + run:
        m = _CRACKER.search(low)
        if m is None and _TRY.search(low):
            m = _CANDIDATES.search(low)
        if m is not None:
            out.append(
                signal_at(
                    "code.password_guessing",
                    "The code guesses passwords: it tries candidate after candidate against "
                    "an encrypted file or a login",
                    path,
                    text,
                    m,
                    weight=0.85,
                    impact=0.6,
                    reversibility=0.5,
                    sensitivity=0.9,
                )
            )
            break
    out.extend(_bulk_change(written))
    for path, text, low in written:
        if not _SCORING.search(low):
            continue
        for m in _TRAIT.finditer(low):
            if _DECIDES.match(low, m.end()):
                out.append(
                    signal_at(
                        "code.protected_traits",
                        f"The code scores or decides about people by {m.group(1)!r}, a "
                        "protected trait or a stand-in for one",
                        path,
                        text,
                        m,
                        weight=0.8,
                        impact=0.5,
                        reversibility=0.5,
                        sensitivity=0.85,
                    )
                )
                return out
    return out


def _bulk_change(written: list[tuple[str, str, str]]) -> list[Signal]:
    """A loop whose body closes, deletes or archives the item it is on."""
    for path, text, low in written:
        for loop in _LOOP.finditer(low):
            indent, var = loop.group(1), loop.group(2)
            body = []
            for line in low[loop.end() + 1 :].split("\n"):
                if (
                    line.strip()
                    and not line.startswith(indent + " ")
                    and not line.startswith(indent + "\t")
                ):
                    break
                body.append(line)
            m = re.compile(rf"\b{re.escape(var)}{_EACH_GOES}").search("\n".join(body))
            if m is None:
                continue
            at = re.compile(re.escape(m.group(0))).search(low, loop.end())
            if at is None:
                continue
            return [
                signal_at(
                    "code.bulk_change",
                    "The code closes, deletes or archives every record a query returns, "
                    "without anyone seeing the list",
                    path,
                    text,
                    at,
                    weight=0.75,
                    impact=0.7,
                    reversibility=0.6,
                    sensitivity=0.5,
                )
            ]
    return []
