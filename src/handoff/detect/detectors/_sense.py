"""What a tool's name says it does: words sorted into money, destruction, access,
sending, publishing, running code and changing settings, and read-only or defensive words
that mark a tool that inspects rather than acts (``DataBreachProtectionTool`` is not read
as a breach). A name is split into words first (``BinanceWithdraw`` -> binance, withdraw;
``iam.grant_role`` -> iam, grant, role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from ._base import ActionView, split_words, wordset
from ._effects import (
    BINS,
    EMPTIES,
    LEADING_VERBS,
    LEDGER,
    PAPER_CHECK,
    TERMINAL,
    as_meant,
    files_mail,
    gets_after_noun,
    operation_acts,
    operation_start,
    writes_draft,
)
from ._names import RANKS, STATE_NOUNS, annotates, ranked_read

__all__ = [
    "ACCESS",
    "CHANGE",
    "CODE",
    "DESTROY",
    "HARM",
    "LODGING",
    "MONEY",
    "OUTWARD",
    "PUBLIC",
    "READ_ONLY",
    "ToolSense",
    "books_workplace",
    "cancels",
    "commits",
    "halts",
    "operation_start",
    "paid_booking",
    "saves_draft",
    "sense",
    "tool_sense",
]

MONEY = wordset(
    "withdraw withdrawal transfer pay payment payments payout payouts wire deposit refund "
    "refunds purchase "
    "buy sell trade trading invest investment charge remit remittance crypto bitcoin btc "
    "eth ethereum binance wallet coinbase paypal venmo swift iban fund funds loan loans "
    "transaction transactions settlement diversion divert donate donation checkout"
)
# Booking or ordering commits the customer's money as surely as paying does: a name that
# starts with one of these verbs, or that creates one of the commitments below.
COMMIT_VERBS = wordset("book reserve checkout purchase")
CREATE_VERBS = wordset("place create make submit new add")
# What a customer commits to, and what cancelling it forfeits.
COMMITMENTS = wordset(
    "order orders booking bookings reservation reservations subscription subscriptions "
    "membership policy contract ticket tickets flight flights hotel appointment payment "
    "payments transfer invoice lease insurance trip"
)
DESTROY = wordset(
    "delete deletion remove rm drop wipe wiping erase destroy destruction destructive "
    "purge truncate overwrite format reset kill terminate shutdown crash corrupt "
    "corruption alter alteration tamper tampering sabotage deface defacement ransomware "
    "uninstall deactivate discard"
)
# Clearing or flushing is routine for a cache or a form, destructive for the record of
# what happened (logs, an audit trail, a history).
_CLEAR = wordset("clear clears flush flushes")
_EVIDENCE = wordset("log logs logging audit trail history records journal events data")
# Closing an account or a profile ends it, as closing a ticket does not.
_CLOSE = wordset("close closes closing")
_HELD = wordset("account accounts profile profiles workspace workspaces")
# Ending a booking, order or subscription: often not restorable, and it can forfeit fees
# (cancelling a build or a timer is routine: only a commitment counts).
CANCEL = wordset("cancel cancels cancellation")


# What is booked when ``book`` is a name's operation (``flights.book``, not
# ``library.book``); before a reader's verb ``book`` is a noun (``address_book_search``).
_BOOKED = COMMITMENTS | wordset(
    "room rooms table tables seat seats car cars cabin rental stay tour"
)
# A paid upgrade: of a seat, a cabin, a plan or a subscription (not of a package).
_UPGRADED = wordset(
    "cabin seat seats class fare plan tier room subscription subscriptions membership booking "
    "reservation ticket flight"
)
# After a namespace, ``ticket`` and ``policy`` name a support ticket and an access policy
# as often as a purchase (``support.create_ticket``, ``iam.create_policy``).
_OP_COMMITMENTS = COMMITMENTS - wordset("ticket tickets policy")


# A room, a desk or a seat at work, booked for a meeting: no one pays for it. A room at a
# hotel, for a stay, is paid for; a price argument says so for any booking.
_WORKPLACE = wordset("meeting meetings desk desks conference huddle workspace office hotdesk")
# An appointment is time in someone's calendar (a doctor, a haircut, a demo), not a
# purchase, unless an argument prices it.
_APPOINTMENTS = wordset("appointment appointments consultation checkup slot visit demo interview")
_ROOMS = wordset("room rooms")
LODGING = wordset(
    "hotel hotels stay stays night nights lodging resort airbnb inn hostel guest guests "
    "checkin suite"
)


def books_workplace(ws: set[str] | frozenset[str]) -> bool:
    """The name books a meeting room, a desk or an appointment (``rooms.book``,
    ``desk.reserve``, ``clinic.book_appointment``), not a hotel room: no money is
    committed unless an argument prices it."""
    return bool(ws & _WORKPLACE or ws & _ROOMS or ws & _APPOINTMENTS) and ws.isdisjoint(LODGING)


_LODGING_TEXT = re.compile(r"\b(?:hotels?|nights?|check-?in|guests?|stays?|lodging|resort|suite)\b")


_FEES = wordset("fee fees cost deposit price")
_FEE_ENDS = ("_fee", "_fees", "_cost", "_deposit", "_price")


def paid_booking(view: ActionView, priced: bool) -> bool:
    """A meeting room or desk booked (``rooms.book``) that still commits money: an
    argument prices it, or says it is a stay (a hotel, nights, guests, a check-in)."""
    ws = view.word_set
    if ws.isdisjoint(COMMIT_VERBS) or not books_workplace(ws):
        return False
    if priced or any(k in _FEES or k.endswith(_FEE_ENDS) for k in view.key_set):
        return True
    return any(not LODGING.isdisjoint(split_words(k)) for k in view.key_set) or bool(
        _LODGING_TEXT.search(view.args_lower)
    )


def commits(words: tuple[str, ...], start: int = 0) -> bool:
    """The name books, reserves, orders or buys an upgrade: it commits someone's money.
    ``book`` is a verb first in the name, or before what is booked (``book_flight``), or
    as the operation on what is booked (``flights.book``); a noun last (``address_book``,
    ``library.book``). ``start`` is where
    the operation begins, after the namespace (``orders.create``, ``amazon.place_order``)."""
    if not words:
        return False
    ws = set(words)
    if (
        ws & (COMMIT_VERBS | {"upgrade"})
        and books_workplace(ws)
        and ws.isdisjoint(COMMITMENTS - _APPOINTMENTS)
    ):
        return False
    ops = words[start:] if 0 < start < len(words) else words
    if ops[0] in _READ_VERBS:
        return False  # get_purchase_order, list_bookings: a reader of what was bought
    # What the operation creates: its own words, or the namespace's when it is only a
    # verb (``orders.create``; ``trip.create_itinerary`` creates no trip).
    made = set(ops[1:]) if len(ops) > 1 else ws
    return bool(
        ws & (COMMIT_VERBS - _NOUN_TOO)
        or words[0] == "book"
        or _reserves(words, ops)
        or (ops[0] == "book" and ws & _BOOKED)
        or any(a == "book" and b not in _READ_VERBS for a, b in pairwise(words))
        or (words[0] in CREATE_VERBS and ws & COMMITMENTS)
        or (ops[0] in CREATE_VERBS and made & _OP_COMMITMENTS)
        or ("upgrade" in ws and ws & _UPGRADED)
    )


# Verbs that are nouns too: ``book`` (``address_book``), ``reserve`` (a battery's
# ``set_reserve``, a fund's ``reserve``); read as a booking only where a verb stands.
_NOUN_TOO = frozenset(("book", "reserve"))


def _reserves(words: tuple[str, ...], ops: tuple[str, ...]) -> bool:
    """``reserve`` is the verb: first in the name or the operation (``reserve_table``,
    ``tables.reserve``), or last after what is reserved (``hotel_reserve``); not a noun
    that a setting's verb acts on (``battery.set_reserve``)."""
    if "reserve" not in words:
        return False
    return (
        words[0] == "reserve"
        or ops[0] == "reserve"
        or (words[-1] == "reserve" and not _BOOKED.isdisjoint(words))
    )


