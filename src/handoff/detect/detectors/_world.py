"""Effects on the physical and networked world: devices, emergency services, the web.

* ``action.physical`` — a call that switches, opens or moves something physical, when
  its target is a safety device (a camera, an alarm, a breaker, a lock, a traffic
  light, medication) or is not one named thing (``all``, ``every``, a wildcard).
* ``action.dispatch`` — a call that sends, changes or closes emergency dispatch.
* ``web.suspicious_domain`` — a visit, download or link to a host that looks like a
  look-alike, a bare IP address or an abuse-prone name.
* ``access.allowlist`` — a change to what is allowed or blocked (unblock a domain).
* ``web.risky_search`` — a search for cracked or pirated software.
* ``action.hidden_move`` — data moved, copied or exported to a hidden path.
* ``action.untrusted_code`` — an executable downloaded from the web.
* ``action.data_outward`` — data moved, copied or uploaded to removable media or to a
  public drop site (``transfer.sh``, ``webhook.site``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from ._base import ActionView, DetectConfig, Signal, excerpt_at, holds_any, wordset
from ._effects import ACTUATE, SAFETY, effect_of, first_arg
from ._hazards import KINDS, safe_way

__all__ = ["URL", "detect_world", "suspicious_host"]

URL = re.compile(r"\b(?:https?://|www\.)([^/\s'\"<>()\[\]{},;]+)[^\s'\"<>]*", re.IGNORECASE)
_BROAD = re.compile(r"(^|\W)(all|every|each|entire|whole|any|everything|\*)(\W|$)")
# The same, said by the tool's own name (``hvac.all_off``, ``lights.turn_off_all``).
_BROAD_WORDS = wordset("all every each entire whole everything")
_OFF = wordset(
    "off disable disabled deactivate stop disarm unlock open shutdown cut kill halt "
    "override walk green"
)
_RISKY_TLDS = wordset(
    "zip mov xyz top tk ml ga cf gq click link work loan cam rest kim men stream download "
    "racing win bid party su ru cn icu buzz monster cyou sbs cfd"
)
_BAIT = wordset(
    "login signin sign verify verification secure security account update password reset "
    "wallet free crack cracked keygen warez malware phish phishing hack exploit giveaway "
    "bonus prize unlock recover recovery support billing"
)
_BRANDS = wordset(
    "paypal apple google microsoft amazon facebook instagram netflix chase wellsfargo "
    "citibank hsbc dropbox docusign outlook office365 icloud coinbase binance metamask "
    "github linkedin whatsapp telegram steam adobe"
)
_LEET = str.maketrans("013457@$", "oleastas")
_SEARCH_BAD = re.compile(
    r"\b(crack(ed|s)?|keygen|warez|nulled|pirat(ed|e)|torrent|serial key|license key "
    r"generator|activation bypass|free download full version)\b"
)
# A search for how to hurt people or where to buy what the law forbids: making weapons
# or explosives, hard drugs without a prescription, stolen cards and identities.
_SEARCH_HARM = re.compile(
    r"\b(?:how (?:to|do (?:i|you|we)|can (?:i|you|we))|ways? to|steps? to|instructions? (?:for|to)"
    r"|guide to) (?:make|build|assemble|cook|synthesi[sz]e|produce) (?:an? |my own |some )?"
    r"(?:(?:pipe|nail|car|fertili[sz]er)[- ])?(?:bombs?|explosives?|ieds?|napalm|nerve agents?"
    r"|sarin|ricin|meth(?:amphetamine)?|silencers?)\b"
    r"|\b(?:buy|order|purchase|get|where to (?:buy|get|find)) (?:some )?(?:fentanyl|fent|heroin"
    r"|cocaine|coke|meth(?:amphetamine)?|oxycodone|oxy|xanax|lsd|mdma)\b"
    r"|\b(?:fentanyl|heroin|cocaine|meth|oxycodone|mdma|lsd) for sale\b"
    r"|\b(?:ghost guns?|untraceable (?:guns?|firearms?)|unregistered (?:guns?|firearms?)"
    r"|3d[- ]printed guns?)\b"
    r"|\b(?:buy|purchase|order) (?:\d+ )?(?:stolen|dumped|fullz) (?:credit )?(?:cards?|cvvs?"
    r"|identities|ssns?)\b|\bstolen credit card numbers\b"
    r"|\bfake (?:id|passport)s? (?:for sale|online)\b"
    r"|\bhire (?:a )?(?:hacker|hitman)\b|\b(?:ddos|booter|stresser) (?:for hire|service)\b"
    r"|\b(?:dark ?web|darknet) (?:market|shop|vendor)s?\b"
)
# A literal every match of _SEARCH_HARM holds (tests/test_harmful_intent.py keeps it so):
# most searches hold none, and a few `in` checks cost less than the pattern.
_HARM_WORDS = (
    "bomb",
    "explosive",
    "ied",
    "napalm",
    "nerve",
    "sarin",
    "ricin",
    "meth",
    "silencer",
    "fent",
    "heroin",
    "cocaine",
    "coke",
    "oxy",
    "xanax",
    "lsd",
    "mdma",
    "gun",
    "firearm",
    "stolen",
    "dumped",
    "fullz",
    "fake",
    "hacker",
    "hitman",
    "ddos",
    "booter",
    "stresser",
    "dark",
)
# A search *about* a harm (its news, its law, how to stay safe from it) is not one for it.
_ABOUT_HARM = re.compile(
    r"\b(?:news|laws?|legislation|legal|ban|bill|statistics|stats|documentary|history"
    r"|protection|protect|prevent\w*|defen[cs]e|mitigat\w*|check if|leaked|breach"
    r"|research|study|policy|awareness|report(?:ed|s)?|ethical|pentest)\b"
)
# Search engines of the Tor network: what they find is not indexed anywhere else.
_DARK_WEB = wordset("onion darkweb darknet tor")
_ALLOW_WORDS = wordset("unblock allow allowlist whitelist unban permit")
_BLOCK_WORDS = wordset("firewall blocklist blacklist block domain domains")
_MOVE_WORDS = wordset(
    "move copy rename sync upload backup export archive mv cp transfer relocate save"
)
_DEST_KEYS = wordset(
    "dest destination target to new_path newpath target_path dst output out path folder "
    "directory dir new_name"
)
_HIDDEN = re.compile(r"(^|/)\.(?!\.?/)(?!\.)[^/\s]+")
# Places where data leaves the owner's systems: removable media mounted on the machine,
# and sites whose purpose is to take a file or a request from anyone and hand it on.
_EXTERNAL = re.compile(
    r"^(?:/media/|/run/media/|/mnt/(?:usb|sd[a-z]?\d*|external|removable)|/volumes/(?!macintosh))"
    r"|^(?:https?://)?(?:[\w-]+\.)*(?:transfer\.sh|0x0\.st|file\.io|temp\.sh|termbin\.com"
    r"|bashupload\.com|catbox\.moe|gofile\.io|anonfiles\.com|pastebin\.com|paste\.ee"
    r"|hastebin\.com|ghostbin\.\w+|sendspace\.com|wetransfer\.com|mega\.nz|webhook\.site"
    r"|requestbin\.\w+|pipedream\.net|ngrok(?:-free)?\.(?:io|app|dev)|interact\.sh)(?:[/:?#]|$)"
)
_EXECUTABLE = re.compile(r"\.(exe|msi|sh|bat|cmd|apk|dmg|pkg|jar|ps1|scr|bin|deb|rpm|vbs)\b")


# Documentation ranges (RFC 5737): Python counts them private, but no one's
# own network is there; a call to one follows an example or someone else's text.
_EXAMPLE_NETS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)


def _own_network(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback or a private network, not link-local (cloud metadata) nor an example."""
    if ip.is_loopback:
        return True
    return ip.is_private and not ip.is_link_local and not any(ip in n for n in _EXAMPLE_NETS)


