"""What code handed to a code-running tool does, read from its calls.

A Python REPL, a notebook cell, a Node sandbox: the tool's name says only that code
runs. The code says what it does. The shell rules (``_tools``) already read such code
as a command line, and the commands it hands to a shell (``_calls.shell_line``); this
detector reads the calls those rules cannot, whatever the tool is called:

* a cloud SDK, database or API client told to delete (``s3.delete_bucket``,
  ``ec2.terminate_instances``, ``collection.drop()``, ``requests.delete(url)``):
  ``action.destructive``, unless the person asked to delete exactly what it names;
* data sent to another machine: an HTTP POST, PUT or PATCH (``requests``, ``httpx``,
  ``fetch`` with a method or a body, ``urllib``'s ``Request`` with data), mail
  (``sendmail``, ``send_message``), a socket connected and written to, an upload or an
  FTP store: ``action.data_outward``, unless every host it reaches is local, internal or
  one the person named;
* a secret sent (a secret environment variable, or the whole environment, in what a
  request carries; not in its ``headers`` or ``auth``, where a key does its job):
  ``secrets.outward``; a secret printed, or a credentials file whose path the code
  builds from parts (``Path.home() / ".aws" / "credentials"``): ``secrets.access``;
* text fetched from the network and run (``exec``, ``eval``, ``new Function``,
  ``pickle.loads``), also through the names it is kept under: ``action.untrusted_code``;
* money moved through a payment or wallet SDK (``stripe.Payout.create``,
  ``w3.eth.send_transaction``): ``action.money``.

Pure computation, printing, plots and files written in the working directory call
none of these, and nothing here fires on them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from ._asked import asked_code_deletion
from ._base import ActionView, DetectConfig, Signal, excerpt_at, split_words, wordset
from ._calls import ARG_TOKENS, Call, Program, program_of
from ._code_secrets import Secrets, carries, secret_path, secrets_of
from ._effects import MONEY
from ._lines import code_texts
from ._provenance import trusted_text
from ._reach import internal_host

__all__ = ["detect_program"]

# A method whose name is a verb that destroys and the thing it destroys
# (``delete_bucket``, ``terminate_instances``, ``drop_table``, ``purge_queue``).
_DESTROYS = re.compile(
    r"^(?:delete|terminate|drop|destroy|purge|deregister|truncate|wipe|erase|flush)"
    r"_([a-z0-9_]+)$"
)
# ...unless the thing lives only in memory or on a page: a frame's duplicates or missing
# values, a table row in a page, a character, a prefix.
_IN_MEMORY = wordset(
    "duplicates nulls nans na in_place level levels axis row rows cell cells "
    "data contents rule property caption t_head t_foot char char_at prefix suffix whitespace "
    "cookie cookies event listener handler cache caches window windows text string str"
)
# Deletes by a filter or a query, which the content rules judge by what the filter pins
# (``delete_many({"status": "test"})`` is routine, ``delete_many({})`` is not).
_BY_FILTER = frozenset(("many", "one", "by_query"))
# Clients whose ``delete``, ``post``, ``put`` and ``patch`` are HTTP methods.
_HTTP = wordset(
    "requests httpx session client http https axios aiohttp urllib3 api s conn superagent got "
    "ky needle fetch"
)
# Arrays and frames: their ``delete`` makes a new array and removes nothing.
_ARRAYS = wordset("np numpy jnp torch tf cp pd")
_SENDS_HTTP = frozenset(("post", "put", "patch"))
_MAIL = frozenset(("sendmail", "send_message", "send_mail", "send_email", "send_mass_mail"))
_STORES = frozenset(("storbinary", "storlines"))
_SOCKET_SENDS = frozenset(("send", "sendall", "sendto"))
_URL = re.compile(r"^\s*(?:https?|wss?|ftp)://(?:[^@/\s]*@)?([\w.-]+)", re.I)
_URL_IN = re.compile(r"(?:https?|wss?|ftp)://(?:[^@/\s'\"]*@)?([\w.-]+)", re.I)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_SEND_METHOD = re.compile(r"^(?:post|put|patch)$", re.I)
# Where a request carries a key to do its job, not as what it sends.
_AUTH_KEYWORDS = frozenset(("headers", "auth", "timeout", "verify", "cert", "proxies"))
# Calls that show what they are given to the agent (and whoever reads its transcript).
_SHOWS = frozenset(("print", "pprint", "display", "log", "info", "debug", "warn", "error"))
# Calls that fetch text from the network, and calls that run text as code.
_FETCHES = frozenset(("urlopen", "fetch", "urlretrieve"))
_RUNS_TEXT = frozenset(
    ("exec", "eval", "compile", "function", "run_in_context", "run_in_new_context",
     "run_in_this_context", "loads")
)  # fmt: skip
_UNPICKLERS = frozenset(("pickle", "marshal", "dill", "cloudpickle", "cpickle", "joblib"))
# What a payment or wallet SDK call does to commit the money its name says.
_COMMITS = frozenset(
    ("create", "send", "pay", "confirm", "capture", "transact", "execute", "submit", "transfer",
     "withdraw", "send_transaction", "send_raw_transaction", "payout", "refund")
)  # fmt: skip
_MOVES = frozenset(
    ("send_transaction", "send_raw_transaction", "transfer", "withdraw", "payout", "refund")
)
# Money words that also name everyday data: a ledger's transactions, an exchange rate.
_MONEY = MONEY - wordset(
    "exchange swap trade trading invest stake fund funds bill money transaction transactions"
)


def detect_program(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for what the calls of the code a tool runs do."""
    out: list[Signal] = []
    seen: set[str] = set()
    for path, text in code_texts(view):
        prog = program_of(view, path, text)
        if prog is None or not prog.calls:
            continue
        for sig in _read(view, config, path, prog):
            if sig.code not in seen:
                seen.add(sig.code)
                out.append(sig)
    return out


