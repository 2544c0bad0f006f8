"""Whom and where a call reaches, when its name does not say it leaves the company.

* ``action.data_outward`` — a call that exports, copies, syncs, replicates, puts or
  hooks data names a destination on an outside host (a URL, a bare public address) or in
  another project, and the person never named that place (a service people work with,
  named by its host or in words, is not outside unless secrets go to it; a copy in from
  the address sends nothing to it; a drop site or a bare public address always is);
* ``action.public_access`` — a signed link made: anyone who holds it reads the object
  (not a link the person asked for that expires within a week);
* ``action.public`` — one message sent to a crowd: a campaign, a bulk or "many" send, a
  list or channel that means everyone, or more recipients than a person writes to (not
  a campaign or announcement the person asked to send; not an analytics segment);
* ``provenance.invented_target`` — the person named whom to write to, and the call
  also, or instead, writes to an address they never named and no tool showed; or they
  asked for the move (a webhook, an export) and never named the host it goes to.
"""

from __future__ import annotations

import ipaddress
import re

from ._base import ActionView, DetectConfig, Signal, wordset
from ._effects import effect_of
from ._provenance import OUTWARD_ASK, asked_for, origins, trusted_text
from ._sense import halts, tool_sense
from ._world import _EXTERNAL

__all__ = ["crowd_audience", "detect_reach", "internal_host"]

# Verbs that move a copy of data somewhere, and the thing that carries it on its own.
_MOVERS = wordset(
    "export exports copy sync replica replicas replicate replication put upload mirror "
    "webhook webhooks clone backup dump push stream forward"
)
# Where such a call says the data goes.
_WHERE_KEY = re.compile(
    r"^(?:destination|dest|target|remote|url|uri|endpoint|host|to|sink|callback"
    r"|deliver_to|upload_to|export_to|send_to|email_to|share_to)"
    r"(?:_url|_uri|_host|_endpoint|_path|_location)?$"
    r"|^(?:destination|target|remote|callback|webhook|endpoint)_\w+$"
)
_HOST = re.compile(r"\b(?:https?|s?ftp|sftp|ssh|rsync|s3|gs|wss?)://(?:[^@/\s'\"]+@)?([\w.-]+)")
# Tools whose ``to`` is a message's recipient, read by the send rules; an export's
# ``to`` is where the copy goes.
_MESSAGING_WORDS = wordset(
    "mail email emails message messages forward reply inbox gmail outlook sms text chat dm"
)
# A mailbox as the destination: the copy goes to whoever reads it, at its domain.
_MAILBOX = re.compile(r"^\s*[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\s*$")
_BARE_IP = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\s*$")
_INTERNAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8")
)
_LOCAL_HOSTS = frozenset(("localhost", "127.0.0.1", "0.0.0.0"))
# Services people work with every day: their own repositories, pages, sheets and
# channels live there, so the host alone says nothing about who reads the copy.
_KNOWN_SERVICES = frozenset(
    (
        "github.com",
        "githubusercontent.com",
        "gitlab.com",
        "bitbucket.org",
        "atlassian.net",
        "atlassian.com",
        "slack.com",
        "notion.com",
        "notion.so",
        "google.com",
        "googleapis.com",
        "microsoft.com",
        "office.com",
        "sharepoint.com",
        "live.com",
        "stripe.com",
        "hubspot.com",
        "salesforce.com",
        "zendesk.com",
        "dropbox.com",
        "box.com",
        "airtable.com",
        "asana.com",
        "linear.app",
        "trello.com",
        "figma.com",
        "discord.com",
        "zoom.us",
        "shopify.com",
        "myshopify.com",
        "twilio.com",
        "sendgrid.com",
        "mailchimp.com",
        "intercom.io",
        "pagerduty.com",
        "datadoghq.com",
        "sentry.io",
        "vercel.com",
        "netlify.com",
        "heroku.com",
        "docker.io",
        "docker.com",
        "pypi.org",
        "npmjs.org",
        "npmjs.com",
    )
)
# Labels of a host name that name no one: the service is the label before the suffix.
_SUFFIX_LABELS = frozenset(("com", "org", "net", "io", "co", "app", "dev", "us", "uk", "so"))
# Verbs that copy data in from the address, not out to it.
_INBOUND = wordset("clone pull fetch import download ingest subscribe")
_OUTBOUND = wordset(
    "export exports upload put push forward webhook webhooks backup dump mirror replica "
    "replicas replicate replication stream send post"
)
# A payload that would make any destination a leak.
_SECRET_PAYLOAD = re.compile(
    r"\b(?:passwords?|passwd|ssn|social[_ ]security|credit[_ ]card|card[_ ]number|cvv"
    r"|api[_ ]?keys?|secrets?|private[_ ]keys?|access[_ ]tokens?|credentials?)\b"
)