def cancels(words: tuple[str, ...]) -> bool:
    """The name cancels a commitment (a booking, an order, a subscription)."""
    ws = set(words)
    return bool(ws & CANCEL and ws & COMMITMENTS)


ACCESS = wordset(
    "grant revoke role roles permission permissions privilege privileges acl chmod chown "
    "sudo admin unlock lock door doors firmware credential credentials password passwords "
    "iam hijack hijacking takeover escalate escalation backdoor authorization authorize "
    "authorized"
)
# A second factor changed (``disable_2fa``, ``reset_mfa``) hands over an account; one
# sent or checked (``send_mfa_code``, ``verify_totp``) is how a login works.
_FACTORS = wordset("2fa mfa totp")
# Someone added to a repository, a team, a workspace or a group: access granted.
_MEMBERS = wordset("collaborator collaborators member members user users guest guests")
_ADMITS = wordset("add invite grant")
_FACTOR_CHANGES = wordset("disable bypass reset remove enroll register add turn off")
OUTWARD = wordset(
    "send resend email mail share post upload export forward publish leak disclose exfiltrate "
    "exfiltration transmit message dm sms tweet broadcast sync submit reply reshare repost "
    "retweet"
)
PUBLIC = wordset(
    "publish post posts tweet social blog instagram facebook tiktok youtube twitter x "
    "linkedin reddit broadcast campaign newsletter press public announce announcement "
    "forum forums reshare repost retweet"
)
# Read-only words that name a look at a page or a screen: they make a call read only
# when nothing in the name acts ("zoom_in" reads, "zoom_delete_recording" does not).
_SOFT_READ = wordset("screenshot screenshots zoom scroll hover")
# "press" is the press (a release, a statement), or a key pressed on a page.
_PRESS = wordset("press")
_KEYS = wordset("key keys keyboard hotkey button")
# "post" publishes on a blog or a social network, and only talks in a chat channel.
_POST = wordset("post posts")
_CHAT = wordset(
    "slack teams mattermost chat channel channels message messages dm thread threads "
    "comment comments reply"
)
CODE = wordset(
    "execute exec terminal shell bash cmd command script eval install deploy deployment "
    "python ipython jupyter interpreter repl powershell injection inject malware infection"
)
CHANGE = wordset(
    "update modify edit change set configure config workflow workflows automation "
    "automations setting settings rule rules schedule patch write create manage manager "
    "management"
)
# Words that say a tool attacks systems or data (security's business) ...
HARM = wordset(
    "theft steal stealing stolen leak leakage hijack hijacking sabotage ransomware malware "
    "wiping deface defacement phishing tamper tampering sniffing sniff backdoor spoof "
    "spoofing exploit botnet ddos keylogger impersonate impersonation extortion blackmail "
    "exfiltration exfiltrate takeover poison poisoning bribe bribery"
)
READ_ONLY = wordset(
    "get list search find read view fetch query lookup look check verify verification "
    "validate validator validation monitor monitoring analyze analyzer analysis analytics "
    "audit auditor detect detection detector protection protect protector scan scanner "
    "review reviewer summarize summarizer summary report reports shield guard guardian "
    "anti prevent prevention defense defender integrity compliance tracker track evaluate "
    "evaluator estimate simulator simulate preview dry status describe inspect scroll "
    "hover screenshot screenshots zoom"
)
# ... and words that say it cheats people out of money or trust (the business's).
FRAUD = wordset("fraud fraudulent counterfeit ponzi laundering embezzle embezzlement")
# Readers' verbs: first in a name's last segment, they make the call read whatever
# follows (``get_transfer_history``, ``check_delete_permission``).
_READ_VERBS = wordset(
    "get list search find read view fetch query lookup look check verify validate describe "
    "inspect preview review summarize analyze estimate simulate evaluate"
)
# Effects' verbs: after a reader's word they are what the call does
# (``audit_delete_logs``, ``monitor_transfer_funds``); before it they name what is read
# (``transfer_status``, ``leak_detector``).
_EFFECT_VERBS = DESTROY | wordset(
    "send share upload export forward publish tweet leak disclose exfiltrate transmit "
    "broadcast pay transfer withdraw buy sell refund wire remit deposit donate purchase "
    "checkout grant revoke chmod chown unlock create update modify edit change set write "
    "patch issue apply"
)
_ACCESS_QUALIFIERS = wordset("control grant revoke manage management level levels")
_HANDOVER = wordset("human humans agent agents support representative operator person staff")


