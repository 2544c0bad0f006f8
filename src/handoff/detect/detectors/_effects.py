"""What a call does to the world, read from its name, its annotations and its arguments.

Detect must place every call before it may run on its own. ``effect_of`` reads the tool
name's words against an effect vocabulary (reading, computing, changing, deleting,
moving money, communicating, publishing, changing access, running code, controlling
devices, dispatching emergency services), the tool's annotations (MCP's
``readOnlyHint``, ``destructiveHint``, ``openWorldHint``), and the arguments where a
generic tool says what it does only there: a shell command, an editor's ``command``, a
code cell. A call that nothing places is *unknown*, and the policy's ``unknown_tools``
decides what happens to it (by default: a person reviews it).

The vocabulary names effects, not products or data sets: a new agent's tools are named
with the same verbs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, Effect, split_words, wordset
from ._cli import CLIS, cli_line
from ._filing import files_mail, writes_draft
from ._graphql import graphql_effect
from ._names import ANSWERS, STATE_NOUNS, annotates, ranked_read, talks_to_the_person
from ._shell_reads import shell_effects

__all__ = [
    "BINS",
    "CONTACT_FIELDS",
    "EMPTIES",
    "LEDGER",
    "PAPER_CHECK",
    "Effect",
    "answers_the_person",
    "cli_line",
    "effect_of",
    "files_mail",
    "first_arg",
    "gets_after_noun",
    "is_device_call",
    "name_effects",
    "operation_name",
    "operation_start",
    "shell_effects",
    "writes_draft",
]

READ = wordset(
    "get gets list lists search searches find read reads view views fetch query queries "
    "lookup look check checks verify verification validate validation monitor monitoring "
    "analyze analyse analyzer analysis analytics audit inspect describe show display "
    "browse count stat stats status info information explore scan scanner review summarize "
    "scroll hover wait screenshot screenshots zoom "
    "summarise summarizer summary retrieve retrieval detect detection detector predict "
    "prediction forecast evaluate evaluator estimate estimator simulate simulator preview "
    "compare comparison recommend recommendation suggest suggestion rank ranking score "
    "track tracker watch lookup locate locator navigate navigation guide advisor advice "
    "planner plan planning selector select diagnose diagnosis research researcher "
    "reader viewer dashboard report reports whois ping trace browser browse visit goto "
    "web page usage metrics health quota uptime"
)
COMPUTE = wordset(
    "think reason calculate calculator compute math convert converter translate "
    "translator format formatter parse parser tokenize encode decode hash render sum "
    "fusion optimizer optimize optimization solve solver"
)
# Data sources: a name made only of what a tool reads from is a reader.
SOURCE = wordset(
    "api data database db feed catalog catalogue knowledge knowledgebase kb wiki docs "
    "documentation directory index encyclopedia dictionary weather news market map maps "
    "calendar inbox history log logs records"
)
CHANGE = wordset(
    "update updates modify edit editor change set configure config put patch write create "
    "add insert append save store book reserve schedule assign apply enable register "
    "rename move copy merge commit push checkout replace upsert import sync mark manage "
    "manager management submit order upgrade downgrade restore toggle adjust draft drafts "
    "approve mute unmute silence snooze countersign esign route reroute log rebuild "
    "recompute reindex mutate retire enroll enrol"
)
# A signature put to something, but not signing in, up or out or signing an API request.
_SIGNS_NOT = wordset("in up out on off request requests verify verification")
DESTROY = wordset(
    "delete deletion remove rm drop wipe erase destroy purge truncate overwrite reset kill "
    "terminate shutdown cancel cancellation uninstall disable deactivate revert rollback "
    "close unpublish unsubscribe discard clear empty shred"
)
MONEY = wordset(
    "pay payment payments payout transfer withdraw withdrawal deposit refund purchase buy "
    "sell trade trading invest charge remit remittance wire donate donation tip checkout "
    "invoice bill billing fund funds loan swap exchange stake crypto bitcoin wallet "
    "transaction transactions money"
)
OUTWARD = wordset(
    "send resend email mail message messages sms text reply forward post share upload export "
    "notify notification invite call dial tweet comment dm chat broadcast announce "
    "publish respond contact reshare repost retweet"
)
PUBLIC = wordset(
    "publish post tweet blog social broadcast announce announcement press public "
    "newsletter campaign reshare repost retweet"
)
ACCESS = wordset(
    "grant revoke role roles permission permissions privilege privileges acl chmod chown "
    "sudo admin unlock lock credential credentials password passwords iam access invite "
    "collaborator collaborators member members allowlist whitelist blocklist blacklist "
    "unblock firewall policy policies visibility owner ownership"
)
_POLICY = wordset("policy policies")
# A record's contact details: what a change to them writes is where to reach someone.
# A posting in the books: "post" there publishes nothing.
LEDGER = wordset(
    "adjustment adjustments entry entries journal journals ledger ledgers charge charges "
    "payment payments transaction transactions credit credits debit debits invoice "
    "invoices bursar accounting gl"
)
# Words before "check" that make it a cheque: a refund check, a payroll check issued.
PAPER_CHECK = wordset("refund payment payroll issue print void mail deposit cut cheque")
CONTACT_FIELDS = wordset("address addresses phone email mailing contact")
CODE = wordset(
    "execute exec run runner shell bash terminal cmd command script eval install deploy "
    "deployment python ipython powershell compile interpreter jupyter notebook"
)
# Tools that run whatever command they are given, under any argument.
TERMINAL = wordset(
    "terminal shell bash sh cmd command commands console ssh powershell zsh runner exec repl "
    "interpreter"
)
# Industrial control: the controllers and protocols that run a plant, and the plant they
# run. A write to any of them moves something physical, and a wrong one can hurt people.
INDUSTRIAL = (
    "scada plc plcs modbus opcua opc dnp3 bacnet profinet ethercat rtu hmi reactor boiler "
    "turbine furnace kiln conveyor chiller compressor coolant"
)
# Things in the physical world that a call can switch, move or open.
DEVICE = wordset(
    "device devices light lights lamp switch plug thermostat heater heating hvac ac "
    "airconditioner fan door doors garage gate camera cameras alarm alarms sensor valve "
    "pump breaker breakers power grid robot robotic arm drone vehicle car truck steer "
    "steering brake brakes traffic signal elevator oven stove sprinkler irrigation "
    "lock locks actuator motor machine machinery dispenser medication pill insulin "
    "ventilator pacemaker smart home iot appliance appliances window windows blinds "
    "speaker tv inverter inverters battery batteries charger chargers genset gensets " + INDUSTRIAL
)
ACTUATE = wordset(
    "turn on off toggle switch set control operate open close start stop move drive "
    "dispense activate deactivate arm disarm lock unlock adjust power grab pick place "
    "release launch fly land steer accelerate brake disable enable shutdown mute silence"
)
DISPATCH = wordset(
    "dispatch emergency emergencies 911 112 ambulance ambulances police fire firefighter "
    "rescue evacuate evacuation incident incidents responder responders paramedic"
)
# Devices whose being off or wrong puts people or property at risk.
SAFETY = wordset(
    "camera cameras alarm alarms smoke detector detectors breaker breakers sprinkler "
    "sprinklers lock locks door doors gate traffic pedestrian crosswalk signal medication "
    "medicine insulin ventilator pacemaker oxygen fire gas stove oven heater brake brakes "
    "security surveillance safety emergency interlock valve " + INDUSTRIAL
)
# A machine sent back to where it is kept (``drone_return_to_home``).
_RETURNS = frozenset(("return", "home"))
# "transfer to a human agent" hands the conversation over; it moves no money.
_HANDOVER = wordset("human humans agent agents support representative operator person staff")


# Effect words that, first in a name, are its verb (``post_review``, ``delete_report``):
# a reader's word after them names the thing, it does not make the call read.
LEADING_VERBS = wordset(
    "post publish tweet share send forward email upload export delete drop remove wipe erase purge"
)
# Readers' verbs that, first in a name, say the call only looks (``get_alert``,
# ``list_members``): the controls, grants and releases rules pass such calls over.
FIRST_READS = wordset("get list search find read view fetch query describe show count check status")
# Readers' verbs that, first in a name's operation, make the whole name a read.
FIRST_READ_VERBS = (FIRST_READS - {"status"}) | wordset(
    "lookup look verify validate inspect preview estimate simulate"
)


# A reader's verb second, after a resource's or a toolkit's name with no separator of
# its own (``email_get_messages``, ``TRANSFER_GET_STATUS``, ``SHARE_GET_LINKS``): the
# first word names what is read. Not after a verb that acts (``send_get_…``).
_GETS = frozenset(("get", "fetch"))
_ACTS_FIRST = wordset(
    "send pay wire grant revoke buy sell withdraw deposit refund purchase publish upload "
    "export forward invite execute exec run eval install deploy"
)


def gets_after_noun(op: tuple[str, ...]) -> bool:
    """The operation is a resource's name, then ``get`` or ``fetch``, then what is read,
    and nothing after them sends or deletes."""
    return (
        len(op) > 2
        and op[1] in _GETS
        and op[0] not in _ACTS_FIRST
        and op[0] not in DESTROY
        and set(op[2:]).isdisjoint(LEADING_VERBS - {"email", "post"})
    )


# Verbs that change something without a family of their own, read only as the verb of a
# name's operation (``compute.instances.stop``, ``security_scan.suppress_finding``).
OP_CHANGES = wordset(
    "stop start restart suspend resume suppress override dismiss resize scale accept decline "
    "defer postpone reschedule archive unarchive label tag untag star unstar flag unflag "
    "reassign unassign hold unhold relabel retag reverse return restock print"
)
# Words that are verbs first in an operation but nouns before a reader's word
# (``reports.email`` sends; ``inbox.message_search`` reads).
_NOUN_VERBS = wordset("text message mail call order comment config register")
# The verbs that, first in an operation after a namespace, say what the call does
# whatever the namespace is named after: a reader's word there (``reports``, ``scan``,
# ``compute``, ``dashboard``) does not make the call read.
OP_VERBS = (
    (
        LEADING_VERBS
        | DESTROY
        | CHANGE
        | OP_CHANGES
        | _NOUN_VERBS
        | wordset(
            "pay transfer withdraw deposit refund purchase buy sell trade invest charge remit "
            "wire donate tip checkout swap stake send reply forward share upload export notify "
            "invite dial tweet dm broadcast announce publish respond contact grant revoke chmod "
            "chown unlock lock unblock allowlist whitelist install deploy"
        )
    )
    - wordset("deletion cancellation editor manager management drafts")
    - (READ | COMPUTE)
)

_NAMESPACE = re.compile(r"\.|__|/")
# A plugin's function as Semantic Kernel names it: ``EmailPlugin-SendEmail``,
# ``weather-get_forecast``, ``math-Add``. One hyphen between two names, one of which
# has a capital or an underscore: ``send-email`` (kebab case) is one name.
_PLUGIN = re.compile(r"^([A-Za-z0-9_]+)-([A-Za-z0-9_]+)$")
# A lone capitalised verb before the hyphen is a PowerShell cmdlet's (``Get-ChildItem``,
# ``Remove-Item``): the verb is the operation's, not a namespace.
_CMDLET_VERBS = wordset("invoke new test out start stop restart enable disable")


@lru_cache(maxsize=4096)
def operation_name(tool: str) -> str:
    """The name's operation: what follows its namespace, after the last ``.``, ``__``
    or ``/`` (``mcp__github__create_issue``, ``functions.send_email``), or after a
    plugin's name and its hyphen (``EmailPlugin-SendEmail`` -> ``SendEmail``)."""
    last = _NAMESPACE.split(tool)[-1] or tool
    m = _PLUGIN.match(last)
    if m is None:
        return last
    head, tail = m.groups()
    if head.islower() and tail.islower() and "_" not in last:
        return last  # kebab case: one name
    if head.istitle() and tail[0].isupper() and "_" not in tail:
        verb = split_words(head)
        if len(verb) == 1 and verb[0] in _CMDLET_VERBS | FIRST_READ_VERBS | OP_VERBS:
            return last
    return tail