# ``project.dataset.table``: a destination in a project the source is not in.
_PROJECT_PATH = re.compile(r"^([\w-]+)[.:]([\w-]+)\.([\w-]+)$")

_SIGNED = wordset("signed presigned presign")
_LINKS = wordset("link links url urls")

# A crowd: the name says a campaign or a bulk send, or a list, a segment or a channel
# means everyone.
_BULK = wordset("campaign campaigns bulk mass blast many newsletter newsletters broadcast")
_MESSAGING = wordset(
    "send message messages sms mms email emails mail mailer mailing notify notification "
    "notifications campaign campaigns newsletter newsletters blast push"
)
_AUDIENCE_KEY = re.compile(
    r"^(?:list|lists|list_id|audience|audience_id|segment|segment_id|segments|team|channel"
    r"|channel_id|channel_name|group|group_id|to|recipients?|distribution|cohort)$"
)
_CROWD = re.compile(
    r"^\W*(?:all|everyone|everybody|@?channel|@?here|@?everyone|announcements?"
    r"|(?:all|every|entire)[\s_-]?(?:the[\s_-]?)?(?:customers?|users?|company|staff|employees"
    r"|members|subscribers|contacts|hands|clients|patients|students|org(?:anization)?)"
    r"|company[\s_-]?wide|org[\s_-]?wide)\W*$"
)
_ASKED_BROADCAST = re.compile(
    r"\b(?:campaigns?|newsletters?|announcements?|announce|broadcast|blast)\b"
)
_ASKED_LINK = re.compile(r"\b(?:link|url|share|download)\b")
_EXPIRY_KEY = re.compile(
    r"^(?:expires?|expiry|expiration|ttl)(?:_in)?(?:_(seconds|minutes|hours|days))?$"
)
_EXPIRY_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_LINK_MAX_SECONDS = 7 * 86400
_RECIPIENT_KEYS = wordset(
    "to cc bcc recipient recipients attendees attendee invitees invitee participants guests "
    "emails addresses numbers phones phone_numbers"
)
# More recipients than a person writes one message to.
_CROWD_SIZE = 50
_PHONE = re.compile(r"^\s*\+?\d[\d ().-]{6,}\d\s*$")


def detect_reach(view: ActionView, config: DetectConfig) -> list[Signal]:
    effect = effect_of(view)
    if effect.read_only:
        return []
    out: list[Signal] = []
    ws = view.word_set
    if not ws.isdisjoint(_MOVERS):
        hit = _outside(view, config)
        if hit is not None:
            out.append(hit)
    if not ws.isdisjoint(_SIGNED) and not ws.isdisjoint(_LINKS) and not _asked_link(view):
        out.append(
            Signal(
                "action.public_access",
                "The action makes a signed link: anyone who holds it can read the object",
                where="tool",
                excerpt=view.tool,
                weight=0.8,
                impact=0.7,
                reversibility=0.6,
                sensitivity=0.8,
            )
        )
    if not ws.isdisjoint(_MOVERS):
        whole = _whole_home(view)
        if whole is not None:
            out.append(whole)
    crowd = _crowd(view)
    if crowd is not None:
        out.append(crowd)
    if effect.has("outward", "public", "change"):
        invented = _unnamed_recipient(view)
        if invented is not None:
            out.append(invented)
    if view.args_lower.count("@") > 1 and effect.has("outward"):
        extra = _outsiders_copied(view, config)
        if extra is not None:
            out.append(extra)
    return out