# A name that says it injects or infects is an attack, not a terminal: "command
# injection" runs no command line of its own that could be read.
_ATTACKS = wordset("injection inject malware infection")
#: Words that say what a call does, of any category.
_SAYS = MONEY | DESTROY | ACCESS | OUTWARD | PUBLIC | CODE | CHANGE | HARM | FRAUD | _CLEAR | CANCEL


@dataclass(frozen=True, slots=True)
class ToolSense:
    """The categories a tool name falls into."""

    money: bool
    destroy: bool
    access: bool
    outward: bool
    public: bool
    code: bool
    change: bool
    harm: tuple[str, ...]
    fraud: tuple[str, ...]
    read_only: bool
    terminal: bool
    # It writes a draft: nothing is paid, sent or published yet.
    draft: bool = False


_SENSE_CACHE: dict[str, ToolSense] = {}


def _reads(words: tuple[str, ...], start: int, acts: bool) -> bool:
    """The name reads only: judged on its operation (``words[start:]``, the words after
    its namespace), whose first word is its verb.

    A reader's verb first reads; an effect's verb first acts. Otherwise a reader's word
    reads unless an effect's verb follows it. An operation that says nothing of its own
    (``reports.generate``) is read by its namespace's words.
    """
    op = words[start:] or words
    if gets_after_noun(op):
        return True  # email_get_messages, TRANSFER_GET_STATUS
    if not op or op[0] in LEADING_VERBS:
        return False
    if op[0] in _READ_VERBS or all(w in STATE_NOUNS for w in op):
        return True
    if ranked_read(op):
        return True
    last = -1
    for i, w in enumerate(op):
        if w in ("check", "checks") and i and op[i - 1] in PAPER_CHECK and "status" not in op:
            continue  # ``issue_refund_check``: a cheque, paid
        if w in READ_ONLY and (w not in _SOFT_READ or not acts):
            last = i
    if last >= 0:
        # After a ranking word an effect's verb is a noun (``analytics.top_posts``).
        return not any(
            w in _EFFECT_VERBS and (j == 0 or op[j - 1] not in RANKS)
            for j, w in enumerate(op)
            if j > last
        )
    if start and not any(w in _SAYS for w in op) and not operation_acts(words, start):
        return any(w in READ_ONLY and (w not in _SOFT_READ or not acts) for w in words[:start])
    return False