@lru_cache(maxsize=4096)
def operation_start(tool: str) -> int:
    """How many of the name's words belong to its namespace (0 when it has none): the
    operation is ``operation_name``."""
    last = operation_name(tool)
    if last == tool:
        return 0
    return max(0, len(split_words(tool)) - len(split_words(last)))


def operation_acts(words: tuple[str, ...], start: int) -> bool:
    """After a namespace, the operation's first word is an effect's verb: it says what
    the call does (``reports.email``), unless it is a noun before a reader's word."""
    op = words[start:] if 0 < start < len(words) else ()
    if not op or op[0] not in OP_VERBS:
        return False
    return op[0] not in _NOUN_VERBS or not (set(op[1:]) & READ)


# What the trash or the recycle bin holds is the last copy: emptying it deletes.
EMPTIES = wordset("empty empties clear clears purge")
BINS = wordset("trash bin recycle wastebasket deleted")


# Where "checkout" switches a branch, not pays for a cart.
_GIT = frozenset(("git", "branch", "branches", "repo", "repository", "worktree"))


# Verbs that change a message where it is (``modify_email``, ``label_message``): the
# mail word after them names what is changed, not a send.
_IN_PLACE = frozenset(
    ("modify", "update", "edit", "label", "mark", "move", "archive", "tag", "untag", "flag",
     "unflag", "star", "unstar", "categorize", "categorise", "snooze", "pin", "unpin")
)  # fmt: skip
_MAIL = frozenset(("email", "emails", "mail", "message", "messages", "thread", "threads"))