def internal_host(host: str, config: DetectConfig) -> bool:
    """This machine, a private address or the company's own domain: nothing sent there
    leaves."""
    host = host.lower().strip(".")
    if host in _LOCAL_HOSTS or "." not in host:
        return True
    if any(host == d or host.endswith("." + d) for d in config.internal_domains):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host.endswith((".internal", ".local", ".lan", ".corp"))
    return any(ip in net for net in _INTERNAL_NETS)


def _domain(host: str) -> str:
    """The registrable part of ``host``: ``api.notion.com`` -> ``notion.com``."""
    labels = host.split(".")
    if len(labels) > 2 and labels[-2] in _SUFFIX_LABELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _service(host: str) -> str:
    """The label that names the service: ``hooks.slack.com`` -> ``slack``."""
    return _domain(host).split(".", 1)[0]


def _named_place(host: str, said: str, ws: frozenset[str]) -> bool:
    """The person named the host, its domain or its service ("my Google Sheet" for
    docs.google.com), or the tool is that service's own."""
    domain = _domain(host)
    service = _service(host)
    if host in said or domain in said:
        return True
    return len(service) > 2 and (
        service in ws or re.search(rf"(?<![\w.-]){re.escape(service)}(?![\w-])", said) is not None
    )


def _outside(view: ActionView, config: DetectConfig) -> Signal | None:
    said = trusted_text(view).lower()
    texts = dict(view.args)
    ws = view.word_set
    # A copy in from the address (a clone, an import) sends nothing to it.
    inbound = not ws.isdisjoint(_INBOUND) and ws.isdisjoint(_OUTBOUND)
    secret = any(
        _SECRET_PAYLOAD.search(p.lower()) or _SECRET_PAYLOAD.search(t.lower()) for p, t in view.args
    )
    for path, key in view.keys:
        if not _WHERE_KEY.match(key):
            continue
        text = texts.get(path)
        if not text:
            continue
        # A mailbox is a destination where the key says so; a message's ``to`` is a
        # recipient, which the send rules read.
        m = _HOST.search(text) or (
            _MAILBOX.match(text) if key != "to" or ws.isdisjoint(_MESSAGING_WORDS) else None
        )
        bare = _BARE_IP.match(text)
        found = m or bare
        host = found.group(1).lower() if found else ""
        if not host or internal_host(host, config) or host in said:
            pass
        elif _EXTERNAL.match(text.strip().lower()):
            return _leaves(path, text, f"a site that hands files on to anyone ({host})")
        elif bare or _is_ip(host):
            return _leaves(path, text, f"an outside address ({host})")
        elif inbound and not secret:
            pass
        elif _domain(host) in _KNOWN_SERVICES or _named_place(host, said, ws):
            if secret:
                return _leaves(path, text, f"a service account ({host}), with secrets in it")
        elif asked_for(view, "outward") or _asked_mover(view, said):
            return _unnamed_host(path, text, host)
        else:
            return _leaves(path, text, f"an outside host ({host})")
        proj = _PROJECT_PATH.match(text.strip())
        if proj and ("destination" in key or key.startswith("target")):
            project = proj.group(1).lower()
            others = " ".join(t.lower() for p, t in view.args if p != path)
            if project not in others and project not in said:
                return _leaves(path, text, f"another project ({project})")
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _asked_mover(view: ActionView, said: str) -> bool:
    """The person asked for this very move (a webhook, a sync, an export)."""
    return any(re.search(rf"\b{re.escape(w)}", said) for w in view.word_set & _MOVERS)


def _unnamed_host(path: str, text: str, host: str) -> Signal:
    """The person asked for the move but never named where it goes: someone looks."""
    return Signal(
        "provenance.invented_target",
        f"The person asked for this, but never named {host}, where the data goes",
        where=path,
        excerpt=text[:160],
        weight=0.6,
        uncertainty=0.7,
        sensitivity=0.5,
    )