@lru_cache(maxsize=4096)
def suspicious_host(host: str) -> str | None:
    """Why a host name looks unsafe to visit, or None."""
    h = host.lower().split("@")[-1].split(":")[0].strip(".")
    if not h:
        return None
    try:
        ip = ipaddress.ip_address(h.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        # This machine and the private network are where a developer's own services run;
        # link-local (cloud metadata) and public addresses are not.
        if _own_network(ip):
            return None
        return "a bare IP address, not a name"
    if "xn--" in h or not h.isascii():
        return "an internationalised name that can imitate another"
    labels = h.split(".")
    if len(labels) < 2:
        return None
    tld, name = labels[-1], labels[-2]
    if tld == "onion":
        return "a Tor hidden service (.onion), reachable only through Tor"
    if tld in _RISKY_TLDS:
        return f"a .{tld} name, a top-level domain often used for abuse"
    words = set(re.split(r"[-.\d]+", ".".join(labels[:-1])))
    folded = {w.translate(_LEET) for w in re.split(r"[-.]+", ".".join(labels[:-1]))}
    for brand in _BRANDS:
        if name != brand and (brand in words or brand in folded or brand in name):
            return f"a name that imitates {brand} without being {brand}"
    if words & _BAIT and name not in _BRANDS:
        return "a name built to look like a login, reset or download page"
    if h.count("-") >= 3 or len(name) > 30:
        return "an unusually long or hyphenated name"
    return None


_WRITE_METHODS = frozenset(("post", "put", "patch"))
_URL_HOST = re.compile(r"https?://(?:[^@/\s]{0,200}@)?([\w.-]{1,253})")


def _http_send(view: ActionView, config: DetectConfig) -> list[Signal]:
    """An HTTP POST, PUT or PATCH, by any tool, to a host the person never named: the
    shell's ``curl -d`` rule for a call whose method and URL are arguments."""
    method = view.first_arg(("method", "http_method", "verb"))
    if method is None or method.strip().lower() not in _WRITE_METHODS:
        return []
    url = view.first_arg(("url", "uri", "endpoint", "href"))
    m = _URL_HOST.match(url.strip().lower()) if url else None
    if m is None:
        return []
    host = m.group(1).strip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if (
        (ip is not None and _own_network(ip))
        or host == "localhost"
        or any(host == d or host.endswith("." + d) for d in config.internal_domains)
        or re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", view.instruction.lower())
    ):
        return []
    return [
        Signal(
            "action.data_outward",
            f"The call sends data ({method.strip().upper()}) to {host}, a host the person "
            "never named",
            where=next((path for path, text in view.args if text is url), "args"),
            excerpt=url[:120] if url else "",
            weight=0.6,
            impact=0.6,
            reversibility=0.3,
            sensitivity=0.5,
        )
    ]


# Dispatch in logistics: drivers, loads and shipments, with no emergency named.
_FREIGHT = wordset(
    "driver drivers shipment shipments load loads freight delivery deliveries parcel parcels "
    "package packages truck trucks courier route routes order orders pickup warehouse"
)
_EMERGENCY = re.compile(
    r"\b(?:emergenc\w*|911|112|ambulance|police|fire|paramedic|rescue|evacuat\w*|responder)"
)


# Machines that run errands on their own: sending one (to its charger, to a shelf) calls
# out no responder.
_ROBOTS = wordset("robot robots amr amrs agv agvs forklift forklifts rover rovers")
_SENT = _FREIGHT | _ROBOTS


def _freight(view: ActionView, words: frozenset[str]) -> bool:
    """A dispatch of freight (a driver to a shipment) or of a robot (to its charger) and
    no emergency in sight."""
    if words.isdisjoint(_SENT) and view.key_set.isdisjoint(_SENT):
        return False
    return _EMERGENCY.search(" ".join(view.words) + " " + view.args_lower) is None


# Where a service's incidents are kept: an outage posted to a status page or an alert
# acknowledged on call sends no responder out.
_SERVICE_DESKS = wordset(
    "statuspage pagerduty opsgenie servicenow sentry jira incidentio firehydrant rootly "
    "victorops datadog grafana uptime oncall"
)


def _service_incident(view: ActionView, words: frozenset[str]) -> bool:
    """A service's incident (a status page, an on-call tool), with no emergency named."""
    desk = not words.isdisjoint(_SERVICE_DESKS) or {"status", "page"} <= words
    return desk and _EMERGENCY.search(" ".join(view.words) + " " + view.args_lower) is None


def detect_world(view: ActionView, config: DetectConfig) -> list[Signal]:
    effect = effect_of(view)
    words = view.word_set
    out: list[Signal] = []
    low_all = view.args_lower
    if "device" in effect.families and not effect.read_only:
        out.extend(_physical(view, words, low_all))
    if (
        "dispatch" in effect.families
        and not effect.read_only
        and not _freight(view, words)
        and not _service_incident(view, words)
    ):
        out.append(
            Signal(
                "action.dispatch",
                "The call sends, changes or closes emergency dispatch; a wrong one costs "
                "lives or leaves an emergency unattended",
                where="tool",
                excerpt=view.tool,
                weight=0.85,
                impact=0.85,
                reversibility=0.7,
                sensitivity=0.6,
            )
        )
    if "http" in low_all or "www." in low_all:
        out.extend(_web(view, config))
        out.extend(_http_send(view, config))
    if "destroy_hint" in effect.families or "open_world" in effect.families:
        out.extend(_annotated(view, effect.families))
    if words & _ALLOW_WORDS or (
        words & _BLOCK_WORDS
        and re.search(r"\b(allow|unblock|whitelist|remove)\b", low_all)
        and not effect.read_only
    ):
        out.append(
            Signal(
                "access.allowlist",
                "The call changes what is allowed or blocked; an unblocked domain or "
                "sender lets what was kept out come in",
                where="tool",
                excerpt=view.tool,
                weight=0.85,
                impact=0.7,
                reversibility=0.4,
                sensitivity=0.8,
            )
        )
    if effect.read_only or "search" in words or "query" in words:
        harm = _harmful_search(view, words, low_all)
        if harm is not None:
            out.append(harm)
    if (effect.read_only or "search" in words or "query" in words) and _SEARCH_BAD.search(low_all):
        # A match in one argument is one in all of them joined: the pattern is a list of
        # words between \b's.
        for (path, text), low in zip(view.args, view.lowered(), strict=True):
            m = _SEARCH_BAD.search(low)
            if m:
                span, ex = excerpt_at(text, m.start(), m.end(), pad=30)
                out.append(
                    Signal(
                        "web.risky_search",
                        "The agent looks for cracked or pirated software, which comes with "
                        "malware and legal risk",
                        where=f"{path}{span}",
                        excerpt=ex,
                        weight=0.75,
                        impact=0.5,
                        reversibility=0.3,
                        sensitivity=0.7,
                    )
                )
                break
    if words & _MOVE_WORDS and not effect.read_only:
        hidden = _hidden_destination(view)
        if hidden is not None:
            out.append(hidden)
        away = _external_destination(view)
        if away is not None:
            out.append(away)
    if not effect.read_only:
        out.extend(_rows_removed(view))
    return out


_DATA_FILE = re.compile(r"\.(csv|tsv|jsonl?|xlsx?|ods|ledger|sqlite3?|db)$")


def _rows_removed(view: ActionView) -> list[Signal]:
    """An editor's replacement on a data file that takes whole rows out deletes records
    (a ledger's entries, a list of complaints) with no trace of what they were."""
    if "old_str" not in view.first_index:
        return []
    path = first_arg(view, ("path", "file", "file_path", "filename")) or ""
    old = first_arg(view, ("old_str",))
    new = first_arg(view, ("new_str",)) or ""
    if old is None or not _DATA_FILE.search(path.lower()):
        return []
    if not (old.count("\n") > new.count("\n") or (old.strip() and not new.strip())):
        return []
    return [
        Signal(
            "action.destructive",
            f"The edit removes rows from the data file {path}: records are deleted, with "
            "no trace of what they held",
            where="args.old_str",
            excerpt=" ".join(old.split())[:120],
            weight=0.8,
            impact=0.7,
            reversibility=0.8,
            sensitivity=0.5,
        )
    ]


def _annotated(view: ActionView, families: frozenset[str]) -> list[Signal]:
    """What the tool's own annotations say it may do."""
    out: list[Signal] = []
    if "destroy_hint" in families:
        out.append(
            Signal(
                "tool.destructive",
                "The tool's annotations say it may destroy or overwrite data (destructiveHint)",
                where="annotations",
                excerpt=view.tool,
                weight=0.7,
                impact=0.5,
                reversibility=0.85,
            )
        )
    if "open_world" in families:
        out.append(
            Signal(
                "tool.open_world",
                "The tool's annotations say it reaches outside systems (openWorldHint)",
                where="annotations",
                excerpt=view.tool,
                weight=0.3,
                impact=0.4,
                trigger=False,
            )
        )
    return out


# Medication by the short words a device's own name uses (``medDispenser``, ``pill_cart``):
# read in the name only, where "med" is no medium speed.
_NAMED_SAFETY = wordset("med meds pill pills dose doses dosing drug drugs")


def _physical(view: ActionView, words: frozenset[str], low_all: str) -> list[Signal]:
    # Argument words split at underscores too: ``front_door_camera`` names a camera.
    safety = (
        sorted(words & SAFETY)
        or sorted(words & _NAMED_SAFETY)
        or sorted(SAFETY.intersection(re.findall(r"[a-z0-9]+", low_all)))
    )
    broad = (
        _BROAD.search(low_all)
        or not _BROAD_WORDS.isdisjoint(words)
        or (not view.args and not view.numbers)
    )
    turning_off = bool(words & _OFF) or bool(
        re.search(r"\b(off|disable|disarm|unlock|walk)\b", low_all)
    )
    if not (safety or (broad and (words & ACTUATE or turning_off))) or (
        not broad and KINDS.issuperset(safety) and safe_way(view)
    ):
        # One named device, or a hazard stopped or a guard set as the person asked.
        return [
            Signal(
                "action.device",
                "The call changes something in the physical world",
                where="tool",
                excerpt=view.tool,
                weight=0.3,
                impact=0.4,
                reversibility=0.3,
                trigger=False,
            )
        ]
    why = []
    if safety:
        why.append(f"it touches a safety device or substance ({', '.join(safety[:3])})")
    if broad:
        why.append("its target is not one named thing")
    return [
        Signal(
            "action.physical",
            "The call controls something physical and " + " and ".join(why),
            where="args" if view.args else "tool",
            excerpt=view.tool,
            weight=0.85 if safety else 0.75,
            impact=0.8,
            reversibility=0.6,
            sensitivity=0.6,
        )
    ]


def _web(view: ActionView, config: DetectConfig) -> list[Signal]:
    for path, text in view.args:
        if "http" not in text and "www." not in text:
            continue
        for m in URL.finditer(text):
            host = m.group(1).lower()
            if host.startswith("www.") and m.group(0).lower().startswith("www."):
                host = host
            if any(host == d or host.endswith("." + d) for d in config.internal_domains):
                continue
            reason = suspicious_host(host)
            executable = _EXECUTABLE.search(m.group(0).lower(), m.end(1) - m.start())
            if reason is None and executable is None:
                continue
            span, ex = excerpt_at(text, m.start(), m.end())
            if reason is None:
                return [
                    Signal(
                        "action.untrusted_code",
                        f"The call fetches an executable from {host}, a source nobody vetted",
                        where=f"{path}{span}",
                        excerpt=ex,
                        weight=0.7,
                        impact=0.6,
                        reversibility=0.4,
                        sensitivity=0.5,
                    )
                ]
            return [
                Signal(
                    "web.suspicious_domain",
                    f"The call goes to {host}: {reason}",
                    where=f"{path}{span}",
                    excerpt=ex,
                    weight=0.8,
                    impact=0.5,
                    reversibility=0.4,
                    uncertainty=0.5,
                    sensitivity=0.7,
                )
            ]
    return []


def _harmful_search(view: ActionView, words: frozenset[str], low_all: str) -> Signal | None:
    """``web.risky_search`` for a search of the dark web, or for how to do harm."""
    m = _SEARCH_HARM.search(low_all) if holds_any(low_all, _HARM_WORDS) else None
    if m is not None and _ABOUT_HARM.search(low_all):
        m = None
    if m is None and words.isdisjoint(_DARK_WEB):
        return None
    where, ex = "tool", view.tool
    why = "The agent searches the dark web, where what it finds is unvetted and often illegal"
    if m is not None:
        for (path, text), low in zip(view.args, view.lowered(), strict=True):
            hit = _SEARCH_HARM.search(low)
            if hit is not None:
                span, ex = excerpt_at(text, hit.start(), hit.end(), pad=30)
                where = f"{path}{span}"
                break
        why = "The agent searches for how to hurt people or where to buy what the law forbids"
    return Signal(
        "web.risky_search",
        why,
        where=where,
        excerpt=ex,
        weight=0.8,
        impact=0.6,
        reversibility=0.3,
        sensitivity=0.8,
    )


_ASKED_AWAY = re.compile(
    r"\b(?:usb|thumb ?drive|flash ?drive|memory stick|stick|sd card|external (?:drive|disk)"
    r"|removable|transfer\.sh|0x0\.st|file\.io|webhook\.site|pastebin|wetransfer|mega)\b"
)


def _external_destination(view: ActionView) -> Signal | None:
    """``action.data_outward`` when the destination is removable media or a drop site."""
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key not in _DEST_KEYS:
            continue
        m = _EXTERNAL.search(text.strip().lower())
        if m is None or _ASKED_AWAY.search(view.instruction.lower()):
            continue  # none, or the person asked for the stick, the drive or the site
        return Signal(
            "action.data_outward",
            "The call moves or copies data to removable media or a public drop site, out "
            "of the company's systems",
            where=path,
            excerpt=text.strip()[:120],
            weight=0.8,
            impact=0.7,
            reversibility=0.8,
            sensitivity=0.8,
        )
    return None


def _hidden_destination(view: ActionView) -> Signal | None:
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key not in _DEST_KEYS:
            continue
        m = _HIDDEN.search(text.strip())
        if m is None:
            continue
        span, ex = excerpt_at(text, m.start(), m.end(), pad=20)
        return Signal(
            "action.hidden_move",
            "The call moves or copies data to a hidden place, out of the owner's sight",
            where=f"{path}{span}",
            excerpt=ex,
            weight=0.8,
            impact=0.6,
            reversibility=0.5,
            sensitivity=0.8,
        )
    return None