def _read(view: ActionView, config: DetectConfig, path: str, prog: Program) -> Iterator[Signal]:
    defined = _defined(prog)
    tainted = _fetched_names(prog)
    secrets = secrets_of(prog)
    said = trusted_text(view).lower()
    sends: list[Call] = []
    socket = _opens_socket(prog)
    for n, call in enumerate(prog.calls):
        if call.last in defined and not call.base and call.recv < 0:
            continue
        if _destroys(prog, call):
            if asked_code_deletion(view, call.last, _values(prog, call)):
                continue
            yield _at(
                "action.destructive",
                f"The code deletes through a client or SDK ({call.name.lstrip('.')}): what it "
                "removes is gone unless a backup holds it",
                path,
                prog,
                call,
                0.9,
            )
        elif len(sends) < _MAX_SENDS and _sends(prog, call, socket):
            sends.append(call)
        elif (
            (secrets.reads or secrets.whole)
            and len(sends) < _MAX_SENDS
            and _fetches(prog, call)
            and carries(prog, call, secrets, _AUTH_KEYWORDS)
        ):
            # A secret on a request's query string or in its address: its host reads it.
            sends.insert(0, call)
        elif _runs_fetched(prog, n, tainted):
            yield _at(
                "action.untrusted_code",
                "The code runs text it fetched from the network: what runs is not what is shown",
                path,
                prog,
                call,
                0.9,
            )
        elif _pays(prog, call):
            yield _at(
                "action.money",
                f"The code moves money through a payment or wallet SDK ({call.name.lstrip('.')})",
                path,
                prog,
                call,
                0.85,
            )
        elif call.last in _SHOWS and carries(prog, call, secrets, frozenset(), whole=False):
            yield _at(
                "secrets.access",
                "The code prints a secret from the environment into the run's output",
                path,
                prog,
                call,
                0.8,
            )
    yield from _sent(view, config, path, prog, sends, secrets, said)
    found = secret_path(prog)
    if found is not None:
        s, e, joined = found
        yield _signal(
            "secrets.outward" if sends else "secrets.access",
            f"The code builds the path of a credentials file ({joined}) and reads it",
            path,
            prog.text,
            s,
            e,
            0.85,
        )


# How many sends one text is judged on: the first few say what the code does.
_MAX_SENDS = 32