def _leaves(path: str, text: str, where: str) -> Signal:
    return Signal(
        "action.data_outward",
        f"The action sends a copy of data to {where} that the person never named",
        where=path,
        excerpt=text[:160],
        weight=0.8,
        impact=0.75,
        reversibility=0.9,
        sensitivity=0.7,
    )


def _asked_link(view: ActionView) -> bool:
    """The person asked for a link to this object, and it expires within a week."""
    said = trusted_text(view).lower()
    if not _ASKED_LINK.search(said):
        return False
    for path, value in view.numbers:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        m = _EXPIRY_KEY.match(key)
        if m and value * _EXPIRY_UNIT.get(m.group(1) or "seconds", 1) <= _LINK_MAX_SECONDS:
            return True
    return False


# A send the person asks for themselves alone: a test, a copy to them, a preview.
_TO_SELF = re.compile(
    r"\b(?:send|email|forward|text)\s+(?:me|myself|(?:it|this|that|a copy|one) to me"
    r"|(?:me\s+)?(?:a\s+|the\s+)?(?:test|preview|proof|sample)s?)\b"
)


def _asked_send(view: ActionView) -> bool:
    """The person asked to send this campaign, newsletter or announcement themselves; a
    test or a copy sent to them ("draft the newsletter and send me a test") is not it."""
    said = trusted_text(view).lower()
    if not _ASKED_BROADCAST.search(said) or not asked_for(view, "outward"):
        return False
    if _TO_SELF.search(said) is None:
        return True
    return bool(OUTWARD_ASK.search(_TO_SELF.sub(" ", said)))


_HALTS = wordset("pause stop cancel archive delete end disable unschedule halt")
# A campaign's test or preview goes to the addresses it names, not to its audience.
_TRIALS = wordset("test tests preview proof")
_SENDS_NOW = wordset("send resume launch start publish post broadcast blast")


def _crowd(view: ActionView) -> Signal | None:
    found = _crowd_reason(view)
    if found is None or _asked_send(view):
        return None
    why, where, excerpt = found
    return Signal(
        "action.public",
        f"The action sends one message to a crowd ({why}); once sent it cannot be recalled",
        where=where,
        excerpt=excerpt[:160],
        weight=0.6,
        impact=0.5,
        reversibility=0.6,
        sensitivity=0.4,
    )


def crowd_audience(view: ActionView) -> bool:
    """The call sends one message to a crowd, asked for or not."""
    return _crowd_reason(view) is not None


def _crowd_reason(view: ActionView) -> tuple[str, str, str] | None:
    """(why, where, excerpt) when the call sends one message to a crowd: a campaign or a
    bulk send, more recipients than a person writes to, or an audience that means
    everyone."""
    ws = view.word_set
    if tool_sense(view.tool).draft:
        return None  # a draft goes to nobody yet
    if (not ws.isdisjoint(_HALTS) and ws.isdisjoint(_SENDS_NOW)) or halts(view):
        return None  # a campaign paused, stopped or archived sends nothing
    messaging = not ws.isdisjoint(_MESSAGING)
    if not messaging and not (ws & {"channel", "post", "create", "topic"}):
        return None
    if ws & _BULK and ws & _MESSAGING and ws.isdisjoint(_TRIALS):
        return "the tool sends a campaign or a bulk message", "tool", view.tool
    count = 0
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in _RECIPIENT_KEYS and ("@" in text or _PHONE.match(text)):
            count += 1
            if count >= _CROWD_SIZE:
                return f"it goes to {_CROWD_SIZE} or more recipients", path, text
        # An analytics segment or cohort is whom a report counts, not whom it
        # writes to: off a messaging call only a channel is an audience.
        if (
            _AUDIENCE_KEY.match(key)
            and (messaging or key.startswith("channel"))
            and (_CROWD.match(text.lower()) or _list_address(view, text))
        ):
            return f"its {key} is {text.strip()!r}, which means everyone", path, text
    return None