# Keys sent to a page or a screen (``send_keys``) are pressed there: nothing is sent.
_KEYS = frozenset(("key", "keys", "keystroke", "keystrokes"))
# After these, ``text`` is a page's text (``click_element_by_text``, ``input_text``,
# ``get_page_text``), not a text message.
_PAGE_TEXT = frozenset(("by", "input", "page", "element", "to"))


def as_meant(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` with a version-control checkout read as the change it is, a message
    changed in place read as no send, keys sent read as keys pressed, and a page's
    text as no text message."""
    if "send" in words and not _KEYS.isdisjoint(words):
        at = words.index("send")
        if words[at + 1 : at + 2] and words[at + 1] in _KEYS:
            words = (*words[:at], "press", *words[at + 1 :])
    if "text" in words and not _PAGE_TEXT.isdisjoint(words):
        words = tuple(
            "wording" if w == "text" and i and words[i - 1] in _PAGE_TEXT else w
            for i, w in enumerate(words)
        )
    if "checkout" in words and not _GIT.isdisjoint(words):
        words = tuple("update" if w == "checkout" else w for w in words)
    if not _MAIL.isdisjoint(words) and not _IN_PLACE.isdisjoint(words):
        at = next(i for i, w in enumerate(words) if w in _IN_PLACE)
        words = words[: at + 1] + tuple("item" if w in _MAIL else w for w in words[at + 1 :])
    return words


# Words after an operation's verb that only say how many it takes (``orders_hold_bulk``).
_HOW_MANY = wordset("bulk batch all many multiple")
# The verbs of change that only mark, file or hold what they name: not a reversal, a
# dismissal or a suspension, which a name ending in them may hide.
_MARKS = wordset(
    "hold unhold tag untag label relabel retag flag unflag star unstar print restock "
    "reassign unassign archive unarchive"
)


def _changes_last(op: tuple[str, ...]) -> bool:
    """A name that ends in a verb that marks, files or holds, after the nouns it acts
    on, with nothing but "bulk" or "batch" after it (``shopify_fulfillment_orders_hold_bulk``)."""
    rest = list(op)
    while len(rest) > 1 and rest[-1] in _HOW_MANY:
        rest.pop()
    return len(rest) > 1 and rest[-1] in _MARKS


@lru_cache(maxsize=4096)
def name_effects(words: tuple[str, ...], start: int = 0) -> tuple[frozenset[str], bool]:
    """The effect families a tool name's words say, and whether it reads only.
    ``start`` is where the name's operation begins, after its namespace."""
    words = as_meant(words)
    ws = set(words)
    fams: set[str] = set()
    acts = operation_acts(words, start)
    if (acts and words[start] in OP_CHANGES) or _changes_last(words[start:]):
        fams.add("change")
    if ("transfer" in ws or "call" in ws or "escalate" in ws) and ws & _HANDOVER:
        # Handing the conversation to people is what a careful agent should do.
        return frozenset({"handover"}), True
    if ws & MONEY and not annotates(words, start):
        fams.add("money")
    if ws & DESTROY or (ws & EMPTIES and ws & BINS):
        fams.add("destroy")
    if files_mail(ws):
        fams.add("change")
    elif ws & OUTWARD:
        fams.add("outward")
    if (
        ws & PUBLIC
        and ws & (OUTWARD | {"publish", "broadcast", "announce"})
        and not (ws & PUBLIC <= {"post", "posts"} and ws & LEDGER)
    ):
        fams.add("public")
    if (
        ws & ACCESS
        and ws & (CHANGE | DESTROY | {"grant", "revoke", "unlock", "lock", "unblock"})
        and not (ws & ACCESS <= _POLICY and ws & CONTACT_FIELDS)
    ) or ws & {"grant", "revoke", "chmod", "chown", "sudo", "unblock", "allowlist", "whitelist"}:
        # A policy's mailing address or phone (``policy.update_address``) is a record's
        # contact detail, not who may do what.
        fams.add("access")
    if ws & CODE:
        fams.add("code")
    if ws & DEVICE and (
        ws & ACTUATE or ws & CHANGE or len(ws & DEVICE) == len(ws) or ws >= _RETURNS
    ):
        fams.add("device")
    if ws & DISPATCH:
        fams.add("dispatch")
    if ws & CHANGE or ("sign" in ws and ws.isdisjoint(_SIGNS_NOT)):
        fams.add("change")
    if "download" in ws:
        fams.add("download")
    # A cheque cut or mailed (``issue_refund_check``) is paid, not looked at.
    cheque = not ws.isdisjoint(PAPER_CHECK) and "status" not in ws
    paper = {"check", "checks"} if cheque else set()
    reads = bool((ws - paper) & (READ | COMPUTE))
    # A reader's verb first in the operation reads what the rest names
    # (``hub.check_updates``, ``airline.get_change_options``), unless a verb that sends
    # or deletes follows it (``fetch_and_delete``).
    op = words[start:] or words
    if (
        op
        and op[0] in FIRST_READ_VERBS
        and not (op[0] == "check" and op[1:2] in (("out",), ("in",), ("off",)))
        and ws.isdisjoint(LEADING_VERBS - {"email", "post"})
    ) or gets_after_noun(op):
        return frozenset(), True
    if (
        op
        and (all(w in STATE_NOUNS for w in op) or ranked_read(op))
        and ws.isdisjoint(LEADING_VERBS)
    ):
        return frozenset(), True
    # A reader's name may carry an effect's noun (``get_payment``, ``list_devices``):
    # the verb decides, unless the name also carries an effect's verb.
    if reads and fams:
        verbs = ws & (DESTROY | OUTWARD | CHANGE | {"pay", "transfer", "withdraw", "buy"}) - {
            "post",
            "text",
            "message",
            "messages",
            "mail",
            "email",
            "call",
            "manager",
            "management",
            "order",
            "transaction",
            "transactions",
            # A register is what a reader reads (``read_register``), as well as a verb.
            "register",
            "registers",
        }
        # A name that starts with an effect's verb does it to what it names
        # (``post_review``, ``email_report``): the noun after it does not read.
        if not verbs and not (words and words[0] in LEADING_VERBS) and not acts:
            fams = set()
    if writes_draft(words, start):
        fams = (fams - {"money", "outward", "public"}) | {"change"}
    read_only = reads and not fams
    if not reads and not fams and ws and ws <= (SOURCE | {"tool", "service", "client"}):
        read_only = True
    return frozenset(fams), read_only


_FORM_ACTION = re.compile(r"\b(fill|click|submit|type|press|upload_file|select_option)\s*\(")
_EDITOR_READ = wordset("view read show cat list open print")


def is_device_call(view: ActionView) -> bool:
    return "device" in effect_of(view).families


def effect_of(view: ActionView) -> Effect:
    """The effect of the proposed call; made once per view."""
    hit = view.effect
    if hit is not None:
        return hit
    out = view.effect = _effect_of(view)
    return out


# The keys whose arguments _effect_of reads, by key (anywhere in the arguments) and by
# first argument (``first_arg``): an action with none of them, no annotations and no
# terminal in its name has the effect its tool's name says.
_READ_KEYS = frozenset(("command", "cmd", "script", "shell", "code"))
_FIRST_KEYS = frozenset(
    ("command", "cmd", "action", "operation", "op", "method", "http_method", "verb")
)


def answers_the_person(view: ActionView) -> bool:
    """The call is the agent's message to the person it works for, to no one else."""
    return effect_of(view) is ANSWERS


def _effect_of(view: ActionView) -> Effect:
    if talks_to_the_person(view):
        return ANSWERS  # ``_full_effect`` says the same; checked first for the fast path
    if (
        view.action.annotations is None
        and view.key_set.isdisjoint(_READ_KEYS)
        and view.first_index.keys().isdisjoint(_FIRST_KEYS)
        and TERMINAL.isdisjoint(view.word_set)
        and "bash" not in view.word_set
        and CLIS.isdisjoint(view.word_set)
        and "graphql" not in view.word_set
    ):
        return _named_effect(view.words, operation_start(view.tool))
    return _full_effect(view)


@lru_cache(maxsize=4096)
def _named_effect(words: tuple[str, ...], start: int) -> Effect:
    """The effect of a call that only its tool's name places (``_full_effect`` with no
    command, method, code or annotations to read)."""
    named, read_only = name_effects(words, start)
    placed = bool(named) or read_only
    why = "the tool's name" if placed else ""
    fams = set(named)
    if read_only:
        fams -= {"change"}
    if "handover" in fams:
        return Effect(frozenset(fams), True, True, "the tool's name")
    return Effect(frozenset(fams), read_only and not (fams - {"open_world"}), placed, why)


def _full_effect(view: ActionView) -> Effect:
    if talks_to_the_person(view):
        return ANSWERS
    named, read_only = name_effects(view.words, operation_start(view.tool))
    placed = bool(named) or read_only
    why = "the tool's name" if placed else ""
    fams = set(named)
    keys = view.key_set
    # A generic tool says what it does in its arguments.
    command = first_arg(view, ("command", "cmd", "action", "operation", "op", "method"))
    terminal = not TERMINAL.isdisjoint(view.word_set) or "bash" in view.word_set
    if terminal or (keys & {"command", "cmd", "script", "shell"} and not command_is_verb(command)):
        text = first_arg(view, ("command", "cmd", "script", "shell", "code")) or ""
        if text:
            sf, sro = shell_effects(text)
            fams = (fams - {"code", "change"}) | sf
            read_only, placed, why = sro, True, "the shell command"
    elif (cli := cli_line(view)) is not None:
        sf, sro = shell_effects(cli[1])
        fams = (fams - {"code", "change"}) | sf
        read_only, placed, why = sro, True, "its command line"
    elif command is not None and command_is_verb(command):
        verb = command.strip().lower()
        if verb in _EDITOR_READ:
            read_only, placed, why = True, True, f"its command {verb!r}"
            fams.discard("change")
        else:
            read_only, placed, why = False, True, f"its command {verb!r}"
            fams.add("destroy" if verb in DESTROY else "change")
    elif "code" in keys and (
        "python" in view.words or "ipython" in view.words or "cell" in view.words
    ):
        fams.add("code")
        read_only, placed, why = False, True, "the code it runs"
    if read_only and "code" in keys and _FORM_ACTION.search(view.args_lower):
        # A browser that fills and submits forms acts; one that only visits reads.
        read_only = False
        fams.add("change")
    method = first_arg(view, ("method", "http_method", "verb"))
    if (
        method is not None
        and method.strip().upper() in ("GET", "HEAD", "OPTIONS")
        and not fams - {"code"}
    ):
        read_only, placed = True, True
    elif method is not None and method.strip().upper() in ("POST", "PUT", "PATCH", "DELETE"):
        fams.add("destroy" if method.strip().upper() == "DELETE" else "change")
        read_only, placed = False, True
    if "graphql" in view.word_set:
        reads = graphql_effect(view)
        if reads is True and not fams - {"code", "money", "access", "outward", "change"}:
            # The name's nouns (``billing_graphql``) say what it reads, not what it does.
            read_only, placed, why = True, True, "its GraphQL query"
            fams.clear()
        elif reads is False:
            # A mutation does what its document says, which no rule reads: unless the
            # name says what it changes, nothing places it, and unknown means ask.
            read_only, placed = False, bool(fams - {"code"})
            fams.add("change")
    notes = view.action.annotations
    if notes is not None:
        if notes.read_only is True and not fams - {"code"}:
            read_only, placed, why = True, True, "its readOnlyHint"
        elif notes.read_only is not True:
            read_only = False
            placed = True
            why = why or "its annotations"
            if notes.destructive is not False:
                fams.add("destroy_hint")
            if notes.open_world is not False:
                fams.add("open_world")
            fams.add("change")
    if read_only:
        fams -= {"change"}
    if "handover" in fams:
        return Effect(frozenset(fams), True, True, "the tool's name")
    return Effect(frozenset(fams), read_only and not (fams - {"open_world"}), placed, why)


def command_is_verb(value: str | None) -> bool:
    """True for an editor-style command (``view``, ``create``), not a shell line."""
    if value is None:
        return False
    v = value.strip().lower()
    return bool(v) and v.replace("_", "").isalpha() and len(v) <= 24 and " " not in v


def first_arg(view: ActionView, keys: tuple[str, ...]) -> str | None:
    """The first string argument whose own key is one of ``keys``."""
    return view.first_arg(keys)
