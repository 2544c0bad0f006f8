"""Whom and where a call reaches, when its name does not say it leaves the company.

* ``action.data_outward`` — a call that exports, copies, syncs, replicates, puts or
  hooks data names a destination on an outside host (a URL, a bare public address) or in
  another project, and the person never named that place;
* ``action.public_access`` — a signed link made: anyone who holds it reads the object;
* ``action.public`` — one message sent to a crowd: a campaign, a bulk or "many" send, a
  list or channel that means everyone, or more recipients than a person writes to;
* ``provenance.invented_target`` — the person named whom to write to, and the call
  also, or instead, writes to an address they never named and no tool showed.
"""

from __future__ import annotations

import ipaddress
import re

from ._base import ActionView, DetectConfig, Signal, wordset
from ._effects import effect_of
from ._provenance import origins, trusted_text

__all__ = ["detect_reach"]

# Verbs that move a copy of data somewhere, and the thing that carries it on its own.
_MOVERS = wordset(
    "export exports copy sync replica replicas replicate replication put upload mirror "
    "webhook webhooks clone backup dump push stream forward"
)
# Where such a call says the data goes.
_WHERE_KEY = re.compile(
    r"^(?:destination|dest|target|remote|url|uri|endpoint|host|to|sink|callback"
    r"|deliver_to|upload_to|export_to)(?:_url|_uri|_host|_endpoint|_path|_location)?$"
    r"|^(?:destination|target|remote|callback|webhook|endpoint)_\w+$"
)
_HOST = re.compile(r"\b(?:https?|s?ftp|sftp|ssh|rsync|s3|gs|wss?)://(?:[^@/\s'\"]+@)?([\w.-]+)")
_BARE_IP = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?\s*$")
_INTERNAL_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8")
)
_LOCAL_HOSTS = frozenset(("localhost", "127.0.0.1", "0.0.0.0"))
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
    if not ws.isdisjoint(_SIGNED) and not ws.isdisjoint(_LINKS):
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
    crowd = _crowd(view)
    if crowd is not None:
        out.append(crowd)
    if effect.has("outward", "public", "change"):
        invented = _unnamed_recipient(view)
        if invented is not None:
            out.append(invented)
    return out


def _internal(host: str, config: DetectConfig) -> bool:
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


def _outside(view: ActionView, config: DetectConfig) -> Signal | None:
    said = trusted_text(view).lower()
    texts = dict(view.args)
    for path, key in view.keys:
        if not _WHERE_KEY.match(key):
            continue
        text = texts.get(path)
        if not text:
            continue
        m = _HOST.search(text) or _BARE_IP.match(text)
        host = m.group(1).lower() if m else ""
        if host and not _internal(host, config) and host not in said:
            return _leaves(path, text, f"an outside host ({host})")
        proj = _PROJECT_PATH.match(text.strip())
        if proj and ("destination" in key or key.startswith("target")):
            project = proj.group(1).lower()
            others = " ".join(t.lower() for p, t in view.args if p != path)
            if project not in others and project not in said:
                return _leaves(path, text, f"another project ({project})")
    return None


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


def _crowd(view: ActionView) -> Signal | None:
    ws = view.word_set
    if ws.isdisjoint(_MESSAGING) and not (ws & {"channel", "post", "create", "topic"}):
        return None
    why = ""
    where, excerpt = "tool", view.tool
    if ws & _BULK and ws & _MESSAGING:
        why = "the tool sends a campaign or a bulk message"
    else:
        count = 0
        for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
            if key in _RECIPIENT_KEYS and ("@" in text or _PHONE.match(text)):
                count += 1
                if count >= _CROWD_SIZE:
                    why = f"it goes to {_CROWD_SIZE} or more recipients"
                    where, excerpt = path, text
                    break
            if _AUDIENCE_KEY.match(key) and _CROWD.match(text.lower()):
                why = f"its {key} is {text.strip()!r}, which means everyone"
                where, excerpt = path, text
                break
    if not why:
        return None
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


def _unnamed_recipient(view: ActionView) -> Signal | None:
    """The person named addresses to write to; this call writes to one they did not,
    and no tool's output showed it."""
    said = trusted_text(view)
    if "@" not in said:
        return None
    for o in origins(view):
        key = o.path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if o.kind != "email" or key not in _RECIPIENT_KEYS or o.source != "agent":
            continue
        return Signal(
            "provenance.invented_target",
            f"The person named whom to write to; {o.value!r} in {o.path} is not one of "
            "them, and nothing in the run showed it",
            where=o.path,
            excerpt=o.value,
            weight=0.7,
            uncertainty=0.8,
            sensitivity=0.5,
        )
    return None