def sense(words: tuple[str, ...], start: int = 0) -> ToolSense:
    """Categorise tool words (``words[start:]`` the operation, after the namespace);
    cached, because the same tools recur."""
    key = f"{start}:{' '.join(words)}"
    hit = _SENSE_CACHE.get(key)
    if hit is not None:
        return hit
    words = as_meant(words)
    ws = set(words)
    # A number split from the word it leads (``disable_2fa`` reads as ``2``, ``fa``).
    ws.update(a + b for a, b in pairwise(words) if a.isdigit())
    read_words = words
    if "checkout" not in ws and ("check", "out") in pairwise(words):
        ws -= {"check", "out"}
        ws.add("checkout")  # "Check out": paying, not checking
        read_words = tuple("checkout" if w == "check" else w for w in words)
    # A name that starts with an effect's verb does it (``post_review``, ``email_report``):
    # a reader's word after the verb names the thing, it does not make the call read.
    acts = ws & (DESTROY | OUTWARD | MONEY | ACCESS)
    commit = commits(words, start)
    ro = _reads(read_words, start, bool(acts)) and not commit
    # "transfer to a human agent" hands the conversation over; it moves no money.
    handover = bool(ws & {"transfer", "call"} and ws & _HANDOVER)
    harm = tuple(w for w in words if w in HARM)
    draft = writes_draft(words, start)
    out = ToolSense(
        money=bool(ws & MONEY or commit)
        and not ro
        and not handover
        and not draft
        and not annotates(words, start),
        destroy=bool(
            ws & DESTROY
            or cancels(words)
            or (ws & _CLEAR and ws & _EVIDENCE)
            or (ws & EMPTIES and ws & BINS)
            or (ws & _CLOSE and ws & _HELD)
        )
        and not ro,
        access=bool(
            ws & ACCESS
            or ("access" in ws and ws & _ACCESS_QUALIFIERS)
            or (ws & _FACTORS and ws & (_FACTOR_CHANGES | CHANGE | DESTROY))
            or (ws & _MEMBERS and ws & _ADMITS)
        )
        and not ro,
        outward=bool(ws & OUTWARD) and not ro and not files_mail(ws) and not draft,
        public=bool(
            ws & PUBLIC - _POST - _PRESS
            or (ws & _POST and ws.isdisjoint(_CHAT) and ws.isdisjoint(LEDGER))
            or (ws & _PRESS and ws.isdisjoint(_KEYS))
        )
        and not ro
        and not draft,
        code=bool(ws & CODE) and not ro,
        change=bool(ws & CHANGE or draft) and not ro,
        harm=() if ro else harm,
        fraud=() if ro else tuple(w for w in words if w in FRAUD),
        read_only=ro,
        terminal=bool(ws & TERMINAL) and ws.isdisjoint(_ATTACKS),
        draft=draft,
    )
    if len(_SENSE_CACHE) < 4096:
        _SENSE_CACHE[key] = out
    return out


@lru_cache(maxsize=4096)
def tool_sense(tool: str) -> ToolSense:
    """``sense`` of a tool's name, kept per name: every detector asks for it."""
    return sense(split_words(tool), operation_start(tool))


# A send, a campaign or a schedule stopped by a status the call sets: it sends nothing.
_HALT_STATES = wordset(
    "pause paused stop stopped cancel cancelled canceled archive archived end ended "
    "disable disabled halt halted inactive draft unscheduled"
)
_STATE_KEYS = (
    "status",
    "state",
    "campaign_status",
    "delivery_status",
    "lifecyclestate",
    "lifecycle_state",
)


def halts(view: ActionView) -> bool:
    """The call's only say on sending is to stop it: ``status: paused``."""
    value = view.first_arg(_STATE_KEYS)
    return value is not None and value.strip().lower() in _HALT_STATES


def saves_draft(view: ActionView) -> bool:
    """The call saves what it writes as a draft (``lifecycleState: DRAFT``,
    ``status: draft``): nobody sees it until it is published."""
    value = view.first_arg(_STATE_KEYS)
    return value is not None and value.strip().lower() == "draft"