def _sent(
    view: ActionView,
    config: DetectConfig,
    path: str,
    prog: Program,
    sends: list[Call],
    secrets: Secrets,
    said: str,
) -> Iterator[Signal]:
    """The sends: a secret among what one carries, or data to a host nobody named."""
    for call in sends:
        if carries(prog, call, secrets, _AUTH_KEYWORDS):
            yield _at(
                "secrets.outward",
                "The code sends a secret from the environment to another machine",
                path,
                prog,
                call,
                0.9,
            )
            break
    servers = _servers(prog) if sends else set()
    for call in sends:
        hosts, places = _hosts(prog, call, servers)
        if (
            (hosts or places)
            and all(internal_host(h, config) or _named(h, said) for h in hosts)
            and all(_named(p, said) for p in places)
        ):
            continue
        where = f" to {', '.join(sorted(hosts))}" if hosts else ""
        yield _at(
            "action.data_outward",
            f"The code sends data to another machine{where}",
            path,
            prog,
            call,
            0.8,
        )
        return


def _named(host: str, said: str) -> bool:
    """The person's words name the host (or the bucket), as a word of its own."""
    return re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", said) is not None


def _destroys(prog: Program, call: Call) -> bool:
    last = call.last
    m = _DESTROYS.match(last)
    if m:
        if m.group(1) in _BY_FILTER or _owner(prog, call) in _ARRAYS:
            return False
        # A method of a client, or an SDK's command object (``new DeleteBucketCommand``).
        return _IN_MEMORY.isdisjoint((m.group(1), *m.group(1).split("_"))) and (
            bool(call.base) or call.recv >= 0 or "." in call.name or last.endswith("_command")
        )
    if last == "flushall" or last == "flushdb":
        return True
    if last not in ("delete", "drop"):
        return False
    owner = _owner(prog, call)
    if owner in _ARRAYS:
        return False
    args = prog.args(call)
    if last == "drop":
        # A collection or table dropped; a frame's ``drop`` always names what it drops.
        return not args and (call.recv >= 0 or bool(call.base))
    if not args:
        return call.recv >= 0 or bool(call.base)
    if owner in _HTTP or _first_url(prog, call):
        return True
    # A record store's ``delete(key)`` in Python; JavaScript's Map and Set delete too.
    return not prog.js and bool(call.base or call.recv >= 0)


def _sends(prog: Program, call: Call, socket: bool) -> bool:
    last = call.last
    owner = _owner(prog, call)
    if last in ("put", "put_file") and owner in ("sftp", "ftp", "scp"):
        return True
    if last in _SENDS_HTTP:
        return (
            _first_url(prog, call)
            or _made_with_url(prog, owner)
            or (owner in _HTTP and not _relative(prog, call))
        )
    if last in _MAIL or last in _STORES or last in ("send_beacon", "chat_post_message"):
        return True
    if last.startswith("upload") and (call.base or call.recv >= 0):
        return True
    if last == "put_object":
        return any(kw == "body" for kw, _, _ in prog.args(call))
    if last in ("fetch", "axios", "request", "urlopen", "open"):
        return _sends_request(prog, call)
    # ``s.send(…)`` on a socket the code opened; Node's ``socket.write(…)``.
    if last == "write":
        return socket and "sock" in owner
    return socket and last in _SOCKET_SENDS and (bool(call.base) or call.recv >= 0)


def _sends_request(prog: Program, call: Call) -> bool:
    """A request call that carries data: a method that sends (``method: 'POST'``,
    ``requests.request('PUT', …)``, ``xhr.open('POST', …)``), a body or data, or, for
    ``urlopen``, a second argument (the data it posts)."""
    args = prog.args(call)
    if call.last == "urlopen" and sum(1 for kw, _, _ in args if not kw) >= 2:
        return True
    toks = prog.tokens
    for kw, i, j in args:
        if kw in ("data", "body", "json", "files", "form") and call.last != "open":
            return True
        if kw in ("method", "type", "") and toks[i][0] == "s" and _SEND_METHOD.match(toks[i][3]):
            return True
        if not kw and i < j and toks[i][0] == "{":
            # An options object: ``{method: 'POST', body: …}``.
            for k in range(i, j - 1):
                t = toks[k]
                if t[0] not in ("n", "s") or toks[k + 1][0] != ":":
                    continue
                key = t[3].lower()
                if key in ("body", "data", "json"):
                    return True
                if (
                    key in ("method", "type")
                    and k + 2 < j
                    and toks[k + 2][0] == "s"
                    and _SEND_METHOD.match(toks[k + 2][3])
                ):
                    return True
    return False