def _list_address(view: ActionView, text: str) -> bool:
    """``text`` is a mailing list's address that means everyone (``all-staff@…``,
    ``everyone@…``), and the person did not write that address themselves."""
    low = text.strip().lower()
    local, at, _ = low.partition("@")
    if not at or _CROWD.match(local) is None:
        return False
    return low not in trusted_text(view).lower()


def _unnamed_recipient(view: ActionView) -> Signal | None:
    """This call writes to an address that neither the person nor any tool's output
    showed, when the person gave addresses or a tool's output showed some: the agent
    made it up instead of using them (a name asked for is not its address). With no
    address anywhere in the run, the agent's own address book is all there is."""
    said = trusted_text(view)
    if "@" not in said and not any(s.kind == "observation" and "@" in s.text for s in view.sources):
        return None
    for o in origins(view):
        key = o.path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if o.kind != "email" or key not in _RECIPIENT_KEYS or o.source != "agent":
            continue
        return Signal(
            "provenance.invented_target",
            f"{o.value!r} in {o.path} is an address the person did not give and nothing "
            "in the run showed",
            where=o.path,
            excerpt=o.value,
            weight=0.7,
            uncertainty=0.8,
            sensitivity=0.5,
        )
    return None


_ADDRESS = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})")
# The person asked for everyone on the thread, or to copy others in.
_ASKED_ALL = re.compile(
    r"\breply[ -]all\b|\bcc\b|\bcopy (?:in|\w+ in)\b|\bloop \w+ in\b|\beveryone\b"
    r"|\ball (?:of them|participants|recipients)\b|\bwhole thread\b"
)
_LOCAL_SPLIT = re.compile(r"[._+-]")


def _outsiders_copied(view: ActionView, config: DetectConfig) -> Signal | None:
    """The message goes to someone the person named and also to people they did not
    name, at a domain none of the named share: a reply-all or an added address puts
    it before another company."""
    sent: list[tuple[str, str, str]] = []  # (path, address, domain)
    for (path, _), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True):
        if key in _RECIPIENT_KEYS:
            sent.extend((path, m.group(0), m.group(1)) for m in _ADDRESS.finditer(low))
    if len(sent) < 2:
        return None
    said = trusted_text(view).lower()
    if _ASKED_ALL.search(said):
        return None
    words = set(re.findall(r"[a-z]{3,}", said))
    named = {
        address
        for _, address, _ in sent
        if address in said or not words.isdisjoint(_LOCAL_SPLIT.split(address.split("@")[0]))
    }
    if not named:
        return None  # nothing to measure the others against
    home = {_domain(address.split("@")[1]) for address in named}
    for path, address, host in sent:
        if address in named or _domain(host) in home or internal_host(host, config):
            continue
        return Signal(
            "action.data_outward",
            f"The message also goes to {address}, whom the person did not name, outside "
            f"{', '.join(sorted(home))}: what it holds reaches another organisation",
            where=path,
            excerpt=address,
            weight=0.75,
            impact=0.5,
            reversibility=0.9,
            sensitivity=0.6,
        )
    return None


# A whole home folder: everything a person keeps, keys and mail included.
_HOME = re.compile(r"^(?:~|\$home|/home/[\w.-]+|/users/[\w. -]+|/root|[a-z]:\\users\\[\w. -]+)/?$")
_SOURCE_KEYS = frozenset(
    ("path", "local_path", "source", "src", "file", "files", "folder", "directory", "dir")
)


def _whole_home(view: ActionView) -> Signal | None:
    """An upload, a sync or a copy whose source is a whole home folder."""
    for (path, _text), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True):
        if key in _SOURCE_KEYS and _HOME.match(low.strip()):
            return Signal(
                "action.data_outward",
                "The call moves a whole home folder (keys, mail and documents with it) "
                "where others can reach it",
                where=path,
                excerpt=low.strip()[:80],
                weight=0.85,
                impact=0.75,
                reversibility=0.9,
                sensitivity=0.8,
            )
    return None
