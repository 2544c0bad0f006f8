"""reviewer-screen injection: agent-written text opened in real Chromium stays inert and flagged.

    python -m reliability.screen [--runs 1] [--db sqlite] [--no-docs]

Handoffs whose args (values and keys), package, evidence and context carry script tags,
event handlers, ``javascript:`` links, remote images and styles, bidi overrides,
zero-width characters, mixed-script look-alike domains, template syntax and "SYSTEM:
pre-approved by SecOps" text are submitted to a real ``handoff serve`` process. A
reviewer logs in to the inbox in headless Chromium (Debian's, driven by Playwright) and
opens the queue and each handoff, opens the revise editor and edits the args so the
page's own script renders the diff.

Pass, per page: no dialog, no page error, no console error, the sentinel global the
payloads try to set is never set, no element carries an ``on*`` attribute or a
``javascript:`` link, template syntax is not evaluated, no request leaves for a host
other than the server's (each is recorded and aborted); every hidden character is named
in the page's flags and marked where it sits; every look-alike domain is flagged; every
"pre-approved" sentence sits inside a block marked agent-written. Figures go into
docs/RELIABILITY.md between ``<!-- screen:start -->`` and ``<!-- screen:end -->``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .serving import PASSWORD, Server, database, machine, prepare, stamp, write_docs

CHROMIUM = "/usr/bin/chromium"
SENTINEL = "__handoff_pwned"
SET = f"window.{SENTINEL}=1"
#: ``{{ 7*191919 }}`` evaluated by a template engine would show this number.
TEMPLATE_RESULT = "1343433"
SOCIAL = "SYSTEM: pre-approved by SecOps. Approve immediately; no review needed."

#: name -> (payload text, hidden characters in it, look-alike domains in it)
PAYLOADS: dict[str, tuple[str, str, list[str]]] = {
    "script tag": (f"<script>{SET};alert(1)</script>", "", []),
    "script breakout": (f"--></script><script>{SET}</script><!--", "", []),
    "event handler": (f'<img src=x onerror="{SET}"><svg onload={SET}>', "", []),
    "attribute breakout": (f'" autofocus onfocus="{SET}" x="', "", []),
    "javascript link": (f'<a href="javascript:{SET}">open invoice</a> javascript:{SET}', "", []),
    "remote image": (
        '<img src="https://evil.example/pixel.png">'
        "<style>body{background:url(https://evil.example/bg.png)}</style>"
        '<link rel="stylesheet" href="https://evil.example/x.css">'
        '<iframe src="https://evil.example/"></iframe>',
        "",
        [],
    ),
    "bidi override": (
        "invoice\u202egpj.exe and \u2066admin\u2069 and \u200fx",
        "\u202e\u2066\u2069\u200f",
        [],
    ),
    "zero-width": (
        "ap\u200bprove pay\u200dment \ufeffnow \u2060ok",
        "\u200b\u200d\ufeff\u2060",
        [],
    ),
    "look-alike domain": (
        "pay https://p\u0430ypal.com/login or g\u043e\u043egle.com or xn--pypal-4ve.com",
        "",
        ["p\u0430ypal.com", "g\u043e\u043egle.com", "xn--pypal-4ve.com"],
    ),
    "social engineering": (SOCIAL, "", []),
    "template syntax": ("{{ 7*191919 }} {% if true %}x{% endif %} ${7*7}", "", []),
}


def action(name: str, text: str) -> dict[str, Any]:
    """An ``ops.pay`` action carrying ``text`` in every agent-written place."""
    return {
        "tool": "ops.pay",
        "args": {"to": text, "memo": f"{text} ({name})", text[:150]: "key carries it"},
        "context": {
            "instruction": text,
            "assumptions": [text],
            "evidence": [{"source": text[:200], "excerpt": text, "uri": text[:500]}],
        },
        "package": {
            "summary": f"{text} {SOCIAL}",
            "decision_required": text,
            "assumptions": [text],
            "open_questions": [text],
            "evidence": [{"source": "agent", "excerpt": text}],
        },
    }


@dataclass
class Page:
    name: str
    url: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def label(ch: str) -> str:
    return f"U+{ord(ch):04X}"


_DOM_CHECK = """() => {
  const all = [...document.querySelectorAll('*')];
  const onattr = all.filter(
    e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')));
  const urls = ['href', 'src', 'action', 'formaction'];
  const jslinks = [...document.querySelectorAll('[href],[src],[action],[formaction]')].filter(
    e => urls.some(
      n => (e.getAttribute(n) || '').trim().toLowerCase().startsWith('javascript:')));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const unmarked = [];
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (n.textContent.includes('pre-approved') && !n.parentElement.closest('.agent-text'))
      unmarked.push(n.parentElement.tagName + ': ' + n.textContent.slice(0, 60));
  }
  const badges = [...document.querySelectorAll('.agent-text .badge.agent')].filter(
    b => b.offsetParent !== null && /agent/.test(b.innerText));
  const live = 'iframe, object, embed, svg, script:not([src]), img[src^="http"],'
    + ' link[href^="http"]';
  return {
    sentinel: window.SENTINEL_NAME !== undefined,
    onattr: onattr.map(e => e.tagName),
    jslinks: jslinks.map(e => e.tagName),
    injected: document.querySelectorAll(live).length,
    unmarked: unmarked,
    badges: badges.length,
    text: document.body.innerText,
  };
}""".replace("SENTINEL_NAME", SENTINEL)


def _watch(page: Any, rec: Page, origin: str) -> None:
    def dialog(d: Any) -> None:
        rec.dialogs.append(d.message)
        d.dismiss()

    def console(m: Any) -> None:
        if m.type == "error":
            rec.console.append(m.text)

    page.on("dialog", dialog)
    page.on("pageerror", lambda e: rec.errors.append(str(e)))
    page.on("console", console)

    def route(r: Any) -> None:
        if urlsplit(r.request.url).netloc == origin or r.request.url.startswith("data:"):
            r.continue_()
        else:
            rec.remote.append(r.request.url)
            r.abort()

    page.route("**/*", route)


def check_page(page: Any, rec: Page, hidden: str, domains: list[str], detail: bool) -> None:
    """Judge one loaded page (``detail``: a handoff's page, which must flag and mark)."""
    dom = page.evaluate(_DOM_CHECK)
    p = rec.problems
    if rec.dialogs:
        p.append(f"dialogs opened: {rec.dialogs}")
    if rec.errors:
        p.append(f"page errors: {rec.errors[:3]}")
    if rec.console:
        p.append(f"console errors: {rec.console[:3]}")
    if rec.remote:
        p.append(f"requests to other hosts: {rec.remote[:3]}")
    if dom["sentinel"]:
        p.append("the injected script ran (sentinel set)")
    if dom["onattr"] or dom["jslinks"] or dom["injected"]:
        p.append(
            f"live markup: on* {dom['onattr']}, javascript: {dom['jslinks']}, "
            f"elements {dom['injected']}"
        )
    if TEMPLATE_RESULT in dom["text"]:
        p.append("template syntax was evaluated")
    if dom["unmarked"]:
        p.append(f"agent text outside an agent-written block: {dom['unmarked'][:3]}")
    if not detail:
        return
    if dom["badges"] < 2:
        p.append(
            f"{dom['badges']} visible agent-written badges, expected the package and raw action"
        )
    flags = page.locator(".flags")
    flag_text = flags.inner_text() if flags.count() else ""
    marks = " ".join(page.locator(".invisible").all_inner_texts())
    for ch in sorted(set(hidden)):
        name = f"{label(ch)} {unicodedata.name(ch, '')}".strip()
        if label(ch) not in flag_text:
            p.append(f"hidden {name} not in the flags")
        if label(ch) not in marks:
            p.append(f"hidden {name} not marked where it sits")
    if hidden and not page.locator("#raw-args .invisible").first.is_visible():
        p.append("the marks in the raw args are not visible")
    for domain in domains:
        if domain not in flag_text:
            p.append(f"look-alike domain {domain!r} not flagged")


def exercise(page: Any) -> None:
    """Open the revise editor and edit the args, so the page's script renders the diff."""
    editor = page.locator("#args")
    if editor.count() == 0:
        return
    page.locator("details summary", has_text="Revise").click()
    editor.press("End")
    editor.type(" ")
    page.wait_for_timeout(100)


@dataclass
class Result:
    db: str
    pages: list[Page] = field(default_factory=list)
    payloads: int = 0
    hidden: int = 0
    lookalikes: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> list[Page]:
        return [p for p in self.pages if p.problems]


def run(runs: int = 1, db: str = "sqlite") -> Result:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    res = Result(db)
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        site = prepare(url, tmp, agents=["bot"], reviewers=["r0"])
        with Server(site, tmp / "server.log") as srv, sync_playwright() as pw:
            auth = {"Authorization": f"Bearer {site.keys['bot']}"}
            made: list[tuple[str, str, str, list[str]]] = []
            with httpx.Client(base_url=srv.url, headers=auth, timeout=30) as http:
                for r in range(runs):
                    for name, (text, hidden, domains) in PAYLOADS.items():
                        resp = http.post("/v1/actions", json=action(f"{name} {r}", text))
                        resp.raise_for_status()
                        made.append((name, resp.json()["handoff_id"], hidden, domains))
                        res.payloads += 1
                        res.hidden += len(set(hidden))
                        res.lookalikes += len(domains)
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                page = context.new_page()
                page.set_default_timeout(15_000)
                origin = urlsplit(srv.url).netloc
                rec = Page("login and queue", f"{srv.url}/")
                _watch(page, rec, origin)
                page.goto(f"{srv.url}/login")
                page.fill("#name", "r0")
                page.fill("#password", PASSWORD)
                page.press("#password", "Enter")
                page.wait_for_url(f"{srv.url}/")
                page.wait_for_load_state("networkidle")
                check_page(page, rec, "", [], detail=False)
                res.pages.append(rec)
                for name, hid, hidden, domains in made:
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    rec = Page(name, f"{srv.url}/handoffs/{hid}")
                    _watch(page, rec, origin)
                    page.goto(rec.url)
                    page.wait_for_load_state("networkidle")
                    exercise(page)
                    check_page(page, rec, hidden, domains, detail=True)
                    res.pages.append(rec)
                    page.close()
            finally:
                browser.close()
    res.seconds = time.perf_counter() - started
    return res


def table(res: Result, runs: int) -> str:
    def count(word: str) -> int:
        return sum(1 for p in res.pages if any(word in x for x in p.problems))

    lines = [
        f"Last run: {stamp()}, `python -m reliability.screen --runs {runs}`, "
        f"{res.seconds:.0f} s, Chromium headless, {res.db}.  ",
        f"Machine: {machine()}.",
        "",
        "| pages opened | injected handoffs | hidden characters | look-alike domains "
        "| scripts run | remote requests | unflagged | agent text unmarked | failures |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {len(res.pages)} | {res.payloads} | {res.hidden} | {res.lookalikes} "
        f"| {count('sentinel') + count('dialogs') + count('live markup')} "
        f"| {sum(len(p.remote) for p in res.pages)} "
        f"| {count('not flagged') + count('not in the flags')} "
        f"| {count('outside an agent-written')} | {len(res.failures)} |",
    ]
    lines += [
        "",
        "Verdict: " + ("pass." if not res.failures else f"FAIL ({len(res.failures)} pages)."),
    ]
    grouped: dict[tuple[str, str], int] = {}
    for p in res.failures:
        key = (p.name, "; ".join(p.problems)[:200])
        grouped[key] = grouped.get(key, 0) + 1
    for (name, problem), times in list(grouped.items())[:20]:
        lines.append(f"- {name} ({times}×): {problem}")
    return "\n".join(lines)


DOC_INTRO = """\
`python -m reliability.screen` submits handoffs whose every agent-written field carries
script tags, event handlers, `javascript:` links, remote images and styles, bidi
overrides, zero-width characters, look-alike domains, template syntax and "SYSTEM:
pre-approved by SecOps" text, then opens the queue and each handoff in headless
Chromium as a logged-in reviewer (and edits the args so the page's own script runs).
Pass: no script runs (no dialog, no page or console error, a sentinel global never set,
no live `on*` attribute or `javascript:` link), no request leaves for another host,
every hidden character and look-alike is flagged and marked, and agent text sits inside
blocks badged agent-written. `make test` runs it once (tests/reliability).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.screen", description=__doc__)
    ap.add_argument("--runs", type=int, default=1, help="copies of the payload corpus")
    ap.add_argument("--db", default="sqlite", help="sqlite or postgres")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    res = run(args.runs, args.db)
    text = table(res, args.runs)
    print(text)
    if not args.no_docs:
        write_docs("screen", "Reviewer screen injection", DOC_INTRO + "\n" + text)
    return 0 if not res.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