def _opens_socket(prog: Program) -> bool:
    """The code opens a connection of its own: a socket or a WebSocket."""
    return any(
        c.last in _OPENS or c.name in ("net.connect", "net.create_connection", "tls.connect")
        for c in prog.calls
    )


_OPENS = frozenset(("socket", "create_connection", "web_socket", "websocket"))


# Calls that name the server a mail client or a socket talks to.
_CONNECTS = frozenset(("smtp", "smtp_ssl", "connect", "create_connection", "web_socket"))
_HOSTNAME = re.compile(r"(?<![\w.-])[\w-]+(?:\.[\w-]+)+")
_BUCKET_KEYWORDS = frozenset(("bucket", "bucket_name", "container", "container_name"))


def _hosts(prog: Program, call: Call, servers: set[str]) -> tuple[set[str], set[str]]:
    """The hosts a send reaches, as far as the code names them (URLs in its arguments or
    in the names they use; for mail and sockets, the server the client was made for and
    every address mail goes to), and the buckets or containers it uploads to."""
    hosts: set[str] = set()
    for s in _values(prog, call):
        hosts.update(h.lower() for h in _URL_IN.findall(s))
        hosts.update(h.lower() for h in _EMAIL.findall(s))
    if call.last in _MAIL or call.last in _SOCKET_SENDS:
        hosts |= servers
    places: set[str] = set()
    for n, (kw, i, j) in enumerate(prog.args(call)):
        if kw in _BUCKET_KEYWORDS or (not kw and n == 1 and call.last.startswith("upload")):
            places.update(s.lower() for _, _, s in prog.strings(i, j))
    return hosts, places


def _servers(prog: Program) -> set[str]:
    """The servers the code's mail clients and sockets are made for, and every mail
    address its strings hold."""
    out: set[str] = set()
    for c in prog.calls:
        if c.last in _CONNECTS:
            for s in _values(prog, c):
                if _HOSTNAME.fullmatch(s):
                    out.add(s.lower())
                out.update(h.lower() for h in _URL_IN.findall(s))
    for t in prog.tokens:
        if t[0] == "s" and "@" in t[3] and len(t[3]) < 2000:
            out.update(h.lower() for h in _EMAIL.findall(t[3]))
    return out


def _values(prog: Program, call: Call) -> list[str]:
    """The strings a call is handed: in its arguments, and in the values of the names
    its arguments use (``url = '…'; requests.post(url, …)``), two names deep, also
    through an f-string's or a template's braces (``f"{base}/issues"``)."""
    end = min(call.close, call.open + ARG_TOKENS)
    out = [s for _, _, s in prog.strings(call.open, end)]
    names = prog.names(call.open, end)
    if call.base:
        names.add(call.base)
    seen: set[str] = set()
    for _ in range(2):
        more: set[str] = set()
        for s in out:
            if "{" in s and len(s) < 2000:
                more.update(n.lower() for n in _BRACED.findall(s))
        names = set(sorted((names | more) - seen)[:_MAX_NAMES])
        seen |= names
        found: list[str] = []
        for name in names:
            for i, j in prog.value_of(name)[-2:]:
                j = min(j, i + ARG_TOKENS)
                found.extend(s for _, _, s in prog.strings(i, j))
                more.update(prog.names(i, j))
        out.extend(found)
        names = more
    return out


# How many names a call's values are looked up through, at each depth.
_MAX_NAMES = 24
_BRACED = re.compile(r"\$?\{\s*([A-Za-z_]\w{0,60})")


def _first_url(prog: Program, call: Call) -> bool:
    """The call's first argument is a URL, written there or held by the name there."""
    args = prog.args(call)
    if not args or args[0][0]:
        return False
    t = prog.tokens[args[0][1]]
    if t[0] == "s":
        return _URL.match(t[3]) is not None
    if t[0] != "n":
        return False
    return any(_URL.match(s) for a, b in prog.value_of(t[3])[-1:] for _, _, s in prog.strings(a, b))


def _relative(prog: Program, call: Call) -> bool:
    """The call's first argument is a path alone (``client.post('/login', …)``): a web
    framework's test client, or a client made with a base address (read apart)."""
    args = prog.args(call)
    if not args or args[0][0]:
        return False
    t = prog.tokens[args[0][1]]
    return t[0] == "s" and t[3].startswith("/")


def _made_with_url(prog: Program, owner: str) -> bool:
    """The client was made with an address (``httpx.Client(base_url='https://…')``)."""
    made = prog.value_of(owner)[-1:] if owner else []
    return any(_URL_IN.search(s) for a, b in made for _, _, s in prog.strings(a, b))


def _owner(prog: Program, call: Call) -> str:
    """The name the call is a method of: ``requests`` in ``requests.delete``; for a
    method on a call's result, that call's first part (``boto3`` in
    ``boto3.client('s3').delete_object``)."""
    if call.base:
        return call.base
    if call.recv >= 0:
        return prog.calls[call.recv].name.lstrip(".").split(".", 1)[0]
    return ""


def _runs_fetched(prog: Program, n: int, tainted: set[str]) -> bool:
    """``exec``, ``eval``, ``new Function`` or an unpickler handed what the network
    returned: a fetch inside its arguments, or a name that holds one."""
    call = prog.calls[n]
    last = call.last
    if last not in _RUNS_TEXT:
        return False
    if last == "loads" and _owner(prog, call) not in _UNPICKLERS:
        return False
    if last in ("exec", "eval", "compile") and (call.base or call.recv >= 0):
        # ``re.compile``, ``cursor.execute``: not the language's own.
        return False
    if last == "function" and "new" not in prog.names(max(0, call.open - 3), call.open):
        return False
    end = min(call.close, call.open + ARG_TOKENS)
    if not tainted.isdisjoint(prog.names(call.open, end)):
        return True
    for c in prog.calls[n + 1 : n + 50]:
        if c.open >= end:
            break
        if _fetches(prog, c):
            return True
    return False


def _fetches(prog: Program, call: Call) -> bool:
    last = call.last
    if last in _FETCHES:
        return True
    return last in ("get", "request") and _owner(prog, call) in _HTTP


def _fetched_names(prog: Program) -> set[str]:
    """Names that hold what the network returned: assigned from a fetch, or from a name
    that holds one (``r = requests.get(u)``, ``src = r.text``)."""
    starts = [c.open for c in prog.calls if _fetches(prog, c)]
    if not starts:
        return set()
    out: set[str] = set()
    for _ in range(3):
        grew = False
        for name, values in prog.assigns.items():
            if name in out:
                continue
            for i, j in values:
                k = bisect_left(starts, i)
                if (k < len(starts) and starts[k] < j) or not out.isdisjoint(prog.names(i, j)):
                    out.add(name)
                    grew = True
                    break
        if not grew:
            break
    return out


def _pays(prog: Program, call: Call) -> bool:
    """A payment or wallet SDK told to move money: a money word in the call's dotted
    name (or the call it is a method of) and a verb that commits it, or a method that
    moves money by its own name (``send_transaction``, ``withdraw``)."""
    if call.last not in _COMMITS or (not call.base and call.recv < 0):
        return False
    if call.last in _MOVES:
        return True
    words = {w.removesuffix("s") for w in split_words(call.name)}
    if call.recv >= 0:
        words.update(w.removesuffix("s") for w in split_words(prog.calls[call.recv].name))
    words.discard(call.last)
    return not words.isdisjoint(_MONEY)


def _defined(prog: Program) -> set[str]:
    """Functions the code defines itself: a call to one runs the code shown."""
    toks = prog.tokens
    return {
        toks[k + 1][3]
        for k in range(len(toks) - 1)
        if toks[k][0] == "n" and toks[k][3] in ("def", "function") and toks[k + 1][0] == "n"
    }


def _at(code: str, message: str, path: str, prog: Program, call: Call, weight: float) -> Signal:
    return _signal(code, message, path, prog.text, call.start, call.end, weight)


def _signal(
    code: str, message: str, path: str, text: str, start: int, end: int, weight: float
) -> Signal:
    span, ex = excerpt_at(text, start, min(end, start + 120))
    return Signal(
        code,
        message,
        where=f"{path}{span}",
        excerpt=ex,
        weight=weight,
        impact=weight,
        reversibility=weight if code == "action.destructive" else weight / 2,
        sensitivity=0.5 if code in ("action.destructive", "action.untrusted_code") else 0.8,
    )
